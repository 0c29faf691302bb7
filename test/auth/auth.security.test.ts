import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { deleteUser } from '../../src/db/users';
import { api, deactivate, fixedIp, login, nowSeconds, PASSWORD, register, seedUser, signJwt, tokenFromEmail, uniqueEmail, unsignedJwt } from '../support';

const UNAUTHORIZED = { detail: 'Unauthorized' };
const PROTECTED: [string, string][] = [
  ['POST', '/auth/jwt/logout'],
  ['GET', '/authenticated-route'],
];

async function expectUnauthorized(token: string | undefined, headers: Record<string, string> = {}) {
  for (const [method, path] of PROTECTED) {
    const res = await api(method, path, { token, headers });
    expect(res.status, `${method} ${path}`).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED);
    expect(res.headers.get('www-authenticate')).toBeNull();
  }
}

describe('bearer authentication of the auth routes', () => {
  it('401 without a token, with a garbage token and with another scheme', async () => {
    const user = await seedUser();
    await expectUnauthorized(undefined);
    await expectUnauthorized('not-a-jwt');
    await expectUnauthorized(undefined, { authorization: `Basic ${user.token}` });
    await expectUnauthorized(undefined, { authorization: 'Bearer' });
  });

  it('accepts the scheme in any case and surrounding spaces', async () => {
    const user = await seedUser();
    const res = await api('GET', '/authenticated-route', { headers: { authorization: `bEaReR   ${user.token}  ` } });
    expect(res.status).toBe(200);
  });

  it('401 for tampered tokens: alg none, wrong secret, edited payload', async () => {
    const user = await seedUser();
    const claims = { sub: user.id, aud: ['fastapi-users:auth'], exp: nowSeconds() + 3600 };
    await expectUnauthorized(unsignedJwt(claims));
    await expectUnauthorized(await signJwt(claims, 'some-other-secret-that-is-long-enough!!'));
    const [header, , signature] = user.token.split('.');
    const edited = btoa(JSON.stringify({ ...claims, sub: crypto.randomUUID() })).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    await expectUnauthorized(`${header}.${edited}.${signature}`);
  });

  it('401 for expired tokens, tokens without exp and tokens for another audience', async () => {
    const user = await seedUser();
    await expectUnauthorized(await signJwt({ sub: user.id, aud: ['fastapi-users:auth'], exp: nowSeconds() - 1 }));
    await expectUnauthorized(await signJwt({ sub: user.id, aud: ['fastapi-users:auth'] }));
    await expectUnauthorized(await signJwt({ sub: user.id, exp: nowSeconds() + 3600 }));
    await expectUnauthorized(await signJwt({ sub: user.id, aud: 'something-else', exp: nowSeconds() + 3600 }));
  });

  it('never accepts reset or verify tokens as access tokens', async () => {
    const user = await seedUser();
    await api('POST', '/auth/forgot-password', { json: { email: user.email } });
    await api('POST', '/auth/request-verify-token', { json: { email: user.email } });
    await expectUnauthorized(await tokenFromEmail(user.email, 'reset_password'));
    await expectUnauthorized(await tokenFromEmail(user.email, 'verify'));
  });

  it('401 for a sub that is not a UUID, an unknown user, a deleted user and an inactive user', async () => {
    await expectUnauthorized(await signJwt({ sub: 'admin', aud: ['fastapi-users:auth'], exp: nowSeconds() + 3600 }));
    await expectUnauthorized(await signJwt({ sub: crypto.randomUUID(), aud: ['fastapi-users:auth'], exp: nowSeconds() + 3600 }));
    const deleted = await seedUser();
    await deleteUser(getDb(env), deleted.id);
    await expectUnauthorized(deleted.token);
    const deactivated = await seedUser();
    await deactivate(deactivated.id);
    await expectUnauthorized(deactivated.token);
  });

  it('reads sub like uuid.UUID: its odd forms pass, a near miss is a 401', async () => {
    const user = await seedUser();
    const tokenFor = (sub: string) => signJwt({ sub, aud: ['fastapi-users:auth'], exp: nowSeconds() + 3600 });
    for (const sub of [user.id.toUpperCase(), `{${user.id}`, `urn:uuid:${user.id.replaceAll('-', '')}`]) {
      expect((await api('GET', '/users/me', { token: await tokenFor(sub) })).status, sub).toBe(200);
    }
    for (const sub of [`URN:UUID:${user.id}`, ` ${user.id}`]) await expectUnauthorized(await tokenFor(sub));
  });

  it('401 for a token after logout', async () => {
    const user = await seedUser();
    const token = await login(user.email);
    expect((await api('POST', '/auth/jwt/logout', { token })).status).toBe(204);
    await expectUnauthorized(token);
  });

  it('401 for every earlier token after a password change, including tokens of the FastAPI original', async () => {
    const user = await seedUser();
    const legacy = await signJwt({ sub: user.id, aud: ['fastapi-users:auth'], exp: nowSeconds() + 3600 });
    expect((await api('GET', '/authenticated-route', { token: legacy })).status).toBe(200);
    expect((await api('PATCH', '/users/me', { token: user.token, json: { password: 'a new strong secret' } })).status).toBe(200);
    await expectUnauthorized(user.token);
    await expectUnauthorized(legacy);
    expect((await api('GET', '/authenticated-route', { token: await login(user.email, 'a new strong secret') })).status).toBe(200);
  });
});

