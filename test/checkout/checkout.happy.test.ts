import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { checkoutStatus } from '../../src/db/checkouts';
import { api, seedUser } from '../helpers';
import { checkoutRow, checkoutsOfUser, contact, seedCart, seedProduct, stockOf } from '../orders/fixtures';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('POST /checkout', () => {
  it('opens a checkout with the frozen lines, the contact details and a 30-minute expiry', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ price: 1250, quantity: 5 });
    const pen = await seedProduct({ price: 99, quantity: 1 });
    const cartId = await seedCart(user.id, [[mug, 2], [pen, 1]]);

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
      expires_at: expect.stringMatching(ISO),
      created_at: expect.stringMatching(ISO),
    });
    expect(Object.keys(body)).toEqual([
      'checkout_id', 'cart_id', 'status', 'amount', 'currency', 'items', 'email', 'name', 'phone_no', 'address', 'postal_code', 'expires_at', 'created_at',
    ]);
    expect(Date.parse(body.expires_at) - Date.parse(body.created_at)).toBe(30 * 60_000);

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
    const res = await api('POST', '/checkout', { token: user.token, json: { ...contact(), cart_id: cartId, amount: mug.price } });
    expect(res.status).toBe(201);
    const minutes = Number(env.CHECKOUT_TTL_MINUTES ?? 30);
    expect(Date.parse(res.body.expires_at) - Date.parse(res.body.created_at)).toBe(minutes * 60_000);
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
