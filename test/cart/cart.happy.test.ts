import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { cartLocks, products } from '../../src/db/schema';
import { api, type ApiResponse, seedProduct, seedUser } from '../support';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const storedCart = (userId: string) => env.CARTS.get(`cart:${userId}`, 'json');
const setProduct = (id: number, fields: Partial<typeof products.$inferInsert>) =>
  getDb(env).update(products).set(fields).where(eq(products.id, id));

describe('GET /cart/show', () => {
  it('shows an empty cart to a user who has none, without storing one', async () => {
    const user = await seedUser();
    const res = await api('GET', '/cart/show', { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cart_id: null, items: [], total_quantity: 0, subtotal: 0, currency: 'INR', updated_at: null });
    expect(await storedCart(user.id)).toBeNull();
  });
});

describe('POST /cart/add', () => {
  it('adds a list of lines, gives the cart an id, and stores only ids and quantities', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ title: 'Blue Mug', price: 49900, quantity: 5 });
    const lamp = await seedProduct({ title: 'Brass Lamp', price: 150000, quantity: 2 });
    const res = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: mug.id, quantity: 2 }, { product_id: lamp.id, quantity: 1 }] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      cart_id: expect.any(Number),
      items: [
        { item_id: 1, product_id: mug.id, title: 'Blue Mug', unit_price: 49900, quantity: 2, line_total: 99800, available: true },
        { item_id: 2, product_id: lamp.id, title: 'Brass Lamp', unit_price: 150000, quantity: 1, line_total: 150000, available: true },
      ],
      total_quantity: 3,
      subtotal: 249800,
      currency: 'INR',
      updated_at: expect.stringMatching(ISO),
    });
    expect(Object.keys(res.body)).toEqual(['cart_id', 'items', 'total_quantity', 'subtotal', 'currency', 'updated_at']);
    expect(Object.keys(res.body.items[0])).toEqual(['item_id', 'product_id', 'title', 'unit_price', 'quantity', 'line_total', 'available']);
    expect(Number.isSafeInteger(res.body.cart_id) && res.body.cart_id > 0).toBe(true);
    expect(await storedCart(user.id)).toEqual({
      cart_id: res.body.cart_id,
      next_item_id: 3,
      items: [
        { item_id: 1, product_id: mug.id, quantity: 2 },
        { item_id: 2, product_id: lamp.id, quantity: 1 },
      ],
      updated_at: res.body.updated_at,
    });
    expect((await api('GET', '/cart/show', { token: user.token })).body).toEqual(res.body);
  });

  it('accepts {"items": [...]} and lines given as numeric strings', async () => {
    const user = await seedUser();
    const product = await seedProduct({ price: 100 });
    const res = await api('POST', '/cart/add', { token: user.token, json: { items: [{ product_id: String(product.id), quantity: '3' }], cart_id: 5 } });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([expect.objectContaining({ product_id: product.id, quantity: 3, line_total: 300 })]);
  });

  it('merges duplicates within a request and with the line already in the cart, keeping cart_id and item_id', async () => {
    const user = await seedUser();
    const product = await seedProduct({ quantity: 20, price: 10 });
    const other = await seedProduct({ quantity: 20 });
    const first = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: product.id, quantity: 2 }, { product_id: product.id, quantity: 3 }] });
    expect(first.body.items).toEqual([expect.objectContaining({ item_id: 1, product_id: product.id, quantity: 5, line_total: 50 })]);
    const second = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: other.id, quantity: 1 }, { product_id: product.id, quantity: 4 }] });
    expect(second.body.cart_id).toBe(first.body.cart_id);
    expect(second.body.items.map((i: { item_id: number; quantity: number }) => [i.item_id, i.quantity])).toEqual([
      [1, 9],
      [2, 1],
    ]);
  });

  it('lets a line reach exactly the stock and 99 units', async () => {
    const user = await seedUser();
    const scarce = await seedProduct({ quantity: 3 });
    const plenty = await seedProduct({ quantity: 1000 });
    const res = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: scarce.id, quantity: 3 }, { product_id: plenty.id, quantity: 99 }] });
    expect(res.status).toBe(200);
    expect(res.body.total_quantity).toBe(102);
  });
});

