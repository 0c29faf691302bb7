import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { causeMessages } from '../../src/lib/error-cause';
import { insertOrderStatement, takeStockStatement } from '../../src/db/orders';
import { checkouts, products } from '../../src/db/schema';
import { isoNow } from '../../src/lib/time';
import { api, checkoutRow, db, emailsTo, openCheckout, ordersOfCheckout, placeOrder, seedProduct, seedSuperuser, seedUser, stockOf } from '../support';

const create = (user: { token: string }, json: unknown) => api('POST', '/orders/create', { token: user.token, json });
const edit = (admin: { token: string }, orderId: number | string, json: unknown) =>
  api('PUT', `/orders/edit/${orderId}`, { token: admin.token, json });

/** Nothing of the order happened: no order, stock as it was, checkout open, no e-mail. */
async function expectNothingChanged(checkout: { checkout_id: number; email: string }, stock: [number, number | undefined][]) {
  expect(await ordersOfCheckout(checkout.checkout_id)).toEqual([]);
  for (const [productId, quantity] of stock) expect(await stockOf(productId)).toBe(quantity);
  expect((await checkoutRow(checkout.checkout_id))?.status).toBe('open');
  expect((await emailsTo(checkout.email)).filter((mail) => mail.kind === 'order_confirmation')).toEqual([]);
}

describe('POST /orders/create refusals', () => {
  it('404 CHECKOUT_NOT_FOUND for an unknown checkout', async () => {
    const user = await seedUser();
    const res = await create(user, { checkout_id: 2_000_000_000 });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: { code: 'CHECKOUT_NOT_FOUND', reason: 'Checkout not found' } });
  });

  it('409 CHECKOUT_EXPIRED past expires_at, changing nothing', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ quantity: 5 });
    const checkout = await openCheckout(user, [[mug, 1]]);
    await db().update(checkouts).set({ expiresAt: '2020-01-01T00:00:00Z' }).where(eq(checkouts.id, checkout.checkout_id));
    const res = await create(user, { checkout_id: checkout.checkout_id });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      detail: {
        code: 'CHECKOUT_EXPIRED',
        reason: 'This checkout has expired; please check out again',
        checkout_id: checkout.checkout_id,
        expires_at: '2020-01-01T00:00:00Z',
      },
    });
    await expectNothingChanged(checkout, [[mug.id, 5]]);
  });

  it('409 INSUFFICIENT_STOCK when the stock fell after checkout; the whole batch rolls back', async () => {
    const user = await seedUser();
    const plenty = await seedProduct({ quantity: 10 });
    const scarce = await seedProduct({ quantity: 5 });
    const checkout = await openCheckout(user, [[plenty, 4], [scarce, 3]]);
    await db().update(products).set({ quantity: 2 }).where(eq(products.id, scarce.id));
    const res = await create(user, { checkout_id: checkout.checkout_id });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      detail: { code: 'INSUFFICIENT_STOCK', reason: `Only 2 left of '${scarce.title}'`, product_id: scarce.id, requested: 3, available: 2 },
    });
    // The first line's stock was not taken either.
    await expectNothingChanged(checkout, [[plenty.id, 10], [scarce.id, 2]]);
  });

  it('409 PRODUCT_UNAVAILABLE when a product was deleted or taken off sale after checkout', async () => {
    const user = await seedUser();
    const kept = await seedProduct({ quantity: 10 });
    const deleted = await seedProduct({ quantity: 10 });
    const hidden = await seedProduct({ quantity: 10 });

    const first = await openCheckout(user, [[kept, 1], [deleted, 1]]);
    await db().delete(products).where(eq(products.id, deleted.id));
    const gone = await create(user, { checkout_id: first.checkout_id });
    expect(gone.status).toBe(409);
    expect(gone.body).toEqual({
      detail: { code: 'PRODUCT_UNAVAILABLE', reason: `Sorry, '${deleted.title}' is no longer available`, product_id: deleted.id },
    });
    await expectNothingChanged(first, [[kept.id, 10], [deleted.id, undefined]]);

    const second = await openCheckout(user, [[kept, 1], [hidden, 1]]);
    await db().update(products).set({ isVisible: false }).where(eq(products.id, hidden.id));
    const offSale = await create(user, { checkout_id: second.checkout_id });
    expect(offSale.status).toBe(409);
    expect(offSale.body.detail).toMatchObject({ code: 'PRODUCT_UNAVAILABLE', product_id: hidden.id });
    await expectNothingChanged(second, [[kept.id, 10], [hidden.id, 10]]);
  });

  it('keeps the frozen price when the catalog price changes after checkout', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ price: 1000 });
    const checkout = await openCheckout(user, [[mug, 2]]);
    await db().update(products).set({ price: 5000 }).where(eq(products.id, mug.id));
    const res = await create(user, { checkout_id: checkout.checkout_id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ amount: 2000, items: [{ unit_price: 1000, line_total: 2000 }] });
  });

  it.each([
    [{}, 'missing'],
    [{ checkout_id: 'abc' }, 'int_parsing'],
    [{ checkout_id: 0 }, 'greater_than_equal'],
    [{ checkout_id: 1.5 }, 'int_from_float'],
    [{ checkout_id: null }, 'int_type'],
  ])('422 for %j', async (body, type) => {
    const user = await seedUser();
    const res = await create(user, body);
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([expect.objectContaining({ type, loc: ['body', 'checkout_id'] })]);
  });
});

