import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { users } from '../../src/db/schema';
import { api, seedSuperuser, seedUser } from '../helpers';
import { readEmail, recordTestEmail } from '../email/fixtures';

const routes = (id: string) =>
  [
    ['GET', '/admin/emails'],
    ['POST', `/admin/emails/${id}/resend`],
  ] as const;

describe('admin e-mail routes are for superusers only', () => {
  it.each(routes(crypto.randomUUID()))('%s %s answers 401 without a token', async (method, path) => {
    const res = await api(method, path);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Unauthorized' });
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it.each(routes(crypto.randomUUID()))('%s %s answers 401 with a bad token', async (method, path) => {
    const res = await api(method, path, { token: 'not.a.jwt' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Unauthorized' });
  });

  it.each(routes(crypto.randomUUID()))('%s %s answers 403 to a user who is not a superuser', async (method, path) => {
    const { token } = await seedUser();
    const res = await api(method, path, { token });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'Forbidden' });
  });

  it('checks the token before the query (401 before 422) and the role before the id (403 before 404)', async () => {
    expect((await api('GET', '/admin/emails?limit=0')).status).toBe(401);
    const { token } = await seedUser();
    expect((await api('GET', '/admin/emails?limit=0', { token })).status).toBe(403);
    expect((await api('POST', '/admin/emails/nope/resend', { token })).status).toBe(403);
  });

  it('refuses an inactive superuser', async () => {
    const admin = await seedSuperuser();
    await getDb(env).update(users).set({ isActive: false }).where(eq(users.id, admin.id));
    expect((await api('GET', '/admin/emails', { token: admin.token })).status).toBe(401);
  });

  it('leaves the e-mail untouched when a non-superuser tries to resend it', async () => {
    const email = await recordTestEmail({ fields: { status: 'failed' } });
    const { token } = await seedUser();
    expect((await api('POST', `/admin/emails/${email.id}/resend`, { token })).status).toBe(403);
    expect(await readEmail(email.id)).toEqual(email);
  });
});