describe('concurrent changes to one cart take turns', () => {
  /**
   * A change that waited too long for the others (LOCK_WAIT_MS, which a loaded machine can
   * reach) is a 429 with Retry-After and changes nothing; a client then tries again, as this does.
   */
  async function patiently(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
    for (;;) {
      const res = await send();
      if (res.status !== 429) return res;
      await new Promise((resolve) => setTimeout(resolve, Number(res.headers.get('retry-after')) * 1000));
    }
  }

  it('counts every one of a burst of adds, and a concurrent update and add both apply', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ quantity: 50 });
    const plate = await seedProduct({ quantity: 50 });
    const adds = await Promise.all(
      Array.from({ length: 5 }, () =>
        patiently(() => api('POST', '/cart/add', { token: user.token, json: [{ product_id: mug.id, quantity: 1 }] })),
      ),
    );
    expect(adds.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
    let cart = (await api('GET', '/cart/show', { token: user.token })).body;
    expect(cart.items).toMatchObject([{ product_id: mug.id, quantity: 5 }]);
    expect(new Set(adds.map((res) => res.body.cart_id))).toEqual(new Set([cart.cart_id]));

    const [update, add] = await Promise.all([
      patiently(() => api('PUT', `/cart/update/${cart.items[0].item_id}`, { token: user.token, json: { quantity: 9 } })),
      patiently(() => api('POST', '/cart/add', { token: user.token, json: [{ product_id: plate.id, quantity: 2 }] })),
    ]);
    expect([update.status, add.status]).toEqual([200, 200]);
    cart = (await api('GET', '/cart/show', { token: user.token })).body;
    expect(cart.items).toMatchObject([
      { product_id: mug.id, quantity: 9 },
      { product_id: plate.id, quantity: 2 },
    ]);
  });

  it('leaves no lease behind, also when a change is refused', async () => {
    const user = await seedUser();
    const mug = await seedProduct({ quantity: 1 });
    expect((await api('POST', '/cart/add', { token: user.token, json: [{ product_id: mug.id, quantity: 2 }] })).status).toBe(409);
    expect((await api('DELETE', '/cart/remove/1', { token: user.token })).status).toBe(404);
    expect((await api('POST', '/cart/add', { token: user.token, json: [{ product_id: mug.id, quantity: 1 }] })).status).toBe(200);
    expect(await getDb(env).select().from(cartLocks).where(eq(cartLocks.userId, user.id))).toEqual([]);
  });
});

describe('PUT /cart/update/{item_id} and DELETE /cart/remove/{item_id}', () => {
  it('sets a quantity, removes with 0, and removes with DELETE', async () => {
    const user = await seedUser();
    const a = await seedProduct({ price: 100, quantity: 10 });
    const b = await seedProduct({ price: 200, quantity: 10 });
    const c = await seedProduct({ price: 300, quantity: 10 });
    const added = await api('POST', '/cart/add', { token: user.token, json: [a, b, c].map((p) => ({ product_id: p.id, quantity: 1 })) });

    const updated = await api('PUT', '/cart/update/2', { token: user.token, json: { quantity: 7 } });
    expect(updated.status).toBe(200);
    expect(updated.body.items.map((i: { item_id: number; quantity: number }) => [i.item_id, i.quantity])).toEqual([[1, 1], [2, 7], [3, 1]]);
    expect(updated.body.subtotal).toBe(100 + 1400 + 300);

    const zero = await api('PUT', '/cart/update/1/', { token: user.token, json: { quantity: 0 } });
    expect(zero.body.items.map((i: { item_id: number }) => i.item_id)).toEqual([2, 3]);

    const removed = await api('DELETE', '/cart/remove/3', { token: user.token });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ ...removed.body, cart_id: added.body.cart_id, total_quantity: 7, subtotal: 1400 });
    expect(removed.body.items.map((i: { item_id: number }) => i.item_id)).toEqual([2]);

    // A re-added product gets a new item id; ids are never reused.
    const readded = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: a.id, quantity: 1 }] });
    expect(readded.body.items.map((i: { item_id: number; product_id: number }) => [i.item_id, i.product_id])).toEqual([[2, b.id], [4, a.id]]);
  });

  it('keeps the cart id when the cart is emptied', async () => {
    const user = await seedUser();
    const product = await seedProduct();
    const added = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: product.id, quantity: 1 }] });
    const emptied = await api('DELETE', '/cart/remove/1', { token: user.token });
    expect(emptied.body).toEqual({ cart_id: added.body.cart_id, items: [], total_quantity: 0, subtotal: 0, currency: 'INR', updated_at: expect.stringMatching(ISO) });
  });
});

