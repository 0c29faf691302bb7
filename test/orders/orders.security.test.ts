import { describe, expect, it } from 'vitest';
import { api, emailsOfOrder, openCheckout, ordersOfCheckout, placeOrder, seedProduct, seedSuperuser, seedUser, stockOf } from '../support';

// 401 on every order route without a valid token, 403 on PUT /orders/edit: test/security/protected-routes.test.ts.
describe('orders security', () => {
  it('401 comes before body validation', async () => {
    expect((await api('POST', '/orders/create', { json: { checkout_id: 'x' } })).status).toBe(401);
    expect((await api('PUT', '/orders/edit/abc', { json: {} })).status).toBe(401);
  });

  it('PUT /orders/edit is superuser-only: 403 before 404 and 422, and nothing changes', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ quantity: 3 });
    const order = await placeOrder(user, [[mug, 1]]);
    for (const [path, json] of [
      [`/orders/edit/${order.id}`, { cancelled: true }],
      ['/orders/edit/2000000000', { paid: true }],
      [`/orders/edit/${order.id}`, {}],
    ] as const) {
      const res = await api('PUT', path, { token: user.token, json });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: 'Forbidden' });
    }
    expect(await stockOf(mug.id)).toBe(2);
    expect((await api('GET', `/orders/${order.id}`, { token: user.token })).body).toEqual(order);
    expect((await emailsOfOrder(order.id)).map((mail) => mail.kind)).toEqual(['order_confirmation']);
  });

  it('never turns someone else’s checkout into an order (404 CHECKOUT_NOT_FOUND)', async () => {
    const owner = await seedUser();
    const intruder = await seedUser();
    const mug = await seedProduct({ quantity: 3 });
    const checkout = await openCheckout(owner, [[mug, 1]]);
    const res = await api('POST', '/orders/create', { token: intruder.token, json: { checkout_id: checkout.checkout_id } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: { code: 'CHECKOUT_NOT_FOUND', reason: 'Checkout not found' } });
    expect(await ordersOfCheckout(checkout.checkout_id)).toEqual([]);
    expect(await stockOf(mug.id)).toBe(3);
    // Once it is an order, the intruder still learns nothing.
    await api('POST', '/orders/create', { token: owner.token, json: { checkout_id: checkout.checkout_id } });
    expect((await api('POST', '/orders/create', { token: intruder.token, json: { checkout_id: checkout.checkout_id } })).status).toBe(404);
  });

  it('never shows someone else’s order: 404 by id, absent from lists, even when asked by user_id', async () => {
    const owner = await seedUser();
    const intruder = await seedUser();
    const order = await placeOrder(owner, [[await seedProduct(), 1]]);
    const viewed = await api('POST', '/orders/view', { token: intruder.token, json: { order_id: order.id } });
    expect(viewed.status).toBe(404);
    expect(viewed.body).toEqual({ detail: { code: 'ORDER_NOT_FOUND', reason: 'Order not found', order_id: order.id } });
    const got = await api('GET', `/orders/${order.id}`, { token: intruder.token });
    expect(got.status).toBe(404);
    expect(got.body).toEqual({ detail: 'Not Found' });
    for (const res of [
      await api('GET', '/orders', { token: intruder.token }),
      await api('GET', `/orders?user_id=${owner.id}`, { token: intruder.token }),
      await api('POST', '/orders/view', { token: intruder.token, json: { user_id: owner.id } }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
      expect(res.headers.get('x-total-count')).toBe('0');
    }
  });

  it('ignores unknown fields on create and edit: a client cannot set the owner, amount or status', async () => {
    const admin = await seedSuperuser();
    const user = await seedUser();
    const other = await seedUser();
    const checkout = await openCheckout(user, [[await seedProduct({ price: 800 }), 1]]);
    const res = await api('POST', '/orders/create', {
      token: user.token,
      json: { checkout_id: checkout.checkout_id, user_id: other.id, amount: 1, paid: true, status: 'shipped' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ user_id: user.id, amount: 800, paid: false, status: 'pending' });
    const edited = await api('PUT', `/orders/edit/${res.body.id}`, { token: admin.token, json: { paid: true, amount: 0, user_id: other.id } });
    expect(edited.body).toMatchObject({ user_id: user.id, amount: 800, paid: true });
  });
});
