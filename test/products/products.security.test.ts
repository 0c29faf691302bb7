import { env } from 'cloudflare:workers';
import { like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { products, } from '../../src/db/schema';
import { api, deactivate, productJson, seedProduct, seedSuperuser, seedUser, storedProduct, uniqueTag } from '../support';

const BAD_TOKENS = ['not-a-jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'];

describe('catalog writes need a superuser', () => {
  const writes = (productId: number, title: string): [string, string, unknown][] => [
    ['POST', '/products/add', { title, price: 100 }],
    ['PATCH', `/products/${productId}`, { title }],
    ['DELETE', `/products/${productId}`, undefined],
  ];

  // 401 and 403 on every write: test/security/protected-routes.test.ts.
  it('changes nothing for a write without a valid token, by a normal user or by a deactivated superuser', async () => {
    const user = await seedUser();
    const inactiveAdmin = await seedSuperuser({ isActive: false });
    const product = await seedProduct();
    const title = `Intruder ${uniqueTag()}`;
    for (const [method, path, json] of writes(product.id, title)) {
      for (const [token, status] of [[undefined, 401], [BAD_TOKENS[1], 401], [user.token, 403], [inactiveAdmin.token, 401]] as const) {
        expect((await api(method, path, { json, token })).status, `${method} ${path} ${token}`).toBe(status);
      }
    }
    expect(await storedProduct(product.id)).toEqual(product);
    expect(await getDb(env).select().from(products).where(like(products.title, `${title}%`))).toEqual([]);
  });

  it('checks authentication and authorisation before the body and the id', async () => {
    const user = await seedUser();
    expect((await api('POST', '/products/add', { json: { price: -1 } })).status).toBe(401);
    expect((await api('POST', '/products/add', { json: { price: -1 }, token: user.token })).status).toBe(403);
    expect((await api('PATCH', '/products/999999999', { json: { price: -1 } })).status).toBe(401);
    expect((await api('PATCH', '/products/abc', { json: { price: -1 }, token: user.token })).status).toBe(403);
    expect((await api('DELETE', '/products/999999999', { token: user.token })).status).toBe(403);
  });

  it('answers malformed JSON with 422 before authentication, as FastAPI does', async () => {
    const res = await api('POST', '/products/add', { raw: '{oops', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(422);
    expect(res.body.detail[0].type).toBe('json_invalid');
  });
});

describe('catalog reads with optional authentication', () => {
  it('treats a bad or expired token as no token: public products, cacheable', async () => {
    const tag = uniqueTag();
    const onSale = await seedProduct({ title: `${tag} visible` });
    await seedProduct({ title: `${tag} hidden`, isVisible: false });
    for (const token of BAD_TOKENS) {
      const res = await api('GET', `/products?q=${tag}`, { token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([productJson(onSale)]);
      expect(res.headers.get('cache-control')).toBe('public, max-age=30');
    }
  });

  it('does not let a deactivated superuser see hidden products', async () => {
    const admin = await seedSuperuser();
    await deactivate(admin.id);
    const hidden = await seedProduct({ isVisible: false });
    expect((await api('GET', `/products/${hidden.id}`, { token: admin.token })).status).toBe(404);
  });

  it('hides products that are not on sale from normal users, with a plain 404', async () => {
    const user = await seedUser();
    const hidden = await seedProduct({ isVisible: false });
    const future = await seedProduct({ releaseDate: '2999-01-01' });
    for (const product of [hidden, future]) {
      for (const token of [undefined, user.token]) {
        const res = await api('GET', `/products/${product.id}`, { token });
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ detail: 'Not Found' });
      }
    }
  });

  it('never serves a superuser answer as cacheable, and varies on Authorization', async () => {
    const admin = await seedSuperuser();
    const res = await api('GET', '/products?limit=1', { token: admin.token });
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('vary')).toContain('Authorization');
  });
});