describe('rate limits', () => {
  /**
   * Runs `requests` until they all fell into one window of the limiters. Miniflare's limiters
   * count in windows aligned to the wall clock (floor(now / 60 s)), outside the isolate whose
   * clock a test can freeze: requests that straddle a window's end are counted in two windows,
   * and the limit is not reached. Such a run is repeated (with a new client address, so new
   * keys); the second run always fits, a run taking seconds and a window a minute.
   */
  async function inOneWindow<T>(requests: () => Promise<T>): Promise<T> {
    const windowOf = () => Math.floor(Date.now() / 60_000);
    for (;;) {
      const window = windowOf();
      const result = await requests();
      if (windowOf() === window) return result;
    }
  }

  /** Sends up to `count` requests from one address, all in one window, and returns the last answer. */
  const burst = (count: number, send: (ip: string) => ReturnType<typeof api>) =>
    inOneWindow(async () => {
      const ip = fixedIp();
      let last: Awaited<ReturnType<typeof api>> | undefined;
      for (let i = 0; i < count; i++) {
        last = await send(ip);
        if (last.status === 429) break;
      }
      return last!;
    });

  function expectTooMany(res: Awaited<ReturnType<typeof api>>) {
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ detail: 'Too Many Requests' });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  }

  it('login: failed attempts per address and e-mail', async () => {
    const email = uniqueEmail();
    const res = await burst(40, (ip) =>
      api('POST', '/auth/jwt/login', { form: { username: email, password: 'wrong password' }, headers: { 'cf-connecting-ip': ip } }),
    );
    expectTooMany(res);
  });

  it('login: once locked out, the right password is a 429 too, so a guess cannot be confirmed', async () => {
    const { email } = await register();
    const attempt = (ip: string, password: string) =>
      api('POST', '/auth/jwt/login', { form: { username: email, password }, headers: { 'cf-connecting-ip': ip } });
    const [lockedOut, rightPassword] = await inOneWindow(async () => {
      const ip = fixedIp();
      let last = await attempt(ip, 'wrong password');
      for (let i = 0; i < 40 && last.status !== 429; i++) last = await attempt(ip, 'wrong password');
      return [last, await attempt(ip, PASSWORD)];
    });
    expectTooMany(lockedOut);
    expectTooMany(rightPassword);
  });

  it('login: successful logins are never throttled, however many', async () => {
    const { email } = await register();
    const ip = fixedIp();
    for (let i = 0; i < 30; i++) {
      const res = await api('POST', '/auth/jwt/login', { form: { username: email, password: PASSWORD }, headers: { 'cf-connecting-ip': ip } });
      expect(res.status).toBe(200);
    }
  });

  it('register: per address and e-mail', async () => {
    const email = uniqueEmail();
    const res = await burst(40, (ip) =>
      api('POST', '/auth/register', { json: { email, password: PASSWORD }, headers: { 'cf-connecting-ip': ip } }),
    );
    expectTooMany(res);
  });

  it('register: many users from one address are not throttled', async () => {
    const ip = fixedIp();
    for (let i = 0; i < 30; i++) {
      const res = await api('POST', '/auth/register', { json: { email: uniqueEmail(), password: PASSWORD }, headers: { 'cf-connecting-ip': ip } });
      expect(res.status).toBe(201);
    }
  });

  it('forgot-password: per address and e-mail', async () => {
    const email = uniqueEmail();
    const res = await burst(40, (ip) => api('POST', '/auth/forgot-password', { json: { email }, headers: { 'cf-connecting-ip': ip } }));
    expectTooMany(res);
  });

  it('request-verify-token: per address and e-mail', async () => {
    const email = uniqueEmail();
    const res = await burst(40, (ip) => api('POST', '/auth/request-verify-token', { json: { email }, headers: { 'cf-connecting-ip': ip } }));
    expectTooMany(res);
  });

  it('register: a ceiling of 300 sign-ups a minute per address, whatever the e-mails', async () => {
    // Too short a password: refused before any hashing, so the burst is quick; it still counts.
    const res = await burst(320, (ip) =>
      api('POST', '/auth/register', { json: { email: uniqueEmail(), password: 'short' }, headers: { 'cf-connecting-ip': ip } }),
    );
    expectTooMany(res);
  });

  it('reset-password: per address, whatever the tokens', async () => {
    let n = 0;
    const res = await burst(80, (ip) =>
      api('POST', '/auth/reset-password', { json: { token: `guess-${n++}`, password: PASSWORD }, headers: { 'cf-connecting-ip': ip } }),
    );
    expectTooMany(res);
  });

  it('counts another address separately', async () => {
    const email = uniqueEmail();
    const limited = await burst(40, (ip) => api('POST', '/auth/forgot-password', { json: { email }, headers: { 'cf-connecting-ip': ip } }));
    expect(limited.status).toBe(429);
    const fresh = await api('POST', '/auth/forgot-password', { json: { email }, headers: { 'cf-connecting-ip': fixedIp() } });
    expect(fresh.status).toBe(202);
  });
});