describe('reading orders: refusals', () => {
  it('404 ORDER_NOT_FOUND from POST /orders/view for an unknown order', async () => {
    const user = await seedUser();
    const res = await api('POST', '/orders/view', { token: user.token, json: { order_id: 2_000_000_000 } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: { code: 'ORDER_NOT_FOUND', reason: 'Order not found', order_id: 2_000_000_000 } });
  });

  it('plain 404 from GET /orders/{id} for an unknown or malformed id', async () => {
    const user = await seedUser();
    for (const id of ['2000000000', 'abc', '0', '-1', '1.5', '9'.repeat(30)]) {
      const res = await api('GET', `/orders/${id}`, { token: user.token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: 'Not Found' });
    }
  });

  it.each([
    ['limit=0', 'limit', 'greater_than_equal'],
    ['limit=101', 'limit', 'less_than_equal'],
    ['limit=ten', 'limit', 'int_parsing'],
    ['offset=-1', 'offset', 'greater_than_equal'],
    ['user_id=not-a-uuid', 'user_id', 'string_pattern_mismatch'],
  ])('GET /orders?%s → 422', async (query, field, type) => {
    const user = await seedUser();
    const res = await api('GET', `/orders?${query}`, { token: user.token });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([expect.objectContaining({ type, loc: ['query', field] })]);
  });

  it.each([
    [{ order_id: 'x' }, 'order_id', 'int_parsing'],
    [{ limit: 500 }, 'limit', 'less_than_equal'],
    [{ offset: -5 }, 'offset', 'greater_than_equal'],
    [{ user_id: 123 }, 'user_id', 'string_type'],
  ])('POST /orders/view %j → 422', async (body, field, type) => {
    const user = await seedUser();
    const res = await api('POST', '/orders/view', { token: user.token, json: body });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([expect.objectContaining({ type, loc: ['body', field] })]);
  });

  it('422 when the view body is not an object', async () => {
    const user = await seedUser();
    const res = await api('POST', '/orders/view', { token: user.token, json: [1] });
    expect(res.status).toBe(422);
  });
});

