import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { isDuplicateEmailError, updateUserStatement } from '../../src/db/users';
import { api, emailsTo, seedSuperuser, seedUser, storedUser, uniqueEmail, usersWithEmailInAnyCase } from '../support';

const invalidPassword = (reason: string) => ({ detail: { code: 'UPDATE_USER_INVALID_PASSWORD', reason } });
const EMAIL_TAKEN = { detail: 'UPDATE_USER_EMAIL_ALREADY_EXISTS' };

describe('PATCH /users/me errors', () => {
  it('applies the password policy', async () => {
    const user = await seedUser();
    const cases: [string, string][] = [
      ['short', 'Password should be at least 8 characters'],
      ['y'.repeat(129), 'Password should be at most 128 characters'],
      [`x${user.email.toUpperCase()}x`, 'Password should not contain e-mail'],
    ];
    for (const [password, reason] of cases) {
      const res = await api('PATCH', '/users/me', { token: user.token, json: { password } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(invalidPassword(reason));
    }
    expect(await storedUser(user.id)).toMatchObject({ hashedPassword: user.hashedPassword, authVersion: 0 });
  });

  it('checks the password against the e-mail the user will have', async () => {
    const user = await seedUser();
    const newEmail = uniqueEmail();
    const res = await api('PATCH', '/users/me', { token: user.token, json: { email: newEmail, password: `pw ${newEmail}` } });
    expect(res.body).toEqual(invalidPassword('Password should not contain e-mail'));
    expect((await storedUser(user.id))!.email).toBe(user.email);
  });

  it('refuses an e-mail another account has, compared case-insensitively', async () => {
    const user = await seedUser();
    const other = await seedUser();
    const res = await api('PATCH', '/users/me', { token: user.token, json: { email: other.email.toUpperCase() } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(EMAIL_TAKEN);
    expect((await storedUser(user.id))!.email).toBe(user.email);
  });

  it('checks the password before the e-mail', async () => {
    const user = await seedUser();
    const other = await seedUser();
    const res = await api('PATCH', '/users/me', { token: user.token, json: { password: 'x', email: other.email } });
    expect(res.body).toEqual(invalidPassword('Password should be at least 8 characters'));
  });

  it('treats a case change of the own local part as a taken e-mail, as fastapi-users does', async () => {
    const user = await seedUser();
    const [local, domain] = user.email.split('@');
    const res = await api('PATCH', '/users/me', { token: user.token, json: { email: `${local!.toUpperCase()}@${domain}` } });
    expect(res.body).toEqual(EMAIL_TAKEN);
  });

  it('refuses "email": null, a non-boolean flag, a long name and a missing body with 422', async () => {
    const user = await seedUser();
    const nullEmail = await api('PATCH', '/users/me', { token: user.token, json: { email: null } });
    expect(nullEmail.status).toBe(422);
    expect(nullEmail.body).toEqual({ detail: [{ type: 'string_type', loc: ['body', 'email'], msg: 'Input should be a valid string', input: null }] });
    const flag = await api('PATCH', '/users/me', { token: user.token, json: { is_superuser: 'yes please' } });
    expect(flag.status).toBe(422);
    expect(flag.body.detail[0]).toMatchObject({ type: 'bool_parsing', loc: ['body', 'is_superuser'], input: 'yes please' });
    const long = await api('PATCH', '/users/me', { token: user.token, json: { first_name: 'n'.repeat(101) } });
    expect(long.status).toBe(422);
    expect(long.body.detail[0]).toMatchObject({ type: 'string_too_long', loc: ['body', 'first_name'] });
    const none = await api('PATCH', '/users/me', { token: user.token });
    expect(none.status).toBe(422);
    expect(none.body).toEqual({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] });
    const wrongPassword = await api('PATCH', '/users/me', { token: user.token, json: { password: 12345678 } });
    expect(wrongPassword.body.detail[0]).toMatchObject({ type: 'string_type', loc: ['body', 'password'] });
    expect(await storedUser(user.id)).toMatchObject({ email: user.email, isSuperuser: false, firstName: null });
  });

  it('lets one of two concurrent moves to the same free address win; the other gets 400', async () => {
    const a = await seedUser();
    const b = await seedUser();
    const target = uniqueEmail();
    const results = await Promise.all([
      api('PATCH', '/users/me', { token: a.token, json: { email: target } }),
      api('PATCH', '/users/me', { token: b.token, json: { email: target.toUpperCase() } }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(results.find((r) => r.status === 400)!.body).toEqual(EMAIL_TAKEN);
    // Whoever won holds the address, in the spelling they sent; the other keeps theirs.
    const [winner, loser] = results[0]!.status === 200 ? [a, b] : [b, a];
    const won = results.find((r) => r.status === 200)!.body;
    expect(await usersWithEmailInAnyCase(target)).toEqual([expect.objectContaining({ id: winner.id, email: won.email })]);
    expect(await storedUser(loser.id)).toMatchObject({ email: loser.email });
  });

  it('recognises the unique-index violation of an e-mail change that lost a race', async () => {
    const a = await seedUser();
    const b = await seedUser();
    const error = await updateUserStatement(getDb(env), a.id, { email: b.email.toUpperCase() }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDuplicateEmailError(error)).toBe(true);
  });
});

describe('PATCH /users/{id} errors', () => {
  it('refuses an explicit null for a flag or the e-mail', async () => {
    const admin = await seedSuperuser();
    const user = await seedUser();
    for (const field of ['is_active', 'is_superuser', 'is_verified']) {
      const res = await api('PATCH', `/users/${user.id}`, { token: admin.token, json: { [field]: null } });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ detail: [{ type: 'bool_type', loc: ['body', field], msg: 'Input should be a valid boolean', input: null }] });
    }
    const email = await api('PATCH', `/users/${user.id}`, { token: admin.token, json: { email: null } });
    expect(email.status).toBe(422);
    expect(email.body.detail[0]).toMatchObject({ type: 'string_type', loc: ['body', 'email'], input: null });
    expect(await storedUser(user.id)).toMatchObject({ isActive: true, isSuperuser: false, isVerified: false, email: user.email });
  });

  it('answers the same 400s as PATCH /users/me', async () => {
    const admin = await seedSuperuser();
    const user = await seedUser();
    const other = await seedUser();
    expect((await api('PATCH', `/users/${user.id}`, { token: admin.token, json: { password: 'short', email: other.email } })).body).toEqual(
      invalidPassword('Password should be at least 8 characters'),
    );
    expect((await api('PATCH', `/users/${user.id}`, { token: admin.token, json: { email: other.email } })).body).toEqual(EMAIL_TAKEN);
    expect(await emailsTo(other.email, 'verify')).toHaveLength(0);
  });

  it('answers 404 for an unknown or malformed id, before validating the body', async () => {
    const admin = await seedSuperuser();
    const user = await seedUser();
    // uuid.UUID is strict where it is not lenient: `URN:UUID:` is case-sensitive, a space makes 33 characters.
    const almost = [`URN:UUID:${user.id}`, ` ${user.id}`, `${user.id.slice(0, -1)}g`, `${user.id}-0`];
    for (const id of [crypto.randomUUID(), 'foo', '123', `${crypto.randomUUID()}0`, ...almost]) {
      for (const [method, json] of [['GET', undefined], ['PATCH', { is_active: 'nope' }], ['DELETE', undefined]] as const) {
        const res = await api(method, `/users/${encodeURIComponent(id)}`, { token: admin.token, json });
        expect(res.status, `${method} ${id}`).toBe(404);
        expect(res.body).toEqual({ detail: 'Not Found' });
      }
    }
  });
});

describe('routing around /users/me', () => {
  it('PUT /users/me is 405 with Allow', async () => {
    const user = await seedUser();
    const res = await api('PUT', '/users/me', { token: user.token, json: {} });
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ detail: 'Method Not Allowed' });
    expect(res.headers.get('allow')).toContain('PATCH');
  });

  it('DELETE /users/me falls through to /users/{id}: 404 for a superuser', async () => {
    const admin = await seedSuperuser();
    const res = await api('DELETE', '/users/me', { token: admin.token });
    expect(res.status).toBe(404);
    expect(await storedUser(admin.id)).toBeDefined();
  });
});
