import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { saveCart } from '../../src/db/carts';
import { products } from '../../src/db/schema';
import { env } from 'cloudflare:workers';
import { api, checkoutsOfUser, contact, db, seedCart, seedProduct, seedUser } from '../support';

async function checkout(user: { token: string }, fields: Record<string, unknown>) {
  return api('POST', '/checkout', { token: user.token, json: { ...contact(), ...fields } });
}

describe('POST /checkout refusals (nothing is stored)', () => {
  it('404 CART_NOT_FOUND when the cart id is not the caller’s current cart', async () => {
    const user = await seedUser();
    const mug = await seedProduct();
    const cartId = await seedCart(user.id, [[mug, 1]]);
    const res = await checkout(user, { cart_id: cartId + 1, amount: mug.price });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: { code: 'CART_NOT_FOUND', reason: 'This is not your current cart', cart_id: cartId + 1 } });
    expect(await checkoutsOfUser(user.id)).toEqual([]);
  });

  it('404 CART_NOT_FOUND when the caller has no cart at all', async () => {
    const user = await seedUser();
    const res = await checkout(user, { cart_id: 12345, amount: 0 });
    expect(res.status).toBe(404);
    expect(res.body.detail.code).toBe('CART_NOT_FOUND');
  });

  it('400 CART_EMPTY when the current cart has no lines', async () => {
    const user = await seedUser();
    await saveCart(env, user.id, { cart_id: 777, next_item_id: 3, items: [], updated_at: null });
    const res = await checkout(user, { cart_id: 777, amount: 0 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: { code: 'CART_EMPTY', reason: 'Your cart is empty', cart_id: 777 } });
    expect(await checkoutsOfUser(user.id)).toEqual([]);
  });

  it('409 PRODUCT_UNAVAILABLE for a hidden, unreleased or deleted product, naming the first such line', async () => {
    const user = await seedUser();
    const fine = await seedProduct();
    const hidden = await seedProduct({ isVisible: false });
    const unreleased = await seedProduct({ releaseDate: '2999-01-01' });
    const deleted = await seedProduct();
    await db().delete(products).where(eq(products.id, deleted.id));
    for (const [bad, reason] of [
      [hidden, `Sorry, '${hidden.title}' is no longer available`],
      [unreleased, `Sorry, '${unreleased.title}' is no longer available`],
      [deleted, `Sorry, product ${deleted.id} is no longer available`],
    ] as const) {
      const cartId = await seedCart(user.id, [[fine, 1], [bad, 1]]);
      const res = await checkout(user, { cart_id: cartId, amount: fine.price });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ detail: { code: 'PRODUCT_UNAVAILABLE', reason, product_id: bad.id } });
    }
    expect(await checkoutsOfUser(user.id)).toEqual([]);
  });

  it('409 INSUFFICIENT_STOCK when a line asks for more than is in stock', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ title: `Blue Mug ${crypto.randomUUID()}`, quantity: 2 });
    const cartId = await seedCart(user.id, [[mug, 3]]);
    const res = await checkout(user, { cart_id: cartId, amount: mug.price * 3 });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      detail: { code: 'INSUFFICIENT_STOCK', reason: `Only 2 left of '${mug.title}'`, product_id: mug.id, requested: 3, available: 2 },
    });
    expect(await checkoutsOfUser(user.id)).toEqual([]);
  });

  it('409 AMOUNT_MISMATCH with the server’s total when the price changed after the customer saw it', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ price: 1000 });
    const cartId = await seedCart(user.id, [[mug, 2]]);
    await db().update(products).set({ price: 1200 }).where(eq(products.id, mug.id));
    const res = await checkout(user, { cart_id: cartId, amount: 2000 });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      detail: {
        code: 'AMOUNT_MISMATCH',
        reason: 'The cart total is 2400 INR (minor units), not 2000; please review your cart',
        amount: 2400,
        currency: 'INR',
      },
    });
    expect(await checkoutsOfUser(user.id)).toEqual([]);
  });
});

describe('POST /checkout validation (422)', () => {
  it('lists every missing field', async () => {
    const user = await seedUser();
    const res = await api('POST', '/checkout', { token: user.token, json: {} });
    expect(res.status).toBe(422);
    expect(res.body.detail.map((item: { loc: string[] }) => item.loc)).toEqual(
      ['cart_id', 'amount', 'email', 'name', 'phone_no', 'address', 'postal_code'].map((field) => ['body', field]),
    );
    expect(res.body.detail[0]).toEqual({ type: 'missing', loc: ['body', 'cart_id'], msg: 'Field required', input: {} });
  });

  it('reports an empty body as a missing body', async () => {
    const user = await seedUser();
    const res = await api('POST', '/checkout', { token: user.token, raw: '', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ type: 'missing', loc: ['body'] });
  });

  it.each([
    ['phone_no', '12345', 'string_pattern_mismatch'],
    ['phone_no', '1'.repeat(21), 'string_pattern_mismatch'],
    ['phone_no', '98765abc43', 'string_pattern_mismatch'],
    ['phone_no', '98+7654321', 'string_pattern_mismatch'],
    ['phone_no', -98765432, 'string_type'],
    ['phone_no', 9876543.5, 'string_type'],
    ['phone_no', true, 'string_type'],
    ['phone_no', '', 'string_too_short'],
    ['phone_no', '1'.repeat(41), 'string_too_long'],
    ['name', '', 'string_too_short'],
    ['name', '   ', 'string_too_short'],
    ['name', 'x'.repeat(201), 'string_too_long'],
    ['name', 42, 'string_type'],
    ['address', 'x'.repeat(501), 'string_too_long'],
    ['postal_code', 'x'.repeat(21), 'string_too_long'],
    ['postal_code', null, 'string_type'],
    ['email', 'not-an-email', 'value_error'],
    ['email', 'a@b.test', 'value_error'],
    ['amount', -1, 'greater_than_equal'],
    ['amount', 'ten', 'int_parsing'],
    ['amount', 1.5, 'int_from_float'],
    ['cart_id', 0, 'greater_than_equal'],
    ['cart_id', [1], 'int_type'],
  ])('refuses %s = %j with %s', async (field, value, type) => {
    const user = await seedUser();
    const mug = await seedProduct();
    const cartId = await seedCart(user.id, [[mug, 1]]);
    const res = await checkout(user, { cart_id: cartId, amount: mug.price, [field]: value });
    expect(res.status).toBe(422);
    expect(res.body.detail).toHaveLength(1);
    expect(res.body.detail[0]).toMatchObject({ type, loc: ['body', field] });
    expect(await checkoutsOfUser(user.id)).toEqual([]);
  });

  it('names the pattern a phone number missed as Pydantic does, without regex slashes', async () => {
    const user = await seedUser();
    const mug = await seedProduct();
    const cartId = await seedCart(user.id, [[mug, 1]]);
    const res = await checkout(user, { cart_id: cartId, amount: mug.price, phone_no: '12345' });
    const pattern = String.raw`^\+?[\s().-]*(?:\d[\s().-]*){6,20}$`;
    expect(res.body.detail[0]).toMatchObject({ msg: `String should match pattern '${pattern}'`, ctx: { pattern } });
  });
});
