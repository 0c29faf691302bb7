import { describe, expect, it } from 'vitest';
import { apiWithLog, placeOrder, seedProduct, seedSuperuser, seedUser, storedProduct, uniqueTag } from '../support';

// The Workers cache (caches.default) of this file's Miniflare lives as long as the file's tests:
// each test asks for its own products (unique ids and `q` tags), so no test sees another's entries.

/** The headers a catalog answer carries about the catalog, which a hit must repeat exactly. */
const catalogHeaders = (headers: Headers) =>
  Object.fromEntries(['content-type', 'etag', 'cache-control', 'vary', 'x-total-count', 'link'].map((name) => [name, headers.get(name)]));

const NO_D1 = { calls: 0, primary_calls: 0, rows_read: 0, rows_written: 0 };

describe('the edge cache of anonymous catalog reads', () => {
  it('answers the second anonymous GET /products/{id} from the cache, without D1, with the same answer', async () => {
    const product = await seedProduct();
    const miss = await apiWithLog('GET', `/products/${product.id}`);
    expect(miss.status).toBe(200);
    expect(miss.log).toMatchObject({ cache: 'miss', d1: { calls: 1 } });

    const hit = await apiWithLog('GET', `/products/${product.id}`, { headers: { 'x-request-id': 'second-look' } });
    expect(hit.status).toBe(200);
    expect(hit.log).toMatchObject({ cache: 'hit', d1: NO_D1, request_id: 'second-look' });
    expect(hit.text).toBe(miss.text);
    expect(catalogHeaders(hit.headers)).toEqual(catalogHeaders(miss.headers));
    expect(hit.headers.get('x-request-id')).toBe('second-look');
    expect(hit.headers.get('age')).toMatch(/^\d+$/);
    // The hit reached no D1: it has no bookmark to give (API.md 7.1: only answers that touched D1 carry one).
    expect(miss.headers.get('x-d1-bookmark')).not.toBeNull();
    expect(hit.headers.get('x-d1-bookmark')).toBeNull();
  });

  it('answers a page of GET /products from the cache with the same X-Total-Count, Link and ETag', async () => {
    const tag = uniqueTag();
    for (let i = 0; i < 3; i++) await seedProduct({ title: `${tag} ${i}` });
    const miss = await apiWithLog('GET', `/products?q=${tag}&limit=2`);
    expect(miss.log).toMatchObject({ cache: 'miss' });
    expect(miss.log.d1.calls).toBeGreaterThan(0);
    expect(miss.headers.get('x-total-count')).toBe('3');
    expect(miss.headers.get('link')).toBe(`<http://localhost/products?q=${tag}&limit=2&offset=2>; rel="next"`);

    const hit = await apiWithLog('GET', `/products?q=${tag}&limit=2`);
    expect(hit.log).toMatchObject({ cache: 'hit', d1: NO_D1 });
    expect(hit.body).toEqual(miss.body);
    expect(catalogHeaders(hit.headers)).toEqual(catalogHeaders(miss.headers));
    expect(hit.headers.get('x-request-id')).not.toBe(miss.headers.get('x-request-id'));
  });

  it("gives a hit this request's CORS headers and answers HEAD from it without a body", async () => {
    const product = await seedProduct();
    await apiWithLog('GET', `/products/${product.id}`);
    const hit = await apiWithLog('GET', `/products/${product.id}`, { headers: { origin: 'https://shop.example.org' } });
    expect(hit.log.cache).toBe('hit');
    expect(hit.headers.get('access-control-allow-origin')).toBe('*');
    expect(hit.headers.get('access-control-expose-headers')).toContain('ETag');
    expect(hit.headers.get('x-content-type-options')).toBe('nosniff');
    const head = await apiWithLog('HEAD', `/products/${product.id}`);
    expect(head).toMatchObject({ status: 200, text: '', log: { cache: 'hit', d1: NO_D1 } });
    expect(head.headers.get('etag')).toBe(hit.headers.get('etag'));
  });

  it('answers 304 from the cache to a matching If-None-Match, without D1', async () => {
    const product = await seedProduct();
    const first = await apiWithLog('GET', `/products/${product.id}`);
    const etag = first.headers.get('etag')!;
    const again = await apiWithLog('GET', `/products/${product.id}`, { headers: { 'if-none-match': `W/${etag}, "other"` } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.log).toMatchObject({ cache: 'hit', d1: NO_D1 });
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('public, max-age=30');

    const stale = await apiWithLog('GET', `/products/${product.id}`, { headers: { 'if-none-match': '"other"' } });
    expect(stale.status).toBe(200);
    expect(stale.text).toBe(first.text);
  });

  it('answers 304 on a miss too, and then stores nothing until a full answer is asked for', async () => {
    const tag = uniqueTag();
    await seedProduct({ title: tag });
    const etag = (await apiWithLog('GET', `/products?q=${tag}&limit=3`)).headers.get('etag')!;
    // Another spelling of the page: one entry, already stored by the first request.
    const other = await apiWithLog('GET', `/products?q=${tag}&limit=3&sort=id`, { headers: { 'if-none-match': etag } });
    expect(other).toMatchObject({ status: 304, log: { cache: 'hit' } });

    const fresh = await seedProduct();
    const notModified = await apiWithLog('GET', `/products/${fresh.id}`, { headers: { 'if-none-match': '*' } });
    expect(notModified).toMatchObject({ status: 304, log: { cache: 'miss' } });
    expect((await apiWithLog('GET', `/products/${fresh.id}`)).log.cache).toBe('miss');
    expect((await apiWithLog('GET', `/products/${fresh.id}`)).log.cache).toBe('hit');
  });

  it('shares one entry between spellings of the same query, and keeps different queries apart', async () => {
    const tag = uniqueTag();
    await seedProduct({ title: `${tag} a`, price: 100 });
    await seedProduct({ title: `${tag} b`, price: 200, quantity: 0 });
    const first = await apiWithLog('GET', `/products?q=${tag}&in_stock=true&limit=5`);
    expect(first.log.cache).toBe('miss');
    for (const same of [
      `/products?limit=5&in_stock=1&q=${tag}`,
      `/products/?q=%20${tag}%20&in_stock=yes&limit=05&offset=0&sort=id`,
      `/products?q=${tag}&in_stock=true&limit=5&utm_source=mail`,
    ]) {
      const res = await apiWithLog('GET', same);
      expect(res.log.cache, same).toBe('hit');
      expect(res.text, same).toBe(first.text);
      expect(res.headers.get('etag'), same).toBe(first.headers.get('etag'));
    }
    for (const different of [`/products?q=${tag}&in_stock=false&limit=5`, `/products?q=${tag}&in_stock=true&limit=4`, `/products?q=${tag}&limit=5`]) {
      const res = await apiWithLog('GET', different);
      expect(res.log.cache, different).toBe('miss');
    }
    expect((await apiWithLog('GET', `/products?q=${tag}&in_stock=false&limit=5`)).body).toHaveLength(1);
  });

  it('never serves or stores an answer for a request with an Authorization header, valid or not', async () => {
    const product = await seedProduct();
    const user = await seedUser();
    for (const headers of [{ authorization: `Bearer ${user.token}` }, { authorization: 'Bearer not-a-token' }, { authorization: 'Basic eDp5' }]) {
      const res = await apiWithLog('GET', `/products/${product.id}`, { headers });
      expect(res.status).toBe(200);
      expect(res.log.cache).toBe('bypass');
      expect(res.log.d1.calls).toBeGreaterThan(0);
    }
    // Nothing was stored by them: the first anonymous request computes its answer.
    expect((await apiWithLog('GET', `/products/${product.id}`)).log.cache).toBe('miss');
    expect((await apiWithLog('GET', `/products/${product.id}`, { token: user.token })).log.cache).toBe('bypass');
  });

  it("never shows anonymous callers what a superuser saw: hidden products stay hidden", async () => {
    const admin = await seedSuperuser();
    const tag = uniqueTag();
    const onSale = await seedProduct({ title: `${tag} on sale` });
    const hidden = await seedProduct({ title: `${tag} hidden`, isVisible: false });

    const superuserPage = await apiWithLog('GET', `/products?q=${tag}`, { token: admin.token });
    expect(superuserPage.body.map((p: { id: number }) => p.id)).toEqual([onSale.id, hidden.id]);
    expect(superuserPage.log.cache).toBe('bypass');
    expect((await apiWithLog('GET', `/products/${hidden.id}`, { token: admin.token })).status).toBe(200);

    for (let i = 0; i < 2; i++) {
      const page = await apiWithLog('GET', `/products?q=${tag}`);
      expect(page.body.map((p: { id: number }) => p.id)).toEqual([onSale.id]);
      expect(page.headers.get('x-total-count')).toBe('1');
      const one = await apiWithLog('GET', `/products/${hidden.id}`);
      expect(one.status).toBe(404);
      // A 404 is never stored: each one is a miss.
      expect(one.log.cache).toBe('miss');
    }
  });

  it('answers from D1 a request that asks for a fresh answer (Cache-Control: no-cache), and stores nothing for it', async () => {
    const product = await seedProduct();
    for (const header of ['no-cache', 'max-age=0, No-Store']) {
      const res = await apiWithLog('GET', `/products/${product.id}`, { headers: { 'cache-control': header } });
      expect(res.status).toBe(200);
      expect(res.log.cache, header).toBe('bypass');
      expect(res.log.d1.calls).toBe(1);
    }
    expect((await apiWithLog('GET', `/products/${product.id}`, { headers: { 'cache-control': 'max-age=0' } })).log.cache).toBe('miss');
    expect((await apiWithLog('GET', `/products/${product.id}`)).log.cache).toBe('hit');
  });

  it('lets a 422 through without the cache', async () => {
    const res = await apiWithLog('GET', '/products?limit=0');
    expect(res.status).toBe(422);
    expect(res.log.cache).toBe('bypass');
  });

  it("shows a superuser's change to the next anonymous reader at once: PATCH, add, DELETE", async () => {
    const admin = await seedSuperuser();
    const tag = uniqueTag();
    const product = await seedProduct({ title: `${tag} old` });
    const page = `/products?q=${tag}`;
    await apiWithLog('GET', page);
    await apiWithLog('GET', `/products/${product.id}`);
    expect((await apiWithLog('GET', `/products/${product.id}`)).log.cache).toBe('hit');

    const patched = await apiWithLog('PATCH', `/products/${product.id}`, { token: admin.token, json: { title: `${tag} new` } });
    expect(patched.status).toBe(200);
    expect(patched.log).not.toHaveProperty('cache');
    const one = await apiWithLog('GET', `/products/${product.id}`);
    expect(one.log.cache).toBe('miss');
    expect(one.body.title).toBe(`${tag} new`);
    // Computed from a replica that has the change: its session starts from the change's bookmark.
    expect((one.log.d1 as { bookmark_in?: string }).bookmark_in).toBe(patched.headers.get('x-d1-bookmark'));
    expect((await apiWithLog('GET', page)).body.map((p: { title: string }) => p.title)).toEqual([`${tag} new`]);

    const added = await apiWithLog('POST', '/products/add', { token: admin.token, json: { title: `${tag} added`, price: 1, is_visible: true } });
    expect(added.status).toBe(201);
    const withAdded = await apiWithLog('GET', page);
    expect(withAdded.log.cache).toBe('miss');
    expect(withAdded.headers.get('x-total-count')).toBe('2');

    expect((await apiWithLog('DELETE', `/products/${product.id}`, { token: admin.token })).status).toBe(204);
    expect((await apiWithLog('GET', `/products/${product.id}`)).status).toBe(404);
    expect((await apiWithLog('GET', page)).body.map((p: { id: number }) => p.id)).toEqual([added.body.id]);
  });

  it('keeps what it has when a change is refused', async () => {
    const admin = await seedSuperuser();
    const product = await seedProduct();
    await apiWithLog('GET', `/products/${product.id}`);
    expect((await apiWithLog('PATCH', `/products/${product.id}`, { token: admin.token, json: { price: -1 } })).status).toBe(422);
    expect((await apiWithLog('GET', `/products/${product.id}`)).log.cache).toBe('hit');
  });

  it('shows the stock an order took, and the stock a cancel put back, to the next anonymous reader', async () => {
    const admin = await seedSuperuser();
    const buyer = await seedUser();
    const product = await seedProduct({ quantity: 5 });
    expect((await apiWithLog('GET', `/products/${product.id}`)).body.quantity).toBe(5);

    const order = await placeOrder(buyer, [[product, 2]]);
    const afterOrder = await apiWithLog('GET', `/products/${product.id}`);
    expect(afterOrder.log.cache).toBe('miss');
    expect(afterOrder.body.quantity).toBe(3);

    const cancel = await apiWithLog('PUT', `/orders/edit/${order.id}`, { token: admin.token, json: { cancelled: true } });
    expect(cancel.status).toBe(200);
    expect((await storedProduct(product.id))?.quantity).toBe(5);
    expect((await apiWithLog('GET', `/products/${product.id}`)).body.quantity).toBe(5);
  });

  it('writes the cache field only on the cacheable routes', async () => {
    expect((await apiWithLog('GET', '/health')).log).not.toHaveProperty('cache');
  });
});
