import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { orderItems, orders } from '../../src/db/schema';
import { today } from '../../src/lib/time';
import { api, daysFromToday, productJson, seedProduct, seedSuperuser, seedUser, storedProduct, uniqueTag } from '../support';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('POST /products/add', () => {
  it('creates a product with every field and answers 201 with Location', async () => {
    const admin = await seedSuperuser();
    const title = `Blue Mug ${uniqueTag()}`;
    const res = await api('POST', '/products/add', {
      token: admin.token,
      json: { title: `  ${title}  `, description: ' Stoneware, 350 ml. ', price: 49900, release_date: '2026-01-15', quantity: 7, is_visible: true, id: 999, currency: 'USD' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      title,
      description: ' Stoneware, 350 ml. ',
      price: 49900,
      currency: 'INR',
      release_date: '2026-01-15',
      quantity: 7,
      is_visible: true,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    expect(Object.keys(res.body)).toEqual(['id', 'title', 'description', 'price', 'currency', 'release_date', 'quantity', 'is_visible', 'created_at', 'updated_at']);
    expect(res.headers.get('location')).toBe(`/products/${res.body.id}`);
    expect(res.body.id).not.toBe(999);
    const row = await storedProduct(res.body.id);
    expect(row).toMatchObject({ title, price: 49900, releaseDate: '2026-01-15', quantity: 7, isVisible: true });
  });

  it('applies the defaults: empty description, today, no stock, hidden', async () => {
    const admin = await seedSuperuser();
    const res = await api('POST', '/products/add', { token: admin.token, json: { title: `Lamp ${uniqueTag()}`, price: 0 } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ description: '', price: 0, release_date: today(), quantity: 0, is_visible: false });
  });

  it('accepts Pydantic-style lax input: numeric strings, 0/1 booleans, a title of 200 emoji', async () => {
    const admin = await seedSuperuser();
    const title = '🍵'.repeat(200);
    const res = await api('POST', '/products/add', { token: admin.token, json: { title, price: '1500', quantity: '3', is_visible: 1, release_date: '2024-02-29' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ title, price: 1500, quantity: 3, is_visible: true, release_date: '2024-02-29' });
  });
});

describe('GET /products/{product_id}', () => {
  it('shows a product on sale to anyone, cacheable for anonymous callers', async () => {
    const product = await seedProduct({ releaseDate: today() });
    const res = await api('GET', `/products/${product.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(productJson(product));
    expect(res.headers.get('cache-control')).toBe('public, max-age=30');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(res.headers.get('vary')).toContain('Authorization');
  });

  it('is private for a signed-in caller', async () => {
    const user = await seedUser();
    const product = await seedProduct();
    const res = await api('GET', `/products/${product.id}`, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
  });

  it('shows hidden and unreleased products to a superuser only', async () => {
    const admin = await seedSuperuser();
    const hidden = await seedProduct({ isVisible: false });
    const future = await seedProduct({ releaseDate: daysFromToday(3) });
    for (const product of [hidden, future]) {
      const res = await api('GET', `/products/${product.id}`, { token: admin.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(productJson(product));
      expect(res.headers.get('cache-control')).toBe('private, no-store');
    }
  });

  it('answers 304 to a matching If-None-Match, with the same ETag and no body', async () => {
    const product = await seedProduct();
    const first = await api('GET', `/products/${product.id}`);
    const etag = first.headers.get('etag')!;
    const again = await api('GET', `/products/${product.id}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('public, max-age=30');
  });

  it('accepts a trailing slash', async () => {
    const product = await seedProduct();
    const res = await api('GET', `/products/${product.id}/`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(product.id);
  });
});

describe('GET /products', () => {
  it('shows anonymous callers and users only products on sale, a superuser everything', async () => {
    const tag = uniqueTag();
    const onSale = await seedProduct({ title: `${tag} on sale`, releaseDate: today() });
    const hidden = await seedProduct({ title: `${tag} hidden`, isVisible: false });
    const future = await seedProduct({ title: `${tag} future`, releaseDate: daysFromToday(1) });
    const user = await seedUser();
    const admin = await seedSuperuser();

    const anonymous = await api('GET', `/products?q=${tag}`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual([productJson(onSale)]);
    expect(anonymous.headers.get('x-total-count')).toBe('1');
    expect(anonymous.headers.get('cache-control')).toBe('public, max-age=30');

    const signedIn = await api('GET', `/products?q=${tag}`, { token: user.token });
    expect(signedIn.body).toEqual([productJson(onSale)]);
    expect(signedIn.headers.get('cache-control')).toBe('private, no-store');

    const superuser = await api('GET', `/products?q=${tag}`, { token: admin.token });
    expect(superuser.body).toEqual([onSale, hidden, future].map(productJson));
    expect(superuser.headers.get('x-total-count')).toBe('3');
    expect(superuser.headers.get('cache-control')).toBe('private, no-store');
  });

  it('pages with limit and offset, X-Total-Count and absolute Link URLs that keep the other parameters', async () => {
    const tag = uniqueTag();
    const seeded = [];
    for (let i = 0; i < 5; i++) seeded.push(await seedProduct({ title: `${tag} item ${i}`, price: 100 + i }));
    const base = `http://localhost/products?q=${tag}&sort=price`;

    const first = await api('GET', `/products?q=${tag}&sort=price&limit=2`);
    expect(first.body.map((p: { id: number }) => p.id)).toEqual([seeded[0]!.id, seeded[1]!.id]);
    expect(first.headers.get('x-total-count')).toBe('5');
    expect(first.headers.get('link')).toBe(`<${base}&limit=2&offset=2>; rel="next"`);

    const middle = await api('GET', `/products?q=${tag}&sort=price&limit=2&offset=2`);
    expect(middle.body.map((p: { id: number }) => p.id)).toEqual([seeded[2]!.id, seeded[3]!.id]);
    expect(middle.headers.get('link')).toBe(`<${base}&limit=2&offset=4>; rel="next", <${base}&limit=2&offset=0>; rel="prev"`);

    const last = await api('GET', `/products?q=${tag}&sort=price&limit=2&offset=4`);
    expect(last.body.map((p: { id: number }) => p.id)).toEqual([seeded[4]!.id]);
    expect(last.headers.get('link')).toBe(`<${base}&limit=2&offset=2>; rel="prev"`);

    const beyond = await api('GET', `/products?q=${tag}&limit=2&offset=50`);
    expect(beyond.status).toBe(200);
    expect(beyond.body).toEqual([]);
    expect(beyond.headers.get('x-total-count')).toBe('5');
    expect(beyond.headers.get('link')).toBe(`<http://localhost/products?q=${tag}&limit=2&offset=3>; rel="prev"`);

    const all = await api('GET', `/products?q=${tag}`);
    expect(all.body).toHaveLength(5);
    expect(all.headers.get('link')).toBeNull();
  });

  it('defaults to 20 per page, ordered by id', async () => {
    const tag = uniqueTag();
    const ids = [];
    for (let i = 0; i < 21; i++) ids.push((await seedProduct({ title: `${tag} ${i}` })).id);
    const res = await api('GET', `/products?q=${tag}`);
    expect(res.body.map((p: { id: number }) => p.id)).toEqual(ids.slice(0, 20));
    expect(res.headers.get('x-total-count')).toBe('21');
    expect(res.headers.get('link')).toBe(`<http://localhost/products?q=${tag}&limit=20&offset=20>; rel="next"`);
  });

  it('sorts by every whitelisted key, ties broken by id in the same direction', async () => {
    const tag = uniqueTag();
    const a = await seedProduct({ title: `${tag} B`, price: 300, releaseDate: '2025-03-01' });
    const b = await seedProduct({ title: `${tag} A`, price: 100, releaseDate: '2025-01-01' });
    const c = await seedProduct({ title: `${tag} C`, price: 100, releaseDate: '2025-02-01' });
    const expected: Record<string, number[]> = {
      id: [a.id, b.id, c.id],
      '-id': [c.id, b.id, a.id],
      price: [b.id, c.id, a.id],
      '-price': [a.id, c.id, b.id],
      title: [b.id, a.id, c.id],
      '-title': [c.id, a.id, b.id],
      release_date: [b.id, c.id, a.id],
      '-release_date': [a.id, c.id, b.id],
    };
    for (const [sort, ids] of Object.entries(expected)) {
      const res = await api('GET', `/products?q=${tag}&sort=${encodeURIComponent(sort)}`);
      expect(res.status, sort).toBe(200);
      expect(res.body.map((p: { id: number }) => p.id), sort).toEqual(ids);
    }
  });

  it('filters by price range and stock', async () => {
    const tag = uniqueTag();
    const cheap = await seedProduct({ title: `${tag} cheap`, price: 500, quantity: 0 });
    const mid = await seedProduct({ title: `${tag} mid`, price: 1500, quantity: 4 });
    const dear = await seedProduct({ title: `${tag} dear`, price: 9000, quantity: 1 });
    const ids = async (query: string) => (await api('GET', `/products?q=${tag}&${query}`)).body.map((p: { id: number }) => p.id);
    expect(await ids('min_price=1500')).toEqual([mid.id, dear.id]);
    expect(await ids('max_price=1500')).toEqual([cheap.id, mid.id]);
    expect(await ids('min_price=600&max_price=8999')).toEqual([mid.id]);
    expect(await ids('min_price=9000&max_price=500')).toEqual([]);
    expect(await ids('in_stock=true')).toEqual([mid.id, dear.id]);
    expect(await ids('in_stock=false')).toEqual([cheap.id]);
    expect(await ids('in_stock=1&max_price=2000')).toEqual([mid.id]);
  });

  it('searches title and description case-insensitively, trimming q', async () => {
    const tag = uniqueTag();
    const inTitle = await seedProduct({ title: `Linen Scarf ${tag}` });
    const inDescription = await seedProduct({ title: `Wool shawl ${tag}x`, description: `soft LINEN blend ${tag}` });
    await seedProduct({ title: `Oak Chair ${tag}` });
    const res = await api('GET', `/products?q=${encodeURIComponent(`  lInEn scarf ${tag}  `)}`);
    expect(res.body.map((p: { id: number }) => p.id)).toEqual([inTitle.id]);
    const byDescription = await api('GET', `/products?q=${encodeURIComponent(`linen blend ${tag}`)}`);
    expect(byDescription.body.map((p: { id: number }) => p.id)).toEqual([inDescription.id]);
  });

  it('treats % and _ in q literally', async () => {
    const tag = uniqueTag();
    const percent = await seedProduct({ title: `${tag} 50% off` });
    await seedProduct({ title: `${tag} 50x off` });
    const underscore = await seedProduct({ title: `${tag} snake_case` });
    await seedProduct({ title: `${tag} snakeXcase` });
    const backslash = await seedProduct({ title: `${tag} back\\slash` });
    const find = async (q: string) => (await api('GET', `/products?q=${encodeURIComponent(q)}`)).body.map((p: { id: number }) => p.id);
    expect(await find(`${tag} 50%`)).toEqual([percent.id]);
    expect(await find(`${tag} snake_case`)).toEqual([underscore.id]);
    expect(await find(`${tag} back\\s`)).toEqual([backslash.id]);
    expect(await find(`${tag}%`)).toEqual([]);
  });

  it('answers 304 to If-None-Match (strong, weak or in a list) and 200 with a new ETag once the data changed', async () => {
    const tag = uniqueTag();
    const product = await seedProduct({ title: `${tag} etag` });
    const path = `/products?q=${tag}`;
    const first = await api('GET', path);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);

    for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const res = await api('GET', path, { headers: { 'if-none-match': header } });
      expect(res.status, header).toBe(304);
      expect(res.text).toBe('');
      expect(res.headers.get('etag')).toBe(etag);
      expect(res.headers.get('cache-control')).toBe('public, max-age=30');
      expect(res.headers.get('x-total-count')).toBe('1');
    }
    expect((await api('GET', path, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);

    const admin = await seedSuperuser();
    expect((await api('PATCH', `/products/${product.id}`, { token: admin.token, json: { price: product.price + 1 } })).status).toBe(200);
    const changed = await api('GET', path, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('gives a different ETag when only the total changed (a new product beyond the page)', async () => {
    const tag = uniqueTag();
    await seedProduct({ title: `${tag} one` });
    const before = await api('GET', `/products?q=${tag}&limit=1`);
    const admin = await seedSuperuser();
    expect((await api('POST', '/products/add', { token: admin.token, json: { title: `${tag} two`, price: 1, is_visible: true } })).status).toBe(201);
    const after = await api('GET', `/products?q=${tag}&limit=1`);
    expect(after.body).toEqual(before.body);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const tag = uniqueTag();
    await seedProduct({ title: `${tag} head` });
    const get = await api('GET', `/products?q=${tag}`);
    const head = await api('HEAD', `/products?q=${tag}`);
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
    expect(head.headers.get('x-total-count')).toBe('1');
  });

  it('accepts a trailing slash', async () => {
    const tag = uniqueTag();
    const product = await seedProduct({ title: `${tag} slash` });
    const res = await api('GET', `/products/?q=${tag}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([productJson(product)]);
  });
});

describe('PATCH /products/{product_id}', () => {
  it('changes only the given fields and moves updated_at', async () => {
    const admin = await seedSuperuser();
    const product = await seedProduct({ createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z' });
    const res = await api('PATCH', `/products/${product.id}`, { token: admin.token, json: { price: 12345, title: '  Renamed  ', is_visible: false, created_at: '1999-01-01T00:00:00Z' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...productJson(product),
      title: 'Renamed',
      price: 12345,
      is_visible: false,
      updated_at: expect.stringMatching(ISO),
    });
    expect(res.body.updated_at > '2025-01-01T00:00:00Z').toBe(true);
    expect(res.body.created_at).toBe('2025-01-01T00:00:00Z');
    expect(await storedProduct(product.id)).toMatchObject({ title: 'Renamed', price: 12345, isVisible: false, description: product.description });
  });

  it('sets every field, including description, release_date and quantity', async () => {
    const admin = await seedSuperuser();
    const product = await seedProduct();
    const res = await api('PATCH', `/products/${product.id}/`, { token: admin.token, json: { description: '', release_date: '2030-12-31', quantity: 0 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ description: '', release_date: '2030-12-31', quantity: 0 });
  });

  it('changes nothing for an empty object', async () => {
    const admin = await seedSuperuser();
    const product = await seedProduct({ updatedAt: '2025-01-01T00:00:00Z' });
    const res = await api('PATCH', `/products/${product.id}`, { token: admin.token, json: {} });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(productJson(product));
  });
});

describe('DELETE /products/{product_id}', () => {
  it('deletes the product (204, empty body) and leaves order lines alone', async () => {
    const admin = await seedSuperuser();
    const product = await seedProduct();
    const db = getDb(env);
    const [order] = await db
      .insert(orders)
      .values({ userId: admin.id, checkoutId: -product.id, amount: 100, currency: 'INR', email: admin.email, name: 'A', phoneNo: '123456', address: 'X', postalCode: '1' })
      .returning();
    await db.insert(orderItems).values({ orderId: order!.id, productId: product.id, title: product.title, unitPrice: 100, quantity: 1, lineTotal: 100 });

    const res = await api('DELETE', `/products/${product.id}`, { token: admin.token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await storedProduct(product.id)).toBeUndefined();
    expect((await api('GET', `/products/${product.id}`, { token: admin.token })).status).toBe(404);
    const lines = await db.select().from(orderItems).where(eq(orderItems.orderId, order!.id));
    expect(lines).toEqual([expect.objectContaining({ productId: product.id, title: product.title, unitPrice: 100 })]);
  });
});

describe('OpenAPI', () => {
  it('documents every catalog route with its responses', async () => {
    const doc = (await api('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths['/products/{product_id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(doc.paths['/products'].get.responses).sort()).toEqual(['200', '304', '422']);
    expect(doc.paths['/products'].get.responses['200'].headers).toHaveProperty('X-Total-Count');
    expect(Object.keys(doc.paths['/products/add'].post.responses).sort()).toEqual(['201', '401', '403', '413', '422']);
    expect(Object.keys(doc.paths['/products/{product_id}'].patch.responses).sort()).toEqual(['200', '401', '403', '404', '413', '422']);
    expect(doc.components.schemas.Product.required).toEqual(['id', 'title', 'description', 'price', 'currency', 'release_date', 'quantity', 'is_visible', 'created_at', 'updated_at']);
  });
});
