/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { onPrimary } from '../../src/middleware/request-context';
import { apiWithLog, contact, newUser, type RequestLogLine, seedCart, seedProduct, seedSuperuser, tokenFromEmail, totalOf } from '../support';

/*
 * D1 sessions (API.md 7.1). Local D1 has no replicas, so these tests assert the plumbing a
 * client and an operator see: which session each request used, the bookmarks in and out, and
 * the round trips that had to reach the primary, not replica lag.
 */

const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32,64}$/;
/** Past the edge cache, whose hits cost no D1 (and so carry no bookmark). */
const PAST_THE_CACHE = { 'cache-control': 'no-cache' };

async function shopper() {
  const user = await newUser();
  const product = await seedProduct({ price: 700, quantity: 20 });
  return { user, product };
}

describe('X-D1-Bookmark', () => {
  it('comes with every answer that reached D1, and not with one that did not', async () => {
    const product = await seedProduct();
    const read = await apiWithLog('GET', `/products/${product.id}`, { headers: PAST_THE_CACHE });
    expect(read.headers.get('x-d1-bookmark')).toMatch(BOOKMARK);
    const none = await apiWithLog('GET', '/openapi.json');
    expect(none.headers.get('x-d1-bookmark')).toBeNull();
  });

  it('is exposed to browsers and may be sent by them (CORS)', async () => {
    const preflight = await apiWithLog('OPTIONS', '/products', {
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-d1-bookmark' },
    });
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-d1-bookmark');
    const res = await apiWithLog('GET', '/products', { headers: { origin: 'https://shop.example' } });
    expect(res.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-d1-bookmark');
  });

  it("starts the request's session from the bookmark the caller sends: it reads at least that new", async () => {
    const product = await seedProduct();
    const first = await apiWithLog('GET', `/products/${product.id}`, { headers: PAST_THE_CACHE });
    const bookmark = first.headers.get('x-d1-bookmark')!;
    const next = await apiWithLog('GET', `/products/${product.id}`, { headers: { ...PAST_THE_CACHE, 'x-d1-bookmark': bookmark } });
    expect(next.status).toBe(200);
    expect(next.log.d1).toMatchObject({ session: 'replica', bookmark_in: bookmark, primary_calls: 0 });
    expect(next.headers.get('x-d1-bookmark')! >= bookmark).toBe(true);
  });

  it('ignores a malformed bookmark (an opaque value the API never issued): the answer is as without one', async () => {
    const product = await seedProduct();
    for (const garbage of ['not-a-bookmark', 'x'.repeat(5000), "0'; DROP TABLE products; --"]) {
      const res = await apiWithLog('GET', `/products/${product.id}`, { headers: { ...PAST_THE_CACHE, 'x-d1-bookmark': garbage } });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(product.id);
      expect(res.log.d1).toMatchObject({ session: 'replica', bookmark_in: null });
    }
  });
});

describe('read-your-own-writes without the header', () => {
  /** The next request of the same user started from at least the bookmark of their write's answer. */
  function expectStartedFrom(log: RequestLogLine, write: { headers: Headers }) {
    const written = write.headers.get('x-d1-bookmark');
    expect(written).toMatch(BOOKMARK);
    expect(log.d1.session).toBe('replica');
    expect(log.d1.bookmark_in).toMatch(BOOKMARK);
    expect(log.d1.bookmark_in! >= written!).toBe(true);
  }

  it('POST /orders/create, then GET /orders: the list starts from the order and shows it', async () => {
    const { user, product } = await shopper();
    const cartId = await seedCart(user.id, [[product, 2]]);
    const checkout = await apiWithLog('POST', '/checkout', { token: user.token, json: { cart_id: cartId, amount: totalOf([[product, 2]]), ...contact() } });
    expect(checkout.status).toBe(201);
    const created = await apiWithLog('POST', '/orders/create', { token: user.token, json: { checkout_id: checkout.body.checkout_id } });
    expect(created.status).toBe(201);
    const listed = await apiWithLog('GET', '/orders', { token: user.token });
    expect(listed.status).toBe(200);
    expectStartedFrom(listed.log, created);
    expect(listed.body.map((order: { id: number }) => order.id)).toContain(created.body.id);
  });

  it('POST /cart/add, then GET /cart/show: the cart is priced from a session that starts at the add', async () => {
    const { user, product } = await shopper();
    const added = await apiWithLog('POST', '/cart/add', { token: user.token, json: [{ product_id: product.id, quantity: 3 }] });
    expect(added.status).toBe(200);
    const shown = await apiWithLog('GET', '/cart/show', { token: user.token });
    expect(shown.status).toBe(200);
    expectStartedFrom(shown.log, added);
    expect(shown.body.items).toMatchObject([{ product_id: product.id, quantity: 3, unit_price: 700, available: true }]);
  });

  it('PATCH /users/me, then GET /users/me: the user row is read at least as new as the change', async () => {
    const { user } = await shopper();
    const patched = await apiWithLog('PATCH', '/users/me', { token: user.token, json: { first_name: 'Guinevere' } });
    expect(patched.status).toBe(200);
    const me = await apiWithLog('GET', '/users/me', { token: user.token });
    expect(me.status).toBe(200);
    expectStartedFrom(me.log, patched);
    expect(me.body.first_name).toBe('Guinevere');
  });

  it("a superuser's deactivation: the user's next request starts from it and is refused", async () => {
    const { user } = await shopper();
    const admin = await seedSuperuser();
    const patched = await apiWithLog('PATCH', `/users/${user.id}`, { token: admin.token, json: { is_active: false } });
    expect(patched.status).toBe(200);
    const refused = await apiWithLog('GET', '/users/me', { token: user.token });
    expect(refused.status).toBe(401);
    expectStartedFrom(refused.log, patched);
  });

  it("a password reset: the old token's next request starts from it and is refused", async () => {
    const { user } = await shopper();
    expect((await apiWithLog('POST', '/auth/forgot-password', { json: { email: user.email } })).status).toBe(202);
    const reset = await apiWithLog('POST', '/auth/reset-password', {
      json: { token: await tokenFromEmail(user.email, 'reset_password'), password: 'another horse battery' },
    });
    expect(reset.status).toBe(200);
    expect(reset.log.d1).toMatchObject({ session: 'primary' });
    const refused = await apiWithLog('GET', '/cart/show', { token: user.token });
    expect(refused.status).toBe(401);
    expectStartedFrom(refused.log, reset);
  });

  it("is per user: another user's requests do not start from someone else's write", async () => {
    const { user, product } = await shopper();
    await apiWithLog('POST', '/cart/add', { token: user.token, json: [{ product_id: product.id, quantity: 1 }] });
    const other = await newUser();
    const shown = await apiWithLog('GET', '/cart/show', { token: other.token });
    expect(shown.log.d1).toMatchObject({ session: 'replica', bookmark_in: null });
  });
});

describe('round trips to the primary (issue 10 item 5)', () => {
  it('GETs make none: they read on replica sessions', async () => {
    const { user, product } = await shopper();
    await apiWithLog('POST', '/cart/add', { token: user.token, json: [{ product_id: product.id, quantity: 1 }] });
    for (const path of ['/products', `/products/${product.id}`, '/cart/show', '/cart/summary', '/orders', '/users/me']) {
      const res = await apiWithLog('GET', path, { token: user.token });
      expect(res.status, path).toBe(200);
      expect(res.log.d1, path).toMatchObject({ session: 'replica', primary_calls: 0 });
      expect(res.log.d1.calls, path).toBeGreaterThan(0);
    }
  });

  it('the shopping journey: each write route makes at most 2 before its answer; what guards money, stock and sign-in is on the primary', async () => {
    const { user, product } = await shopper();
    const login = await apiWithLog('POST', '/auth/jwt/login', { form: { username: user.email, password: 'correct horse battery' } });
    expect(login.status).toBe(200);
    expect(login.log.d1).toMatchObject({ session: 'primary', primary_calls: 1 });

    const token = login.body.access_token as string;
    const added = await apiWithLog('POST', '/cart/add', { token, json: [{ product_id: product.id, quantity: 2 }] });
    expect(added.status).toBe(200);
    expect(added.log.d1).toMatchObject({ session: 'replica' });
    // The cart's lease: taken and released (the cart itself is KV); the user and the products come from a replica.
    expect(added.log.d1.primary_calls).toBeLessThanOrEqual(2);

    const itemId = added.body.items[0].item_id as number;
    const updated = await apiWithLog('PUT', `/cart/update/${itemId}`, { token, json: { quantity: 4 } });
    expect(updated.status).toBe(200);
    expect(updated.log.d1.primary_calls).toBeLessThanOrEqual(2);

    const checkout = await apiWithLog('POST', '/checkout', { token, json: { cart_id: added.body.cart_id, amount: 4 * 700, ...contact() } });
    expect(checkout.status).toBe(201);
    expect(checkout.log.d1).toMatchObject({ session: 'primary' });
    expect(checkout.log.d1.primary_calls).toBeLessThanOrEqual(2);

    const order = await apiWithLog('POST', '/orders/create', { token, json: { checkout_id: checkout.body.checkout_id } });
    expect(order.status).toBe(201);
    expect(order.log.d1).toMatchObject({ session: 'primary' });
    expect(order.log.d1.primary_calls).toBeLessThanOrEqual(2);

    // What was moved after the answer still happened: the ordered lines left the cart, and the e-mail was queued.
    const cart = await apiWithLog('GET', '/cart/show', { token });
    expect(cart.body.items).toEqual([]);
  });
});

describe('which routes decide on the primary (declared once, in each route)', () => {
  // What guards money, stock and sign-in (API.md 7.1): login, the one-time use of reset and verify
  // tokens, checkout, the order batch, the order edit that restocks, and payments.
  const ON_PRIMARY = [
    'authJwtLogin',
    'authResetPassword',
    'authVerify',
    'createCheckout',
    'createOrder',
    'editOrder',
    'startOrderPayment',
    'verifyRazorpayPayment',
    'receiveStripeWebhook',
    'receiveRazorpayWebhook',
    'succeedDevPayment',
  ];

  it('lists onPrimary first in exactly those routes; every other route reads from a replica', () => {
    type Declaration = { operationId?: string; middleware?: unknown[] };
    const modules = import.meta.glob<Record<string, unknown>>('../../src/routes/*/routes.ts', { eager: true });
    const routes = Object.values(modules)
      .flatMap((module) => Object.values(module))
      .filter((value): value is Declaration => typeof value === 'object' && value !== null && 'operationId' in value);
    expect(routes.length).toBeGreaterThan(30);
    const onPrimaryRoutes = routes.filter((route) => route.middleware?.includes(onPrimary));
    expect(onPrimaryRoutes.map((route) => route.operationId).sort()).toEqual([...ON_PRIMARY].sort());
    for (const route of onPrimaryRoutes) expect(route.middleware![0], route.operationId).toBe(onPrimary);
  });
});
