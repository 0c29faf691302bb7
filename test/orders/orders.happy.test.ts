import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loadCart, saveCart } from '../../src/db/carts';
import { orders, products, users } from '../../src/db/schema';
import { api, checkoutRow, db, emailsOfOrder, openCheckout, orderLines, ordersOfCheckout, ordersOfUser, placeOrder, seedCart, seedProduct, seedSuperuser, seedUser, stockOf } from '../support';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const create = (user: { token: string }, checkoutId: number) =>
  api('POST', '/orders/create', { token: user.token, json: { checkout_id: checkoutId } });

const edit = (admin: { token: string }, orderId: number, json: Record<string, unknown>) =>
  api('PUT', `/orders/edit/${orderId}`, { token: admin.token, json });

describe('POST /orders/create', () => {
  it('turns the checkout into an order in one batch: stock, order, lines, completed checkout, confirmation e-mail', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ price: 1250, quantity: 5 });
    const pen = await seedProduct({ price: 99, quantity: 1 });
    const checkout = await openCheckout(user, [[mug, 2], [pen, 1]]);

    const res = await create(user, checkout.checkout_id);

    expect(res.status).toBe(201);
    const items = [
      { product_id: mug.id, title: mug.title, unit_price: 1250, quantity: 2, line_total: 2500 },
      { product_id: pen.id, title: pen.title, unit_price: 99, quantity: 1, line_total: 99 },
    ];
    expect(res.body).toEqual({
      id: expect.any(Number),
      user_id: user.id,
      checkout_id: checkout.checkout_id,
      status: 'pending',
      paid: false,
      shipped: false,
      cancelled: false,
      amount: 2599,
      currency: 'INR',
      items,
      email: checkout.email,
      name: 'Arthur Pendragon',
      phone_no: '+919876543210',
      address: '1 Round Table, Camelot',
      postal_code: '560001',
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
      paid_at: null,
      shipped_at: null,
      cancelled_at: null,
      // With PAYMENT_PROVIDER=manual (the default): no online payment, nothing due.
      payment_due_at: null,
      payment: null,
      cancellation_reason: null,
    });
    expect(Object.keys(res.body)).toEqual([
      'id', 'user_id', 'checkout_id', 'status', 'paid', 'shipped', 'cancelled', 'amount', 'currency', 'items', 'email', 'name',
      'phone_no', 'address', 'postal_code', 'created_at', 'updated_at', 'paid_at', 'shipped_at', 'cancelled_at',
      'payment_due_at', 'payment', 'cancellation_reason',
    ]);

    const orderId = res.body.id;
    expect(await stockOf(mug.id)).toBe(3);
    expect(await stockOf(pen.id)).toBe(0);
    expect((await orderLines([orderId])).map(({ id: _, orderId: __, ...line }) => line)).toEqual(
      items.map((line) => ({ productId: line.product_id, title: line.title, unitPrice: line.unit_price, quantity: line.quantity, lineTotal: line.line_total })),
    );
    expect((await checkoutRow(checkout.checkout_id))?.status).toBe('completed');

    const mails = await emailsOfOrder(orderId);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ kind: 'order_confirmation', toAddress: checkout.email, userId: user.id, orderId });
    expect(mails[0]!.subject).toContain(`order #${orderId} `);
    for (const part of [mails[0]!.subject, mails[0]!.text, mails[0]!.html]) {
      expect(part).not.toContain(String(Number.MAX_SAFE_INTEGER));
    }
    expect(mails[0]!.text).toContain(`#${orderId}`);
    expect(mails[0]!.text).toContain(mug.title);
  });

  it('takes the ordered lines out of the cart; what remains gets a new cart_id', async () => {
    const user = await seedUser();
    const mug = await seedProduct();
    const pen = await seedProduct();
    const checkout = await openCheckout(user, [[mug, 2]]);
    // After checking out, the customer raised the line and added another product.
    const cart = await loadCart(env, user.id);
    await saveCart(env, user.id, {
      ...cart,
      next_item_id: 3,
      items: [{ item_id: 1, product_id: mug.id, quantity: 3 }, { item_id: 2, product_id: pen.id, quantity: 1 }],
    });

    expect((await create(user, checkout.checkout_id)).status).toBe(201);

    const after = await loadCart(env, user.id);
    expect(after.cart_id).not.toBeNull();
    expect(after.cart_id).not.toBe(checkout.cart_id);
    expect(after.items).toEqual([{ item_id: 1, product_id: mug.id, quantity: 1 }, { item_id: 2, product_id: pen.id, quantity: 1 }]);
  });

  it('leaves an emptied cart without a cart_id (it gets a new one on its next add)', async () => {
    const user = await seedUser();
    const mug = await seedProduct();
    const checkout = await openCheckout(user, [[mug, 1]]);
    expect((await create(user, checkout.checkout_id)).status).toBe(201);
    const after = await loadCart(env, user.id);
    expect(after).toMatchObject({ cart_id: null, items: [] });
    const shown = await api('GET', '/cart/show', { token: user.token });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ cart_id: null, items: [] });
  });

  it('leaves a cart alone that is no longer the cart of the checkout', async () => {
    const user = await seedUser();
    const mug = await seedProduct();
    const checkout = await openCheckout(user, [[mug, 1]]);
    const newCartId = await seedCart(user.id, [[mug, 4]]);
    expect((await create(user, checkout.checkout_id)).status).toBe(201);
    expect(await loadCart(env, user.id)).toMatchObject({ cart_id: newCartId, items: [{ product_id: mug.id, quantity: 4 }] });
  });

  it('answers a repeat with 200 and the same order, changing nothing', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ quantity: 5 });
    const checkout = await openCheckout(user, [[mug, 2]]);
    const first = await create(user, checkout.checkout_id);
    const second = await create(user, checkout.checkout_id);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await stockOf(mug.id)).toBe(3);
    expect(await ordersOfCheckout(checkout.checkout_id)).toHaveLength(1);
    expect(await emailsOfOrder(first.body.id)).toHaveLength(1);
  });

  it('makes one order of concurrent creates for one checkout', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ quantity: 50 });
    const checkout = await openCheckout(user, [[mug, 2]]);
    const answers = await Promise.all(Array.from({ length: 6 }, () => create(user, checkout.checkout_id)));
    expect(answers.filter((res) => res.status === 201)).toHaveLength(1);
    expect(answers.every((res) => res.status === 201 || res.status === 200)).toBe(true);
    expect(new Set(answers.map((res) => res.body.id)).size).toBe(1);
    expect(await ordersOfCheckout(checkout.checkout_id)).toHaveLength(1);
    expect(await stockOf(mug.id)).toBe(48);
    expect(await emailsOfOrder(answers[0]!.body.id)).toHaveLength(1);
  });

  it('never oversells: concurrent orders for the last units make exactly as many orders as units', async () => {
    const units = 3;
    const buyers = 8;
    const mug = await seedProduct({ quantity: units });
    const customers = await Promise.all(Array.from({ length: buyers }, () => seedUser()));
    const checkouts: { checkout_id: number }[] = [];
    for (const customer of customers) checkouts.push(await openCheckout(customer, [[mug, 1]]));

    const answers = await Promise.all(customers.map((customer, i) => create(customer, checkouts[i]!.checkout_id)));

    const won = answers.filter((res) => res.status === 201);
    const lost = answers.filter((res) => res.status === 409);
    expect(won).toHaveLength(units);
    expect(lost).toHaveLength(buyers - units);
    for (const res of lost) {
      expect(res.body.detail).toEqual({
        code: 'INSUFFICIENT_STOCK',
        reason: `Only 0 left of '${mug.title}'`,
        product_id: mug.id,
        requested: 1,
        available: 0,
      });
    }
    expect(await stockOf(mug.id)).toBe(0);
    const placed = (await Promise.all(customers.map((customer) => ordersOfUser(customer.id)))).flat();
    expect(placed).toHaveLength(units);
    for (const [i, res] of answers.entries()) {
      expect((await checkoutRow(checkouts[i]!.checkout_id))?.status).toBe(res.status === 201 ? 'completed' : 'open');
    }
  });
});

