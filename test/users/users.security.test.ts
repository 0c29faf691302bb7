import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { getDb } from '../../src/db/client';
import { users } from '../../src/db/schema';
import { api, nowSeconds, seedSuperuser, seedUser, signJwt, storedUser } from '../support';

const ROUTES = (id: string): [string, string, unknown][] => [
  ['GET', '/users/me', undefined],
  ['PATCH', '/users/me', { first_name: 'x' }],
  ['GET', `/users/${id}`, undefined],
  ['PATCH', `/users/${id}`, { first_name: 'x' }],
  ['DELETE', `/users/${id}`, undefined],
];

// 401 on every /users route without a valid token or for an inactive user, superuser or not,
// and 403 on /users/{id}: test/security/protected-routes.test.ts.
describe('authentication of /users routes', () => {
  it('changes nothing for a request with an expired token or from an inactive superuser', async () => {
    const user = await seedUser();
    const expired = await signJwt({ sub: user.id, aud: ['fastapi-users:auth'], exp: nowSeconds() - 5 });
    const inactiveAdmin = await seedSuperuser({ isActive: false });
    for (const token of [expired, inactiveAdmin.token]) {
      for (const [method, path, json] of ROUTES(user.id)) {
        expect((await api(method, path, { token, json })).status, `${method} ${path}`).toBe(401);
      }
    }
    expect(await storedUser(user.id)).toMatchObject({ firstName: null });
  });

  it('401 before 422: PATCH /users/me with no token and no body', async () => {
    const res = await api('PATCH', '/users/me', {});
    expect(res.status).toBe(401);
  });

  it('422 for malformed JSON comes before authentication', async () => {
    const res = await api('PATCH', '/users/me', { raw: '{"first_name":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(422);
    expect(res.body.detail[0].type).toBe('json_invalid');
  });
});

describe('authorisation of /users/{id}', () => {
  it('403 for a normal user, before the id (404) and the body (422) are looked at', async () => {
    const user = await seedUser();
    const victim = await seedUser();
    for (const id of [victim.id, user.id, crypto.randomUUID(), 'foo']) {
      for (const [method, json] of [['GET', undefined], ['PATCH', { is_superuser: true }], ['PATCH', { is_active: 'x' }], ['DELETE', undefined]] as const) {
        const res = await api(method, `/users/${id}`, { token: user.token, json });
        expect(res.status, `${method} ${id}`).toBe(403);
        expect(res.body).toEqual({ detail: 'Forbidden' });
      }
    }
    const res = await api('PATCH', `/users/${user.id}`, { token: user.token });
    expect(res.status).toBe(403);
    // There is no DELETE /users/me: it reaches /users/{id}, which a normal user may not use.
    const deleteMe = await api('DELETE', '/users/me', { token: user.token });
    expect(deleteMe.status).toBe(403);
    expect(deleteMe.body).toEqual({ detail: 'Forbidden' });
    expect(await storedUser(victim.id)).toBeDefined();
    expect(await storedUser(user.id)).toMatchObject({ isSuperuser: false });
  });

  it('a user who lost superuser rights is refused at once', async () => {
    const admin = await seedSuperuser();
    const other = await seedUser();
    expect((await api('GET', `/users/${other.id}`, { token: admin.token })).status).toBe(200);
    await getDb(env).update(users).set({ isSuperuser: false }).where(eq(users.id, admin.id));
    expect((await api('GET', `/users/${other.id}`, { token: admin.token })).status).toBe(403);
  });

  it('PATCH /users/me cannot escalate privileges', async () => {
    const user = await seedUser();
    await api('PATCH', '/users/me', { token: user.token, json: { is_superuser: true, is_verified: true, is_active: true, id: crypto.randomUUID() } });
    expect(await storedUser(user.id)).toMatchObject({ isSuperuser: false, isVerified: false });
    expect((await api('GET', `/users/${user.id}`, { token: user.token })).status).toBe(403);
  });
});

describe('REQUIRE_VERIFIED_LOGIN (fastapi-users requires_verification=True)', () => {
  const strict = { ...env, REQUIRE_VERIFIED_LOGIN: 'true' };
  const app = createApp();
  const call = async (method: string, path: string, token: string, json?: unknown) => {
    const headers = new Headers({ authorization: `Bearer ${token}`, 'cf-connecting-ip': crypto.randomUUID() });
    if (json !== undefined) headers.set('content-type', 'application/json');
    const res = await app.request(path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) }, strict);
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };

  it('403 for an unverified user (token predating the setting) on logout and every /users route; the shop routes do not ask', async () => {
    const unverified = await seedUser();
    const unverifiedSuperuser = await seedUser({ isSuperuser: true });
    const other = await seedUser();
    for (const [method, path, json] of [
      ['POST', '/auth/jwt/logout', undefined],
      ...ROUTES(other.id),
    ] as [string, string, unknown][]) {
      expect(await call(method, path, unverified.token, json), `${method} ${path}`).toEqual({ status: 403, body: { detail: 'Forbidden' } });
      expect(await call(method, path, unverifiedSuperuser.token, json), `${method} ${path} (superuser)`).toEqual({
        status: 403,
        body: { detail: 'Forbidden' },
      });
    }
    expect(await storedUser(other.id)).toMatchObject({ firstName: null });
    expect((await call('GET', '/cart/show', unverified.token)).status).toBe(200);
    expect((await call('GET', '/authenticated-route', unverified.token)).status).toBe(200);
  });

  it('verified users and verified superusers pass; inactive is still 401; unknown id still 404 after the checks', async () => {
    const verified = await seedUser({ isVerified: true });
    const superuser = await seedSuperuser();
    const inactive = await seedUser({ isVerified: true, isActive: false });
    expect((await call('GET', '/users/me', verified.token)).status).toBe(200);
    expect((await call('GET', `/users/${verified.id}`, verified.token)).status).toBe(403);
    expect((await call('GET', `/users/${verified.id}`, superuser.token)).status).toBe(200);
    expect((await call('GET', '/users/d35d213e-f3d8-4f08-954a-7e0d1bea286f', superuser.token)).status).toBe(404);
    expect((await call('GET', '/users/me', inactive.token)).status).toBe(401);
    expect((await call('POST', '/auth/jwt/logout', verified.token)).status).toBe(204);
  });

  it('an e-mail change makes the same token a 403 until the new address is verified', async () => {
    const user = await seedUser({ isVerified: true });
    const patched = await call('PATCH', '/users/me', user.token, { email: `new.${user.email}` });
    expect(patched.status).toBe(200);
    expect(patched.body.is_verified).toBe(false);
    expect(await call('GET', '/users/me', user.token)).toEqual({ status: 403, body: { detail: 'Forbidden' } });
  });
});
