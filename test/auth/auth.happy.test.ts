import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { getDb } from '../../src/db/client';
import { findUserByEmail } from '../../src/db/users';
import { hashPassword, PBKDF2_ITERATIONS } from '../../src/lib/password';
import { sha256, toBase64Url } from '../../src/lib/crypto';
import { api, APP_URL, claimsOf, deactivate, emailsTo, login, nowSeconds, PASSWORD, seedUser, signJwt, storedUser, tokenFromEmail, uniqueEmail } from '../support';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('POST /auth/register', () => {
  it('creates an active, unverified user and answers 201 with the user object in order', async () => {
    const local = uniqueEmail('Lancelot').split('@')[0]!;
    const res = await api('POST', '/auth/register', {
      json: { email: `  ${local}@Example.COM `, password: PASSWORD, first_name: '  Lance ', last_name: 'du Lac' },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(['id', 'email', 'is_active', 'is_superuser', 'is_verified', 'first_name', 'last_name']);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      email: `${local}@example.com`,
      is_active: true,
      is_superuser: false,
      is_verified: false,
      first_name: 'Lance',
      last_name: 'du Lac',
    });
    expect(res.text).not.toMatch(/password|hash/i);
    const row = await storedUser(res.body.id);
    expect(row).toMatchObject({ email: `${local}@example.com`, isActive: true, isSuperuser: false, isVerified: false, authVersion: 0 });
    expect(row!.hashedPassword).not.toContain(PASSWORD);
  });

  it('normalises e-mails as email-validator does: role mailboxes (RFC 2142) lower-cased, other local parts kept', async () => {
    const domain = uniqueEmail('role').split('@')[0]!.replaceAll('.', '-');
    for (const [typed, stored] of [
      [`PostMaster@${domain}.Example.com`, `postmaster@${domain}.example.com`],
      [`Info@${domain}.example.com`, `info@${domain}.example.com`],
      [`Arthur <Info.Desk@${domain}.example.com>`, `Info.Desk@${domain}.example.com`],
    ]) {
      const res = await api('POST', '/auth/register', { json: { email: typed, password: PASSWORD } });
      expect(res.status, typed).toBe(201);
      expect(res.body.email).toBe(stored);
    }
  });

  it('type-checks and then ignores is_active, is_superuser and is_verified', async () => {
    const res = await api('POST', '/auth/register', {
      json: { email: uniqueEmail(), password: PASSWORD, is_active: false, is_superuser: true, is_verified: 'true', id: 'x' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ is_active: true, is_superuser: false, is_verified: false, first_name: null, last_name: null });
    expect(await storedUser(res.body.id)).toMatchObject({ isActive: true, isSuperuser: false, isVerified: false });
  });

  it('records a verification e-mail whose link carries a verify token for the new user', async () => {
    const email = uniqueEmail();
    const res = await api('POST', '/auth/register', { json: { email, password: PASSWORD, first_name: 'Ann' } });
    const [mail, ...others] = await emailsTo(email, 'verify');
    expect(others).toHaveLength(0);
    expect(mail).toMatchObject({ kind: 'verify', userId: res.body.id, status: expect.any(String) });
    expect(mail!.text).toContain(`${APP_URL}/verify?token=`);
    const claims = claimsOf(await tokenFromEmail(email, 'verify'));
    expect(claims).toMatchObject({ sub: res.body.id, email, aud: 'fastapi-users:verify' });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
  });

  it('accepts a first name of exactly 100 code points, emoji counting as one', async () => {
    const name = '😀'.repeat(100);
    const res = await api('POST', '/auth/register', { json: { email: uniqueEmail(), password: PASSWORD, first_name: name, last_name: null } });
    expect(res.status).toBe(201);
    expect(res.body.first_name).toBe(name);
  });

  it('stores salted PBKDF2-SHA256 with its parameters, at most 100,000 iterations', async () => {
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000);
    const email = uniqueEmail();
    const other = uniqueEmail();
    await api('POST', '/auth/register', { json: { email, password: PASSWORD } });
    await api('POST', '/auth/register', { json: { email: other, password: PASSWORD } });
    const db = getDb(env);
    const first = (await findUserByEmail(db, email))!.hashedPassword;
    const second = (await findUserByEmail(db, other))!.hashedPassword;
    expect(first).toMatch(new RegExp(`^pbkdf2_sha256\\$${PBKDF2_ITERATIONS}\\$[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+$`));
    expect(first).not.toBe(second);
  });
});

