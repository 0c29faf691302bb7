import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { checkoutStatus } from '../../src/db/checkouts';
import { cartLocks, checkouts } from '../../src/db/schema';
import worker from '../../src/index';
import { api, checkoutRow, checkoutsOfUser, contact, db, freezeClock, openCheckout, placeOrder, seedCart, seedProduct, seedUser, stockOf } from '../support';
import { isoNow } from '../../src/lib/time';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('POST /checkout', () => {
  it('opens a checkout with the frozen lines, the contact details and a 30-minute expiry', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ price: 1250, quantity: 5 });
    const pen = await seedProduct({ price: 99, quantity: 1 });
    const cartId = await seedCart(user.id, [[mug, 2], [pen, 1]]);
    const now = freezeClock();

    const res = await api('POST', '/checkout', {
      token: user.token,
      json: {
        cart_id: cartId,
        amount: 2599,
        email: '  Arthur@CAMELOT.example.com ',
        name: '  Arthur Pendragon  ',
        phone_no: '+91 (98765) 432-10',
        address: ' 1 Round Table, Camelot ',
        postal_code: ' 560001 ',
      },
    });

    expect(res.status).toBe(201);
    const body = res.body;
    expect(body).toEqual({
      checkout_id: expect.any(Number),
      cart_id: cartId,
      status: 'open',
      amount: 2599,
      currency: 'INR',
      items: [
        { product_id: mug.id, title: mug.title, unit_price: 1250, quantity: 2, line_total: 2500 },
        { product_id: pen.id, title: pen.title, unit_price: 99, quantity: 1, line_total: 99 },
      ],
      email: 'Arthur@camelot.example.com',
      name: 'Arthur Pendragon',
      phone_no: '+919876543210',
      address: '1 Round Table, Camelot',
      postal_code: '560001',
      expires_at: isoNow(new Date(now.getTime() + 30 * 60_000)),
      created_at: isoNow(now),
    });
    expect(Object.keys(body)).toEqual([
      'checkout_id', 'cart_id', 'status', 'amount', 'currency', 'items', 'email', 'name', 'phone_no', 'address', 'postal_code', 'expires_at', 'created_at',
    ]);
    expect(body.created_at).toMatch(ISO);

    const row = await checkoutRow(body.checkout_id);
    expect(row).toMatchObject({ userId: user.id, cartId, status: 'open', amount: 2599, currency: 'INR', items: body.items, phoneNo: '+919876543210' });
    // A checkout reserves nothing: stock only moves when the order is created.
    expect(await stockOf(mug.id)).toBe(5);
    expect(await stockOf(pen.id)).toBe(1);
  });

  it('accepts the phone number as a JSON number and as digits with dots and spaces', async () => {
    const user = await seedUser();
    const mug = await seedProduct();
    for (const [given, stored] of [
      [9876543210, '9876543210'],
      ['98.76.54 32-10', '9876543210'],
      ['+123456', '+123456'],
      ['1'.repeat(20), '1'.repeat(20)],
    ] as const) {
      const cartId = await seedCart(user.id, [[mug, 1]]);
      const res = await api('POST', '/checkout', { token: user.token, json: { ...contact(), cart_id: cartId, amount: mug.price, phone_no: given } });
      expect(res.status).toBe(201);
      expect(res.body.phone_no).toBe(stored);
    }
  });

  it('takes numbers written as strings, as Pydantic does, and counts name length in code points', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ price: 700 });
    const cartId = await seedCart(user.id, [[mug, 3]]);
    const name = '🐉'.repeat(200);
    const res = await api('POST', '/checkout', {
      token: user.token,
      json: { ...contact(), cart_id: String(cartId), amount: '2100', name },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ cart_id: cartId, amount: 2100, name });
  });

  it('ignores unknown fields: a client cannot set prices, status, owner or currency', async () => {
    const user = await seedUser();
    const other = await seedUser();
    const mug = await seedProduct({ price: 500 });
    const cartId = await seedCart(user.id, [[mug, 1]]);
    const res = await api('POST', '/checkout', {
      token: user.token,
      json: {
        ...contact(),
        cart_id: cartId,
        amount: 500,
        status: 'completed',
        currency: 'USD',
        user_id: other.id,
        expires_at: '2999-01-01T00:00:00Z',
        items: [{ product_id: mug.id, unit_price: 0, quantity: 99 }],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'open', currency: 'INR', items: [{ product_id: mug.id, unit_price: 500, quantity: 1, line_total: 500 }] });
    expect(await checkoutsOfUser(other.id)).toEqual([]);
  });

  it('uses CHECKOUT_TTL_MINUTES for the expiry', async () => {
    const user = await seedUser();
    const mug = await seedProduct();
    const cartId = await seedCart(user.id, [[mug, 1]]);
    const now = freezeClock();
    const res = await api('POST', '/checkout', { token: user.token, json: { ...contact(), cart_id: cartId, amount: mug.price } });
    expect(res.status).toBe(201);
    const minutes = Number(env.CHECKOUT_TTL_MINUTES ?? 30);
    expect(res.body).toMatchObject({ created_at: isoNow(now), expires_at: isoNow(new Date(now.getTime() + minutes * 60_000)) });
  });
});

