import { env } from 'cloudflare:workers';
import { eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { products, users } from '../../src/db/schema';
import { api, seedSuperuser, seedUser } from '../helpers';
import { productJson, seedProduct, uniqueTag } from './fixtures';

const BAD_TOKENS = ['not-a-jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'];

describe('catalog writes need a superuser', () => {
  const writes = (productId: number, title: string): [string, string, unknown][] => [
    ['POST', '/products/add', { title, price: 100 }],
    ['PATCH', `/products/${productId}`, { title }],
    ['DELETE', `/products/${productId}`, undefined],
  ];

  it('401 without a token or with a bad one, and nothing changes', async () => {
    const product = await seedProduct();
    const title = `Intruder ${uniqueTag()}`;
    for (const [method, path, json] of writes(product.id, title)) {
      for (const token of [undefined, ...BAD_TOKENS]) {
        const res = await api(method, path, { json, token });
        expect(res.status, `${method} ${path} ${token}`).toBe(401);
        expect(res.body).toEqual({ detail: 'Unauthorized' });
        expect(res.headers.get('www-authenticate')).toBeNull();
      }
    }
    expect(await getDb(env).select().from(products).where(eq(products.id, product.id)).get()).toEqual(product);
    expect(await getDb(env).select().from(products).where(like(products.title, `${title}%`))).toEqual([]);
  });

  it('403 for a normal user, and nothing changes', async () => {
    const user = await seedUser();
    const product = await seedProduct();
    const title = `Customer ${uniqueTag()}`;
    for (const [method, path, json] of writes(product.id, title)) {
      const res = await api(method, path, { json, token: user.token });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toEqual({ detail: 'Forbidden' });
    }
    expect(await getDb(env).select().from(products).where(eq(products.id, product.id)).get()).toEqual(product);
  });

  it('401 for a deactivated superuser', async () => {
    const admin = await seedSuperuser();
    await getDb(env).update(users).set({ isActive: false }).where(eq(users.id, admin.id));
    const res = await api('POST', '/products/add', { token: admin.token, json: { title: 'x', price: 1 } });
    expect(res.status).toBe(401);
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
    await getDb(env).update(users).set({ isActive: false }).where(eq(users.id, admin.id));
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
