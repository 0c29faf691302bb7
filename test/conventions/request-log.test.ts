import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { AUTH_AUDIENCE, signToken } from '../../src/lib/jwt';
import { api, newUser, PASSWORD, uniqueEmail } from '../support';

/** Runs one request and returns its request log line. */
async function logLineOf(request: () => Promise<{ status: number }>) {
  const log = vi.spyOn(console, 'log');
  const res = await request();
  const lines = log.mock.calls.map(([line]) => String(line)).filter((line) => line.includes('"msg":"request"'));
  log.mockRestore();
  expect(lines).toHaveLength(1);
  return { status: res.status, raw: lines[0]!, line: JSON.parse(lines[0]!) };
}

describe('the request log line of a refused request', () => {
  it('carries the error code of a bare-string error, never the credentials', async () => {
    const email = uniqueEmail('log-login');
    const { status, raw, line } = await logLineOf(() =>
      api('POST', '/auth/jwt/login', { form: { username: email, password: 'not the password at all' } }),
    );
    expect(status).toBe(400);
    expect(line).toMatchObject({ level: 'info', msg: 'request', method: 'POST', path: '/auth/jwt/login', status: 400, error: 'LOGIN_BAD_CREDENTIALS' });
    expect(raw).not.toContain(email);
    expect(raw).not.toContain('not the password');
  });

  it('carries the code and reason of a coded error', async () => {
    const { line, raw } = await logLineOf(() =>
      api('POST', '/auth/register', { json: { email: uniqueEmail('log-weak'), password: 'short1' } }),
    );
    expect(line).toMatchObject({ status: 400, error: 'REGISTER_INVALID_PASSWORD', reason: 'Password should be at least 8 characters' });
    expect(raw).not.toContain('short1');
  });

  it('carries the kinds and field locations of a 422, never the values', async () => {
    const { line, raw } = await logLineOf(() =>
      api('POST', '/auth/register', { json: { email: 'not-an-address-secret', password: 12345678 } }),
    );
    expect(line).toMatchObject({ status: 422, error: 'value_error,string_type', loc: ['body.email', 'body.password'] });
    expect(raw).not.toContain('not-an-address-secret');
    expect(raw).not.toContain('12345678');
  });

  it('says json_invalid, with the location, for malformed JSON', async () => {
    const { line } = await logLineOf(() =>
      api('POST', '/auth/register', { raw: '{"email": "a@example.com", "password": ', headers: { 'content-type': 'application/json' } }),
    );
    expect(line.status).toBe(422);
    expect(line.error).toBe('json_invalid');
    expect(line.loc).toHaveLength(1);
    expect(line.loc[0]).toMatch(/^body\.\d+$/);
  });

  it('logs the path only, never the query string', async () => {
    const { line, raw } = await logLineOf(() => api('GET', '/dev/mailbox?to=secret.person%40example.com&limit=0'));
    expect(line).toMatchObject({ status: 422, path: '/dev/mailbox', loc: ['query.limit'] });
    expect(raw).not.toContain('secret.person');
  });

  it.each([
    ['no Authorization header', undefined],
    ['not a Bearer token', 'Basic dXNlcjpwYXNz'],
    ['invalid token', 'Bearer not.a.jwt'],
  ])('says why a 401 was refused: %s', async (reason, authorization) => {
    const { line } = await logLineOf(() => api('GET', '/users/me', { headers: authorization ? { authorization } : {} }));
    expect(line).toMatchObject({ status: 401, error: 'Unauthorized', reason });
  });

  it('tells an expired token from a revoked one, and logs neither token', async () => {
    const user = await newUser();
    const expired = await signToken({ sub: user.id, aud: [AUTH_AUDIENCE], jti: crypto.randomUUID(), ver: 0 }, env.JWT_SECRET, -60);
    const expiredLine = await logLineOf(() => api('GET', '/users/me', { token: expired }));
    expect(expiredLine.line).toMatchObject({ status: 401, error: 'Unauthorized', reason: 'expired token' });
    expect(expiredLine.raw).not.toContain(expired);

    expect((await api('POST', '/auth/jwt/logout', { token: user.token })).status).toBe(204);
    const revokedLine = await logLineOf(() => api('GET', '/users/me', { token: user.token }));
    expect(revokedLine.line).toMatchObject({ status: 401, reason: 'revoked token (logged out)' });
    expect(revokedLine.raw).not.toContain(user.token);
  });

  it('says why a token of a changed password is refused', async () => {
    const user = await newUser();
    const changed = await api('PATCH', '/users/me', { token: user.token, json: { password: `${PASSWORD} changed` } });
    expect(changed.status).toBe(200);
    const { line } = await logLineOf(() => api('GET', '/users/me', { token: user.token }));
    expect(line).toMatchObject({ status: 401, reason: 'token predates a password change' });
  });

  it('adds nothing but its D1 cost to the line of a successful request', async () => {
    const { line } = await logLineOf(() => api('GET', '/health'));
    expect(Object.keys(line).sort()).toEqual(['d1', 'duration_ms', 'level', 'method', 'msg', 'path', 'request_id', 'status']);
  });
});
