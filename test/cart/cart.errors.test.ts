import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { products } from '../../src/db/schema';
import { api, daysFromToday, seedProduct, seedUser } from '../support';

const storedCart = (userId: string) => env.CARTS.get(`cart:${userId}`, 'text');

/** A user whose cart holds 1 unit of a product with 5 in stock (item 1). */
async function userWithCart() {
  const user = await seedUser();
  const product = await seedProduct({ title: 'Blue Mug', quantity: 5 });
  const res = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: product.id, quantity: 1 }] });
  expect(res.status).toBe(200);
  return { user, product, before: await storedCart(user.id) };
}

describe('POST /cart/add: business errors leave the cart unchanged', () => {
  it('404 PRODUCT_NOT_FOUND for an unknown product, even next to valid lines', async () => {
    const { user, product, before } = await userWithCart();
    const res = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: product.id, quantity: 1 }, { product_id: 987654321, quantity: 1 }] });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: { code: 'PRODUCT_NOT_FOUND', reason: 'Product 987654321 not found', product_id: 987654321 } });
    expect(await storedCart(user.id)).toBe(before);
  });

  it('404 PRODUCT_NOT_FOUND for a hidden or unreleased product', async () => {
    const { user, before } = await userWithCart();
    const hidden = await seedProduct({ isVisible: false });
    const future = await seedProduct({ releaseDate: daysFromToday(1) });
    for (const product of [hidden, future]) {
      const res = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: product.id, quantity: 1 }] });
      expect(res.status).toBe(404);
      expect(res.body.detail).toMatchObject({ code: 'PRODUCT_NOT_FOUND', product_id: product.id });
    }
    expect(await storedCart(user.id)).toBe(before);
  });

  it('does not create a cart when the first add fails', async () => {
    const user = await seedUser();
    const res = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: 987654321, quantity: 1 }] });
    expect(res.status).toBe(404);
    expect(await storedCart(user.id)).toBeNull();
  });

  it('409 INSUFFICIENT_STOCK when the resulting line is above the stock', async () => {
    const { user, product, before } = await userWithCart();
    const other = await seedProduct({ quantity: 50 });
    const res = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: other.id, quantity: 1 }, { product_id: product.id, quantity: 3 }, { product_id: product.id, quantity: 2 }] });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: { code: 'INSUFFICIENT_STOCK', reason: "Only 5 left of 'Blue Mug'", product_id: product.id, requested: 6, available: 5 } });
    expect(Object.keys(res.body.detail).slice(0, 2)).toEqual(['code', 'reason']);
    expect(await storedCart(user.id)).toBe(before);
  });

  it('409 INSUFFICIENT_STOCK for a sold-out product', async () => {
    const user = await seedUser();
    const soldOut = await seedProduct({ title: 'Sold Out', quantity: 0 });
    const res = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: soldOut.id, quantity: 1 }] });
    expect(res.status).toBe(409);
    expect(res.body.detail).toEqual({ code: 'INSUFFICIENT_STOCK', reason: "Only 0 left of 'Sold Out'", product_id: soldOut.id, requested: 1, available: 0 });
  });

  it('409 CART_FULL when the cart would hold more than 50 different products, and changes nothing', async () => {
    const user = await seedUser();
    const products = await Promise.all(Array.from({ length: 51 }, () => seedProduct()));
    const first = await api('POST', '/cart/add', { token: user.token, json: products.slice(0, 50).map((p) => ({ product_id: p.id, quantity: 1 })) });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(50);
    const before = await storedCart(user.id);

    const more = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: products[50]!.id, quantity: 1 }] });
    expect(more.status).toBe(409);
    expect(more.body).toEqual({ detail: { code: 'CART_FULL', reason: 'A cart holds at most 50 different products', requested: 51, max_items: 50 } });
    expect(await storedCart(user.id)).toBe(before);

    // More units of a product already in the cart still fit.
    const again = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: products[0]!.id, quantity: 1 }] });
    expect(again.status).toBe(200);
  });

  it('409 MAX_QUANTITY_EXCEEDED when a line would pass 99 units, within a request or with the cart', async () => {
    const user = await seedUser();
    const product = await seedProduct({ quantity: 1000 });
    const merged = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: product.id, quantity: 60 }, { product_id: product.id, quantity: 40 }] });
    expect(merged.status).toBe(409);
    expect(merged.body).toEqual({ detail: { code: 'MAX_QUANTITY_EXCEEDED', reason: 'At most 99 units of one product fit in a cart', product_id: product.id, requested: 100, max_quantity: 99 } });

    expect((await api('POST', '/cart/add', { token: user.token, json: [{ product_id: product.id, quantity: 90 }] })).status).toBe(200);
    const before = await storedCart(user.id);
    const more = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: product.id, quantity: 10 }] });
    expect(more.status).toBe(409);
    expect(more.body.detail).toMatchObject({ code: 'MAX_QUANTITY_EXCEEDED', requested: 100 });
    expect(await storedCart(user.id)).toBe(before);
  });
});