describe('prices and availability are read from the catalog on every answer', () => {
  it('follows price changes, and marks deleted and hidden products unavailable', async () => {
    const user = await seedUser();
    const repriced = await seedProduct({ title: 'Repriced', price: 100 });
    const deleted = await seedProduct({ title: 'Deleted', price: 200 });
    const hidden = await seedProduct({ title: 'Hidden', price: 300 });
    const postponed = await seedProduct({ title: 'Postponed', price: 400 });
    await api('POST', '/cart/add', { token: user.token, json: [repriced, deleted, hidden, postponed].map((p) => ({ product_id: p.id, quantity: 2 })) });

    await setProduct(repriced.id, { price: 150 });
    await getDb(env).delete(products).where(eq(products.id, deleted.id));
    await setProduct(hidden.id, { isVisible: false });
    await setProduct(postponed.id, { releaseDate: '2999-01-01' });

    const res = await api('GET', '/cart/show', { token: user.token });
    expect(res.body.items).toEqual([
      { item_id: 1, product_id: repriced.id, title: 'Repriced', unit_price: 150, quantity: 2, line_total: 300, available: true },
      { item_id: 2, product_id: deleted.id, title: null, unit_price: 0, quantity: 2, line_total: 0, available: false },
      { item_id: 3, product_id: hidden.id, title: 'Hidden', unit_price: 300, quantity: 2, line_total: 0, available: false },
      { item_id: 4, product_id: postponed.id, title: 'Postponed', unit_price: 400, quantity: 2, line_total: 0, available: false },
    ]);
    expect(res.body.subtotal).toBe(300);
    expect(res.body.total_quantity).toBe(8);

    const summary = await api('GET', '/cart/summary', { token: user.token });
    expect(summary.body).toEqual({
      cart_id: res.body.cart_id,
      item_count: 4,
      total_quantity: 8,
      subtotal: 300,
      currency: 'INR',
      ready_for_checkout: false,
      issues: [
        { item_id: 2, product_id: deleted.id, code: 'PRODUCT_UNAVAILABLE', reason: `Sorry, product ${deleted.id} is no longer available` },
        { item_id: 3, product_id: hidden.id, code: 'PRODUCT_UNAVAILABLE', reason: "Sorry, 'Hidden' is no longer available" },
        { item_id: 4, product_id: postponed.id, code: 'PRODUCT_UNAVAILABLE', reason: "Sorry, 'Postponed' is no longer available" },
      ],
    });

    // Removing the unavailable lines makes the cart ready again.
    for (const itemId of [2, 3, 4]) expect((await api('DELETE', `/cart/remove/${itemId}`, { token: user.token })).status).toBe(200);
    expect((await api('GET', '/cart/summary', { token: user.token })).body).toMatchObject({ item_count: 1, ready_for_checkout: true, issues: [] });
  });
});

describe('GET /cart/summary', () => {
  it('is ready for checkout when every line can be bought, with or without the matching cart_id', async () => {
    const user = await seedUser();
    const product = await seedProduct({ price: 250, quantity: 4 });
    const added = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: product.id, quantity: 4 }] });
    const expected = { cart_id: added.body.cart_id, item_count: 1, total_quantity: 4, subtotal: 1000, currency: 'INR', ready_for_checkout: true, issues: [] };
    const plain = await api('GET', '/cart/summary', { token: user.token });
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual(expected);
    expect(Object.keys(plain.body)).toEqual(Object.keys(expected));
    expect((await api('GET', `/cart/summary?cart_id=${added.body.cart_id}`, { token: user.token })).body).toEqual(expected);
  });

  it('reports a line above the stock', async () => {
    const user = await seedUser();
    const product = await seedProduct({ title: 'Blue Mug', quantity: 5 });
    await api('POST', '/cart/add', { token: user.token, json: [{ product_id: product.id, quantity: 3 }] });
    await setProduct(product.id, { quantity: 2 });
    const summary = await api('GET', '/cart/summary', { token: user.token });
    expect(summary.body.ready_for_checkout).toBe(false);
    expect(summary.body.issues).toEqual([{ item_id: 1, product_id: product.id, code: 'INSUFFICIENT_STOCK', reason: "Only 2 left of 'Blue Mug'" }]);
  });

  it('is not ready for an empty cart', async () => {
    const user = await seedUser();
    const summary = await api('GET', '/cart/summary', { token: user.token });
    expect(summary.body).toEqual({ cart_id: null, item_count: 0, total_quantity: 0, subtotal: 0, currency: 'INR', ready_for_checkout: false, issues: [] });
  });
});

describe('OpenAPI', () => {
  it('documents every cart route, both body shapes of add, and the summary', async () => {
    const doc = (await api('GET', '/openapi.json')).body;
    expect(doc.paths['/cart/show'].get.security).toEqual([{ OAuth2PasswordBearer: [] }]);
    expect(Object.keys(doc.paths['/cart/add'].post.responses).sort()).toEqual(['200', '401', '404', '409', '413', '422', '429']);
    expect(doc.components.schemas.CartAddRequest.anyOf).toHaveLength(2);
    expect(Object.keys(doc.paths['/cart/update/{item_id}'].put.responses).sort()).toEqual(['200', '401', '404', '409', '413', '422', '429']);
    expect(Object.keys(doc.paths['/cart/remove/{item_id}'].delete.responses).sort()).toEqual(['200', '401', '404', '429']);
    expect(doc.components.schemas.CartSummary.required).toEqual(['cart_id', 'item_count', 'total_quantity', 'subtotal', 'currency', 'ready_for_checkout', 'issues']);
    expect(doc.components.schemas.CartItem.required).toEqual(['item_id', 'product_id', 'title', 'unit_price', 'quantity', 'line_total', 'available']);
  });
});