describe('the whole path through the cart routes', () => {
  it('cart → checkout → order → a new cart_id on the next add', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ price: 450, quantity: 4 });
    const added = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: mug.id, quantity: 2 }] });
    expect(added.status).toBe(200);
    const cartId = added.body.cart_id;
    const checkout = await api('POST', '/checkout', {
      token: user.token,
      json: { cart_id: cartId, amount: added.body.subtotal, email: user.email, name: 'Gwen', phone_no: 123456789, address: 'Camelot', postal_code: 'C1' },
    });
    expect(checkout.status).toBe(201);
    const order = await api('POST', '/orders/create', { token: user.token, json: { checkout_id: checkout.body.checkout_id } });
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({ amount: 900, items: [{ product_id: mug.id, quantity: 2, line_total: 900 }] });
    expect(await stockOf(mug.id)).toBe(2);
    // The cart that became an order cannot be checked out again.
    const again = await api('POST', '/checkout', { token: user.token, json: { ...checkout.body, cart_id: cartId, amount: 900 } });
    expect(again.status).toBe(404);
    const next = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: mug.id, quantity: 1 }] });
    expect(next.body.cart_id).toEqual(expect.any(Number));
    expect(next.body.cart_id).not.toBe(cartId);
  });
});

describe('reading orders', () => {
  it('POST /orders/view with order_id, GET /orders/{id}: the caller’s order', async () => {
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct(), 1]]);
    const viewed = await api('POST', '/orders/view', { token: user.token, json: { order_id: order.id } });
    expect(viewed.status).toBe(200);
    expect(viewed.body).toEqual(order);
    const got = await api('GET', `/orders/${order.id}`, { token: user.token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(order);
    expect((await api('GET', `/orders/${order.id}/`, { token: user.token })).body).toEqual(order);
  });

  it('lists the caller’s orders newest first with X-Total-Count, paged by limit and offset', async () => {
    const user = await seedUser();
    const other = await seedUser();
    const mug = await seedProduct();
    const placed = [await placeOrder(user, [[mug, 1]]), await placeOrder(user, [[mug, 2]]), await placeOrder(user, [[mug, 3]])];
    await placeOrder(other, [[mug, 1]]);
    const newestFirst = [...placed].reverse();

    for (const res of [
      await api('POST', '/orders/view', { token: user.token, json: {} }),
      await api('POST', '/orders/view', { token: user.token, raw: '', headers: { 'content-type': 'application/json' } }),
      await api('GET', '/orders', { token: user.token }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual(newestFirst);
      expect(res.headers.get('x-total-count')).toBe('3');
    }
    const page = await api('GET', '/orders?limit=1&offset=1', { token: user.token });
    expect(page.body).toEqual([placed[1]]);
    expect(page.headers.get('x-total-count')).toBe('3');
    const viewPage = await api('POST', '/orders/view', { token: user.token, json: { limit: 2, offset: 2 } });
    expect(viewPage.body).toEqual([placed[0]]);
    // A customer's user_id can only narrow the list to their own orders.
    expect((await api('GET', `/orders?user_id=${user.id.toUpperCase()}`, { token: user.token })).body).toEqual(newestFirst);
    const foreign = await api('GET', `/orders?user_id=${other.id}`, { token: user.token });
    expect(foreign.body).toEqual([]);
    expect(foreign.headers.get('x-total-count')).toBe('0');
  });

  it('lets a superuser see every order and filter by user_id (as lenient as uuid.UUID)', async () => {
    const admin = await seedSuperuser();
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct(), 1]]);
    expect((await api('GET', `/orders/${order.id}`, { token: admin.token })).body).toEqual(order);
    expect((await api('POST', '/orders/view', { token: admin.token, json: { order_id: order.id } })).body).toEqual(order);
    const braced = `{${user.id.replaceAll('-', '').toUpperCase()}}`;
    for (const res of [
      await api('GET', `/orders?user_id=${encodeURIComponent(braced)}`, { token: admin.token }),
      await api('POST', '/orders/view', { token: admin.token, json: { user_id: `urn:uuid:${user.id}` } }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual([order]);
      expect(res.headers.get('x-total-count')).toBe('1');
    }
    const everyone = await api('GET', '/orders?limit=100', { token: admin.token });
    expect(everyone.body.map((o: { id: number }) => o.id)).toContain(order.id);
    expect(Number(everyone.headers.get('x-total-count'))).toBeGreaterThanOrEqual(1);
  });

  it('keeps orders whole when their products and their user are deleted', async () => {
    const admin = await seedSuperuser();
    const user = await seedUser();
    const mug = await seedProduct({ price: 321 });
    const order = await placeOrder(user, [[mug, 2]]);
    await db().delete(products).where(eq(products.id, mug.id));
    await db().delete(users).where(eq(users.id, user.id));
    const res = await api('GET', `/orders/${order.id}`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(order);
    expect(res.body.items).toEqual([{ product_id: mug.id, title: mug.title, unit_price: 321, quantity: 2, line_total: 642 }]);
  });
});

describe('PUT /orders/edit/{order_id}', () => {
  it('marks an order paid, then shipped: timestamps, derived status and one e-mail each', async () => {
    const admin = await seedSuperuser();
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct(), 1]]);

    const paid = await edit(admin, order.id, { paid: true });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'paid', paid: true, shipped: false, cancelled: false, paid_at: expect.stringMatching(ISO), shipped_at: null });
    const shipped = await edit(admin, order.id, { shipped: 'true' });
    expect(shipped.status).toBe(200);
    expect(shipped.body).toMatchObject({ status: 'shipped', paid: true, shipped: true, paid_at: paid.body.paid_at, shipped_at: expect.stringMatching(ISO) });

    // Setting a flag that is already set changes nothing and sends nothing.
    const again = await edit(admin, order.id, { paid: true, shipped: true, cancelled: false });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(shipped.body);

    const mails = await emailsOfOrder(order.id);
    expect(mails.map((mail) => mail.kind).sort()).toEqual(['order_confirmation', 'order_shipped', 'payment_received']);
    for (const mail of mails) {
      expect(mail.toAddress).toBe(order.email);
      expect(mail.subject).toContain(`#${order.id}`);
    }
    expect((await api('GET', `/orders/${order.id}`, { token: user.token })).body).toEqual(shipped.body);
  });

  it('cancels: the stock goes back once, a second cancel changes nothing', async () => {
    const admin = await seedSuperuser();
    const user = await seedUser();
    const mug = await seedProduct({ quantity: 5 });
    const pen = await seedProduct({ quantity: 5 });
    const order = await placeOrder(user, [[mug, 2], [pen, 3]]);
    expect([await stockOf(mug.id), await stockOf(pen.id)]).toEqual([3, 2]);

    const cancelled = await edit(admin, order.id, { cancelled: true });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelled: true, cancelled_at: expect.stringMatching(ISO), cancellation_reason: 'shop' });
    expect([await stockOf(mug.id), await stockOf(pen.id)]).toEqual([5, 5]);

    const repeat = await edit(admin, order.id, { cancelled: true });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(cancelled.body);
    expect([await stockOf(mug.id), await stockOf(pen.id)]).toEqual([5, 5]);
    expect((await emailsOfOrder(order.id)).filter((mail) => mail.kind === 'order_cancelled')).toHaveLength(1);
  });

  it('restocks once when cancels race', async () => {
    const admin = await seedSuperuser();
    const user = await seedUser();
    const mug = await seedProduct({ quantity: 4 });
    const order = await placeOrder(user, [[mug, 4]]);
    const answers = await Promise.all(Array.from({ length: 5 }, () => edit(admin, order.id, { cancelled: true })));
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await stockOf(mug.id)).toBe(4);
    expect((await emailsOfOrder(order.id)).filter((mail) => mail.kind === 'order_cancelled')).toHaveLength(1);
  });

  it('skips products deleted since the order when restocking, and cancels a paid order', async () => {
    const admin = await seedSuperuser();
    const user = await seedUser();
    const kept = await seedProduct({ quantity: 2 });
    const gone = await seedProduct({ quantity: 2 });
    const order = await placeOrder(user, [[kept, 1], [gone, 1]]);
    await edit(admin, order.id, { paid: true });
    await db().delete(products).where(eq(products.id, gone.id));
    const res = await edit(admin, order.id, { cancelled: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', paid: true, cancelled: true });
    expect(await stockOf(kept.id)).toBe(2);
    expect(await stockOf(gone.id)).toBeUndefined();
    expect((await db().select().from(orders).where(eq(orders.id, order.id)).get())?.cancelled).toBe(true);
  });
});