describe('POST /cart/add: invalid bodies are 422', () => {
  const line = { product_id: 1, quantity: 1 };
  const cases: [string, unknown, object[]][] = [
    ['an empty list', [], [{ type: 'too_short', loc: ['body'], msg: 'List should have at least 1 item after validation, not 0', ctx: { field_type: 'List', min_length: 1, actual_length: 0 } }]],
    ['51 lines', Array.from({ length: 51 }, () => line), [{ type: 'too_long', loc: ['body'], msg: 'List should have at most 50 items after validation, not 51' }]],
    ['quantity 0', [{ product_id: 1, quantity: 0 }], [{ type: 'greater_than_equal', loc: ['body', 0, 'quantity'], msg: 'Input should be greater than or equal to 1', input: 0, ctx: { ge: 1 } }]],
    ['quantity 100', [line, { product_id: 1, quantity: 100 }], [{ type: 'less_than_equal', loc: ['body', 1, 'quantity'], input: 100, ctx: { le: 99 } }]],
    ['a quantity beyond any integer (one item, not two)', [{ product_id: 1, quantity: 1e20 }], [{ type: 'less_than_equal', loc: ['body', 0, 'quantity'], input: 1e20, ctx: { le: 99 } }]],
    ['a product_id beyond any integer', [{ product_id: 1e20, quantity: 1 }], [{ type: 'less_than_equal', loc: ['body', 0, 'product_id'], input: 1e20 }]],
    ['a fractional quantity', [{ product_id: 1, quantity: 1.5 }], [{ type: 'int_from_float', loc: ['body', 0, 'quantity'], input: 1.5 }]],
    ['a missing product_id', [{ quantity: 1 }], [{ type: 'missing', loc: ['body', 0, 'product_id'], msg: 'Field required', input: { quantity: 1 } }]],
    ['a product_id in words', [{ product_id: 'mug', quantity: 1 }], [{ type: 'int_parsing', loc: ['body', 0, 'product_id'], input: 'mug' }]],
    ['product_id 0', [{ product_id: 0, quantity: 1 }], [{ type: 'greater_than_equal', loc: ['body', 0, 'product_id'] }]],
    ['a line that is not an object', ['mug'], [{ type: 'model_attributes_type', loc: ['body', 0], input: 'mug' }]],
    ['a string body', 'mug', [{ type: 'list_type', loc: ['body'], msg: 'Input should be a valid list', input: 'mug' }]],
    ['an object without items', { product_id: 1, quantity: 1 }, [{ type: 'missing', loc: ['body', 'items'], msg: 'Field required' }]],
    ['an empty items list', { items: [] }, [{ type: 'too_short', loc: ['body', 'items'] }]],
    ['a bad line inside items', { items: [{ product_id: 1, quantity: -1 }] }, [{ type: 'greater_than_equal', loc: ['body', 'items', 0, 'quantity'], input: -1 }]],
    ['items that is not a list', { items: 'mug' }, [{ type: 'list_type', loc: ['body', 'items'], input: 'mug' }]],
  ];
  for (const [name, body, issues] of cases) {
    it(name, async () => {
      const { user, before } = await userWithCart();
      const res = await api('POST', '/cart/add', { token: user.token, json: body });
      expect(res.status).toBe(422);
      expect(res.body.detail).toHaveLength(issues.length);
      for (const [i, issue] of issues.entries()) expect(res.body.detail[i]).toMatchObject(issue);
      expect(await storedCart(user.id)).toBe(before);
    });
  }

  it('a missing body', async () => {
    const user = await seedUser();
    const res = await api('POST', '/cart/add', { token: user.token });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] });
  });
});