describe('PUT /orders/edit/{order_id} refusals', () => {
  it('plain 404 for an unknown or malformed id, before validating the body', async () => {
    const admin = await seedSuperuser();
    for (const id of ['2000000000', 'abc']) {
      const res = await edit(admin, id, {});
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: 'Not Found' });
    }
  });

  it('422 unless at least one of shipped, paid, cancelled is given, and for non-booleans', async () => {
    const admin = await seedSuperuser();
    const order = await placeOrder(await seedUser(), [[await seedProduct(), 1]]);
    for (const body of [{}, { paid: null, shipped: null }, { note: 'x' }]) {
      const res = await edit(admin, order.id, body);
      expect(res.status).toBe(422);
      expect(res.body.detail).toEqual([
        { type: 'value_error', loc: ['body'], msg: 'Value error, At least one of shipped, paid, cancelled is required', input: body },
      ]);
    }
    const wrongType = await edit(admin, order.id, { paid: 'maybe' });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.detail).toEqual([expect.objectContaining({ type: 'bool_parsing', loc: ['body', 'paid'] })]);
    const empty = await api('PUT', `/orders/edit/${order.id}`, { token: admin.token, raw: '', headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(422);
    expect(empty.body.detail[0]).toMatchObject({ type: 'missing', loc: ['body'] });
  });

  it('422 json_invalid for a body of 10,000 nested objects, and the order stays as it was', async () => {
    const admin = await seedSuperuser();
    const order = await placeOrder(await seedUser(), [[await seedProduct(), 1]]);
    const before = await api('GET', `/orders/${order.id}`, { token: admin.token });
    for (const raw of [`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, `{"paid":true,"note":${'['.repeat(10_000)}${']'.repeat(10_000)}}`]) {
      const res = await api('PUT', `/orders/edit/${order.id}`, { token: admin.token, raw, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(422);
      expect(res.body.detail).toEqual([
        { type: 'json_invalid', loc: ['body', expect.any(Number)], msg: 'JSON decode error', input: {}, ctx: { error: 'Nesting deeper than 32 levels' } },
      ]);
    }
    expect((await api('GET', `/orders/${order.id}`, { token: admin.token })).body).toEqual(before.body);
    expect((await emailsTo(order.email)).map((mail) => mail.kind)).toEqual(['order_confirmation']);
  });

  it('409 ORDER_CANCELLED for any change to a cancelled order', async () => {
    const admin = await seedSuperuser();
    const order = await placeOrder(await seedUser(), [[await seedProduct(), 1]]);
    const cancelled = (await edit(admin, order.id, { cancelled: true })).body;
    for (const body of [{ paid: true }, { shipped: true }, { cancelled: false }]) {
      const res = await edit(admin, order.id, body);
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ detail: { code: 'ORDER_CANCELLED', reason: 'This order is cancelled and cannot change', order_id: order.id } });
    }
    expect((await api('GET', `/orders/${order.id}`, { token: admin.token })).body).toEqual(cancelled);
  });

  it('409 ORDER_ALREADY_SHIPPED when cancelling a shipped order (or shipping and cancelling at once); nothing changes', async () => {
    const admin = await seedSuperuser();
    const mug = await seedProduct({ quantity: 5 });
    const order = await placeOrder(await seedUser(), [[mug, 2]]);
    const both = await edit(admin, order.id, { shipped: true, cancelled: true });
    expect(both.status).toBe(409);
    expect(both.body.detail).toMatchObject({ code: 'ORDER_ALREADY_SHIPPED' });
    const shipped = (await edit(admin, order.id, { shipped: true })).body;
    const res = await edit(admin, order.id, { cancelled: true });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: { code: 'ORDER_ALREADY_SHIPPED', reason: 'A shipped order cannot be cancelled', order_id: order.id } });
    expect(await stockOf(mug.id)).toBe(3);
    expect((await api('GET', `/orders/${order.id}`, { token: admin.token })).body).toEqual(shipped);
  });

  it('409 when clearing paid or shipped: flags only go from false to true', async () => {
    const admin = await seedSuperuser();
    const order = await placeOrder(await seedUser(), [[await seedProduct(), 1]]);
    await edit(admin, order.id, { paid: true, shipped: true });
    const unpaid = await edit(admin, order.id, { paid: false });
    expect(unpaid.status).toBe(409);
    expect(unpaid.body).toEqual({ detail: { code: 'ORDER_ALREADY_PAID', reason: 'A paid order cannot be marked as not paid', order_id: order.id } });
    const unshipped = await edit(admin, order.id, { shipped: false });
    expect(unshipped.status).toBe(409);
    expect(unshipped.body.detail).toMatchObject({ code: 'ORDER_ALREADY_SHIPPED', reason: 'A shipped order cannot be marked as not shipped' });
    // Clearing a flag that is not set changes nothing.
    const fresh = await placeOrder(await seedUser(), [[await seedProduct(), 1]]);
    const noop = await edit(admin, fresh.id, { paid: false, shipped: false, cancelled: false });
    expect(noop.status).toBe(200);
    expect(noop.body).toEqual(fresh);
  });
});

describe('the order batch guards itself (behind the route’s own checks)', () => {
  it('refuses to insert an order for an expired or completed checkout, rolling back the stock', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ quantity: 5 });
    const checkout = await openCheckout(user, [[mug, 2]]);
    const database = getDb(env);

    await db().update(checkouts).set({ expiresAt: '2020-01-01T00:00:00Z' }).where(eq(checkouts.id, checkout.checkout_id));
    const expired = (await checkoutRow(checkout.checkout_id))!;
    await expect(
      database.batch([takeStockStatement(database, expired.id, isoNow()), insertOrderStatement(database, expired, isoNow())]),
    ).rejects.toSatisfy((error) => /NOT NULL constraint failed: orders\.checkout_id/.test(causeMessages(error)));

    await db().update(checkouts).set({ expiresAt: '2999-01-01T00:00:00Z', status: 'completed' }).where(eq(checkouts.id, checkout.checkout_id));
    const completed = (await checkoutRow(checkout.checkout_id))!;
    await expect(
      database.batch([takeStockStatement(database, completed.id, isoNow()), insertOrderStatement(database, completed, isoNow())]),
    ).rejects.toSatisfy((error) => /NOT NULL constraint failed: orders\.checkout_id/.test(causeMessages(error)));

    expect(await stockOf(mug.id)).toBe(5);
    expect(await ordersOfCheckout(checkout.checkout_id)).toEqual([]);
  });
});
