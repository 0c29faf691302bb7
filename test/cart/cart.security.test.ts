import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { users } from '../../src/db/schema';
import { api, seedProduct, seedUser } from '../support';

// 401 on every cart route without a valid token: test/security/protected-routes.test.ts.
describe('every cart route needs a signed-in user', () => {
  it('checks the token before the body and the path id', async () => {
    expect((await api('POST', '/cart/add', { json: [] })).status).toBe(401);
    expect((await api('PUT', '/cart/update/abc', { json: { quantity: -1 } })).status).toBe(401);
    expect((await api('DELETE', '/cart/remove/abc')).status).toBe(401);
    expect((await api('GET', '/cart/summary?cart_id=abc')).status).toBe(401);
  });

  it('a deleted user is 401', async () => {
    const user = await seedUser();
    await getDb(env).delete(users).where(eq(users.id, user.id));
    expect((await api('GET', '/cart/show', { token: user.token })).status).toBe(401);
  });
});

describe('carts are private', () => {
  it("one user never sees or changes another's cart", async () => {
    const alice = await seedUser();
    const bob = await seedUser();
    const product = await seedProduct({ quantity: 10 });
    const alicesCart = await api('POST', '/cart/add', { token: alice.token, json: [{ product_id: product.id, quantity: 2 }] });

    expect((await api('GET', '/cart/show', { token: bob.token })).body).toMatchObject({ cart_id: null, items: [] });
    const summary = await api('GET', `/cart/summary?cart_id=${alicesCart.body.cart_id}`, { token: bob.token });
    expect(summary.status).toBe(404);
    expect(summary.body.detail.code).toBe('CART_NOT_FOUND');
    expect((await api('PUT', '/cart/update/1', { token: bob.token, json: { quantity: 5 } })).status).toBe(404);
    expect((await api('DELETE', '/cart/remove/1', { token: bob.token })).status).toBe(404);

    expect((await api('GET', '/cart/show', { token: alice.token })).body).toEqual(alicesCart.body);
  });

  it('never lets a client set a price: unknown fields are ignored', async () => {
    const user = await seedUser();
    const product = await seedProduct({ price: 5000 });
    const res = await api('POST', '/cart/add', { token: user.token, json: [{ product_id: product.id, quantity: 1, unit_price: 1, price: 1, title: 'Free' }] });
    expect(res.status).toBe(200);
    expect(res.body.items[0]).toMatchObject({ title: product.title, unit_price: 5000, line_total: 5000 });
    expect(await env.CARTS.get(`cart:${user.id}`, 'json')).toMatchObject({ items: [{ item_id: 1, product_id: product.id, quantity: 1 }] });
  });
});