describe('POST /auth/jwt/login', () => {
  it('answers exactly {"access_token","token_type":"bearer"} with an access token', async () => {
    const user = await seedUser();
    const res = await api('POST', '/auth/jwt/login', { form: { username: user.email, password: PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.text).toBe(`{"access_token":"${res.body.access_token}","token_type":"bearer"}`);
    const claims = claimsOf(res.body.access_token);
    expect(claims).toMatchObject({ sub: user.id, aud: ['fastapi-users:auth'], jti: expect.any(String), iat: expect.any(Number) });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    const me = await api('GET', '/users/me', { token: res.body.access_token });
    expect(me.body.id).toBe(user.id);
  });

  it('matches the username case-insensitively and accepts grant_type=password and the other OAuth2 fields', async () => {
    const user = await seedUser();
    const res = await api('POST', '/auth/jwt/login', {
      form: { username: user.email.toUpperCase(), password: PASSWORD, grant_type: 'password', scope: 'a b', client_id: 'c', client_secret: 's', extra: 'x' },
    });
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.access_token).sub).toBe(user.id);
  });

  it('accepts multipart/form-data, the last of repeated values winning', async () => {
    const user = await seedUser();
    const form = new FormData();
    form.append('username', 'nobody@example.com');
    form.append('username', user.email);
    form.append('password', PASSWORD);
    const res = await api('POST', '/auth/jwt/login', { raw: form });
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.access_token).sub).toBe(user.id);
  });

  it('issues a new token per login, each with its own jti', async () => {
    const user = await seedUser();
    const [a, b] = await Promise.all([login(user.email), login(user.email)]);
    expect(a).not.toBe(b);
    expect(claimsOf(a).jti).not.toBe(claimsOf(b).jti);
  });

  it('upgrades a weaker stored hash on a successful login without ending existing tokens', async () => {
    const user = await seedUser({ hashedPassword: await hashPassword(PASSWORD, 1000) });
    expect(user.hashedPassword.startsWith('pbkdf2_sha256$1000$')).toBe(true);
    await login(user.email);
    const row = await storedUser(user.id);
    expect(row!.hashedPassword.startsWith(`pbkdf2_sha256$${PBKDF2_ITERATIONS}$`)).toBe(true);
    expect(row!.authVersion).toBe(0);
    expect((await api('GET', '/users/me', { token: user.token })).status).toBe(200);
    expect(await login(user.email)).toBeTruthy();
  });

  it('with REQUIRE_VERIFIED_LOGIN lets verified users in and stops unverified ones after the password check', async () => {
    const app = createApp();
    const strict = { ...env, REQUIRE_VERIFIED_LOGIN: 'true' };
    const attempt = async (username: string, password: string) => {
      const res = await app.request(
        '/auth/jwt/login',
        { method: 'POST', body: new URLSearchParams({ username, password }), headers: { 'cf-connecting-ip': crypto.randomUUID() } },
        strict,
      );
      return { status: res.status, body: (await res.json()) as { detail?: string; token_type?: string } };
    };
    const unverified = await seedUser();
    const verified = await seedUser({ isVerified: true });
    expect(await attempt(unverified.email, PASSWORD)).toEqual({ status: 400, body: { detail: 'LOGIN_USER_NOT_VERIFIED' } });
    expect(await attempt(unverified.email, 'wrong password!')).toEqual({ status: 400, body: { detail: 'LOGIN_BAD_CREDENTIALS' } });
    const ok = await attempt(verified.email, PASSWORD);
    expect(ok.status).toBe(200);
    expect(ok.body.token_type).toBe('bearer');
  });
});

describe('POST /auth/jwt/logout', () => {
  it('answers 204 with an empty body and revokes only this token', async () => {
    const user = await seedUser();
    const first = await login(user.email);
    const second = await login(user.email);
    const res = await api('POST', '/auth/jwt/logout', { token: first });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await api('GET', '/users/me', { token: first })).status).toBe(401);
    expect((await api('GET', '/users/me', { token: second })).status).toBe(200);
    expect(await env.AUTH.get(`revoked:${claimsOf(first).jti}`)).toBe('1');
  });

  it('accepts a token issued by the FastAPI original (sub, aud, exp only) and revokes it by its hash', async () => {
    const user = await seedUser();
    const legacy = await signJwt({ sub: user.id, aud: ['fastapi-users:auth'], exp: nowSeconds() + 3600 });
    const me = await api('GET', '/users/me', { token: legacy });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(user.id);
    expect((await api('POST', '/auth/jwt/logout', { token: legacy })).status).toBe(204);
    expect(await env.AUTH.get(`revoked:sha256:${toBase64Url(await sha256(legacy))}`)).toBe('1');
    expect((await api('GET', '/users/me', { token: legacy })).status).toBe(401);
    expect((await api('GET', '/users/me', { token: user.token })).status).toBe(200);
  });
});

describe('POST /auth/forgot-password', () => {
  it('answers 202 null and e-mails an active user a single-use reset link', async () => {
    const user = await seedUser({ isVerified: false });
    const res = await api('POST', '/auth/forgot-password', { json: { email: user.email.toUpperCase() } });
    expect(res.status).toBe(202);
    expect(res.text).toBe('null');
    expect(res.headers.get('content-type')).toContain('application/json');
    const [mail] = await emailsTo(user.email, 'reset_password');
    expect(mail).toMatchObject({ userId: user.id });
    expect(mail!.text).toContain(`${APP_URL}/reset-password?token=`);
    const claims = claimsOf(await tokenFromEmail(user.email, 'reset_password'));
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'password_fgpt', 'sub']);
    expect(claims).toMatchObject({ sub: user.id, aud: 'fastapi-users:reset', password_fgpt: expect.any(String) });
    expect(claims.password_fgpt).not.toContain(user.hashedPassword);
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
  });

  it('answers the same 202 null for unknown and inactive users, and e-mails nobody', async () => {
    const unknown = uniqueEmail();
    const inactive = await seedUser({ isActive: false });
    for (const email of [unknown, inactive.email]) {
      const res = await api('POST', '/auth/forgot-password', { json: { email } });
      expect(res.status).toBe(202);
      expect(res.text).toBe('null');
      expect(await emailsTo(email, 'reset_password')).toHaveLength(0);
    }
  });
});

