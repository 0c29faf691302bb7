import { describe, expect, it } from 'vitest';
import { api, checkoutRow, checkoutsOfUser, contact, deactivate, seedCart, seedProduct, seedUser } from '../support';

describe('POST /checkout security', () => {
  // 401 without a valid token: test/security/protected-routes.test.ts.
  it('stores nothing for a request without a valid token or from an inactive user', async () => {
    const user = await seedUser();
    const mug = await seedProduct();
    const cartId = await seedCart(user.id, [[mug, 1]]);
    const json = { ...contact(), cart_id: cartId, amount: mug.price };
    expect((await api('POST', '/checkout', { token: `${user.token}x`, json })).status).toBe(401);
    await deactivate(user.id);
    expect((await api('POST', '/checkout', { token: user.token, json })).status).toBe(401);
    expect(await checkoutsOfUser(user.id)).toEqual([]);
  });

  it('answers 401 before validating the body, and 422 json_invalid before 401', async () => {
    expect((await api('POST', '/checkout', { json: {} })).status).toBe(401);
    const res = await api('POST', '/checkout', { raw: '{"cart_id":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(422);
    expect(res.body.detail[0].type).toBe('json_invalid');
  });

  it('never checks out someone else’s cart: their cart id is a 404 for anyone else', async () => {
    const owner = await seedUser();
    const intruder = await seedUser();
    const mug = await seedProduct();
    const cartId = await seedCart(owner.id, [[mug, 1]]);
    await seedCart(intruder.id, [[mug, 1]]);
    const res = await api('POST', '/checkout', { token: intruder.token, json: { ...contact(), cart_id: cartId, amount: mug.price } });
    expect(res.status).toBe(404);
    expect(res.body.detail.code).toBe('CART_NOT_FOUND');
    expect(await checkoutsOfUser(intruder.id)).toEqual([]);
  });

  it('stores hostile text verbatim and returns it as JSON data', async () => {
    const user = await seedUser();
    const mug = await seedProduct();
    const cartId = await seedCart(user.id, [[mug, 1]]);
    const hostile = `Robert'); DROP TABLE orders;-- <script>alert(1)</script>`;
    const res = await api('POST', '/checkout', { token: user.token, json: { ...contact(), cart_id: cartId, amount: mug.price, name: hostile, address: hostile } });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.body.name).toBe(hostile);
    expect((await checkoutRow(res.body.checkout_id))?.address).toBe(hostile);
  });

  it('refuses a body over 64 KiB with 413', async () => {
    const user = await seedUser();
    const res = await api('POST', '/checkout', { token: user.token, json: { ...contact(), address: 'x'.repeat(70_000) } });
    expect(res.status).toBe(413);
  });
});