describe('checkout status', () => {
  it('is expired when open and past expires_at, completed once ordered, open otherwise', async () => {
    const base = { status: 'open' as const, expiresAt: '2026-01-01T00:10:00Z' };
    const row = (fields: Partial<typeof base> | { status: 'completed' }) => ({ ...base, ...fields }) as Parameters<typeof checkoutStatus>[0];
    expect(checkoutStatus(row({}), '2026-01-01T00:09:59Z')).toBe('open');
    expect(checkoutStatus(row({}), '2026-01-01T00:10:00Z')).toBe('expired');
    expect(checkoutStatus(row({ status: 'completed' }), '2027-01-01T00:00:00Z')).toBe('completed');
  });
});

describe('housekeeping (the cron job)', () => {
  // The cron job's time is its controller's scheduledTime: every test runs it at `now`.
  const now = new Date();
  const runJobs = () => worker.scheduled(createScheduledController({ scheduledTime: now, cron: '*/5 * * * *' }), env);
  const daysAgo = (days: number) => isoNow(new Date(now.getTime() - days * 86_400_000));

  it('deletes checkouts abandoned more than a week ago and keeps recent and completed ones', async () => {
    const user = await seedUser();
    const product = await seedProduct({ price: 500, quantity: 10 });
    const abandoned = await openCheckout(user, [[product, 1]]);
    const recentlyExpired = await openCheckout(user, [[product, 1]]);
    const ordered = await placeOrder(user, [[product, 1]]);
    await db().update(checkouts).set({ expiresAt: daysAgo(8) }).where(eq(checkouts.id, abandoned.checkout_id));
    await db().update(checkouts).set({ expiresAt: daysAgo(2) }).where(eq(checkouts.id, recentlyExpired.checkout_id));
    await db().update(checkouts).set({ expiresAt: daysAgo(30) }).where(eq(checkouts.id, ordered.checkout_id));

    await runJobs();

    expect(await checkoutRow(abandoned.checkout_id)).toBeUndefined();
    expect(await checkoutRow(recentlyExpired.checkout_id)).toMatchObject({ status: 'open' });
    expect(await checkoutRow(ordered.checkout_id)).toMatchObject({ status: 'completed' });
    const order = await api('GET', `/orders/${ordered.id}`, { token: user.token });
    expect(order.status).toBe(200);
    expect(order.body.checkout_id).toBe(ordered.checkout_id);
    // An abandoned checkout is then unknown, like any other.
    const late = await api('POST', '/orders/create', { token: user.token, json: { checkout_id: abandoned.checkout_id } });
    expect(late.status).toBe(404);
    expect(late.body.detail.code).toBe('CHECKOUT_NOT_FOUND');
  });

  it('deletes cart leases left behind by requests that died, and keeps live ones', async () => {
    const [dead, live] = [crypto.randomUUID(), crypto.randomUUID()];
    await db().insert(cartLocks).values([
      { userId: dead, token: 'dead', expiresAt: now.getTime() - 1 },
      { userId: live, token: 'live', expiresAt: now.getTime() + 1 },
    ]);

    await runJobs();

    const rows = await db().select().from(cartLocks).where(inArray(cartLocks.userId, [dead, live]));
    expect(rows.map((row) => row.userId)).toEqual([live]);
  });
});