describe('POST /auth/reset-password', () => {
  it('sets the new password, answers 200 null, e-mails "password changed" and ends earlier tokens', async () => {
    const user = await seedUser();
    const other = await login(user.email);
    await api('POST', '/auth/forgot-password', { json: { email: user.email } });
    const token = await tokenFromEmail(user.email, 'reset_password');
    const res = await api('POST', '/auth/reset-password', { json: { token, password: 'a brand new secret' } });
    expect(res.status).toBe(200);
    expect(res.text).toBe('null');
    expect((await storedUser(user.id))!.authVersion).toBe(1);
    expect(await emailsTo(user.email, 'password_changed')).toHaveLength(1);
    for (const old of [user.token, other]) expect((await api('GET', '/users/me', { token: old })).status).toBe(401);
    const bad = await api('POST', '/auth/jwt/login', { form: { username: user.email, password: PASSWORD } });
    expect(bad.body).toEqual({ detail: 'LOGIN_BAD_CREDENTIALS' });
    const fresh = await login(user.email, 'a brand new secret');
    expect((await api('GET', '/users/me', { token: fresh })).status).toBe(200);
  });

  it('leaves is_verified alone', async () => {
    const user = await seedUser({ isVerified: true });
    await api('POST', '/auth/forgot-password', { json: { email: user.email } });
    const token = await tokenFromEmail(user.email, 'reset_password');
    expect((await api('POST', '/auth/reset-password', { json: { token, password: 'another good one' } })).status).toBe(200);
    expect((await storedUser(user.id))!.isVerified).toBe(true);
  });

  it('accepts every token issued before the first use, until that use', async () => {
    const user = await seedUser();
    await api('POST', '/auth/forgot-password', { json: { email: user.email } });
    const first = await tokenFromEmail(user.email, 'reset_password');
    await api('POST', '/auth/forgot-password', { json: { email: user.email } });
    const second = await tokenFromEmail(user.email, 'reset_password');
    expect((await api('POST', '/auth/reset-password', { json: { token: first, password: 'first new secret' } })).status).toBe(200);
    const reused = await api('POST', '/auth/reset-password', { json: { token: second, password: 'second new secret' } });
    expect(reused.body).toEqual({ detail: 'RESET_PASSWORD_BAD_TOKEN' });
  });
});

describe('POST /auth/request-verify-token and POST /auth/verify', () => {
  it('e-mails an active unverified user a verify link, and the link verifies them', async () => {
    const user = await seedUser({ firstName: 'Ann' });
    const res = await api('POST', '/auth/request-verify-token', { json: { email: user.email } });
    expect(res.status).toBe(202);
    expect(res.text).toBe('null');
    const token = await tokenFromEmail(user.email, 'verify');
    expect(claimsOf(token)).toMatchObject({ sub: user.id, email: user.email, aud: 'fastapi-users:verify' });
    const verified = await api('POST', '/auth/verify', { json: { token } });
    expect(verified.status).toBe(200);
    expect(verified.text).toBe(
      JSON.stringify({ id: user.id, email: user.email, is_active: true, is_superuser: false, is_verified: true, first_name: 'Ann', last_name: null }),
    );
    expect((await storedUser(user.id))!.isVerified).toBe(true);
  });

  it('answers 202 null without an e-mail for unknown, inactive and already verified users', async () => {
    const inactive = await seedUser({ isActive: false });
    const verified = await seedUser({ isVerified: true });
    for (const email of [uniqueEmail(), inactive.email, verified.email]) {
      const res = await api('POST', '/auth/request-verify-token', { json: { email } });
      expect(res.status).toBe(202);
      expect(res.text).toBe('null');
      expect(await emailsTo(email, 'verify')).toHaveLength(0);
    }
  });

  it('lets an inactive user verify with a token issued while active', async () => {
    const email = uniqueEmail();
    const registered = await api('POST', '/auth/register', { json: { email, password: PASSWORD } });
    const token = await tokenFromEmail(email, 'verify');
    await deactivate(registered.body.id);
    const res = await api('POST', '/auth/verify', { json: { token } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: registered.body.id, is_active: false, is_verified: true });
  });
});

describe('GET /authenticated-route', () => {
  it('greets the user by e-mail', async () => {
    const user = await seedUser();
    const res = await api('GET', '/authenticated-route', { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: `Hello ${user.email}!` });
  });
});
