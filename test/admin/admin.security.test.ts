import { describe, expect, it } from 'vitest';
import { api, readEmail, recordTestEmail, seedUser } from '../support';

// 401 and 403 on every admin route: test/security/protected-routes.test.ts.
describe('admin e-mail routes are for superusers only', () => {
  it('checks the token before the query (401 before 422) and the role before the id (403 before 404)', async () => {
    expect((await api('GET', '/admin/emails?limit=0')).status).toBe(401);
    const { token } = await seedUser();
    expect((await api('GET', '/admin/emails?limit=0', { token })).status).toBe(403);
    expect((await api('POST', '/admin/emails/nope/resend', { token })).status).toBe(403);
  });

  it('leaves the e-mail untouched when a non-superuser tries to resend it', async () => {
    const email = await recordTestEmail({ fields: { status: 'failed' } });
    const { token } = await seedUser();
    expect((await api('POST', `/admin/emails/${email.id}/resend`, { token })).status).toBe(403);
    expect(await readEmail(email.id)).toEqual(email);
  });
});