describe('PUT /cart/update/{item_id}', () => {
  it('404 CART_ITEM_NOT_FOUND for an item not in the cart, before looking at the body', async () => {
    const { user, before } = await userWithCart();
    for (const body of [{ quantity: 2 }, { quantity: -1 }, null]) {
      const res = await api('PUT', '/cart/update/42', { token: user.token, json: body });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: { code: 'CART_ITEM_NOT_FOUND', reason: 'There is no item 42 in your cart', item_id: 42 } });
    }
    expect(await storedCart(user.id)).toBe(before);
  });

  it('404 CART_ITEM_NOT_FOUND for a user without a cart', async () => {
    const user = await seedUser();
    const res = await api('PUT', '/cart/update/1', { token: user.token, json: { quantity: 1 } });
    expect(res.status).toBe(404);
    expect(res.body.detail.code).toBe('CART_ITEM_NOT_FOUND');
  });

  it('plain 404 for a malformed item id', async () => {
    const { user } = await userWithCart();
    for (const id of ['abc', '0', '-1', '1.0', '99999999999999999999']) {
      const res = await api('PUT', `/cart/update/${id}`, { token: user.token, json: { quantity: 1 } });
      expect(res.status, id).toBe(404);
      expect(res.body).toEqual({ detail: 'Not Found' });
    }
  });

  it('422 for a quantity out of 0–99, of the wrong type, or missing', async () => {
    const { user, before } = await userWithCart();
    const cases: [unknown, object][] = [
      [{ quantity: -1 }, { type: 'greater_than_equal', loc: ['body', 'quantity'], ctx: { ge: 0 } }],
      [{ quantity: 100 }, { type: 'less_than_equal', loc: ['body', 'quantity'], ctx: { le: 99 } }],
      [{ quantity: 'two' }, { type: 'int_parsing', loc: ['body', 'quantity'] }],
      [{ quantity: null }, { type: 'int_type', loc: ['body', 'quantity'], input: null }],
      [{}, { type: 'missing', loc: ['body', 'quantity'] }],
      [[1], { type: 'model_attributes_type', loc: ['body'] }],
    ];
    for (const [body, issue] of cases) {
      const res = await api('PUT', '/cart/update/1', { token: user.token, json: body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.detail).toEqual([expect.objectContaining(issue)]);
    }
    expect(await storedCart(user.id)).toBe(before);
  });

  it('409 INSUFFICIENT_STOCK above the stock', async () => {
    const { user, product, before } = await userWithCart();
    const res = await api('PUT', '/cart/update/1', { token: user.token, json: { quantity: 6 } });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: { code: 'INSUFFICIENT_STOCK', reason: "Only 5 left of 'Blue Mug'", product_id: product.id, requested: 6, available: 5 } });
    expect(await storedCart(user.id)).toBe(before);
  });

  it('409 PRODUCT_UNAVAILABLE for a line whose product is gone, which can still be set to 0', async () => {
    const { user, product } = await userWithCart();
    await getDb(env).update(products).set({ isVisible: false }).where(eq(products.id, product.id));
    const res = await api('PUT', '/cart/update/1', { token: user.token, json: { quantity: 2 } });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: { code: 'PRODUCT_UNAVAILABLE', reason: "Sorry, 'Blue Mug' is no longer available", product_id: product.id } });
    const removed = await api('PUT', '/cart/update/1', { token: user.token, json: { quantity: 0 } });
    expect(removed.status).toBe(200);
    expect(removed.body.items).toEqual([]);
  });
});

describe('DELETE /cart/remove/{item_id}', () => {
  it('404 CART_ITEM_NOT_FOUND for an unknown item, plain 404 for a malformed one', async () => {
    const { user, before } = await userWithCart();
    const unknown = await api('DELETE', '/cart/remove/7', { token: user.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: { code: 'CART_ITEM_NOT_FOUND', reason: 'There is no item 7 in your cart', item_id: 7 } });
    const malformed = await api('DELETE', '/cart/remove/seven', { token: user.token });
    expect(malformed.status).toBe(404);
    expect(malformed.body).toEqual({ detail: 'Not Found' });
    expect(await storedCart(user.id)).toBe(before);
  });

  it('404 the second time the same item is removed', async () => {
    const { user } = await userWithCart();
    expect((await api('DELETE', '/cart/remove/1', { token: user.token })).status).toBe(200);
    expect((await api('DELETE', '/cart/remove/1', { token: user.token })).status).toBe(404);
  });
});

describe('GET /cart/summary', () => {
  it('404 CART_NOT_FOUND for a cart_id that is not the current cart', async () => {
    const { user } = await userWithCart();
    const res = await api('GET', '/cart/summary?cart_id=12345', { token: user.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: { code: 'CART_NOT_FOUND', reason: 'This is not your current cart', cart_id: 12345 } });
  });

  it('404 CART_NOT_FOUND for any cart_id when the user has no cart', async () => {
    const user = await seedUser();
    const res = await api('GET', '/cart/summary?cart_id=1', { token: user.token });
    expect(res.status).toBe(404);
    expect(res.body.detail.code).toBe('CART_NOT_FOUND');
  });

  it('422 for a cart_id that is not an integer', async () => {
    const user = await seedUser();
    const res = await api('GET', '/cart/summary?cart_id=abc', { token: user.token });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([expect.objectContaining({ type: 'int_parsing', loc: ['query', 'cart_id'], input: 'abc' })]);
  });
});
