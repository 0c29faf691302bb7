import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { enqueueEmails } from '../../src/email/outbox';
import { api, recordTestEmail, secondsAgo, uniqueEmail, waitForEmailStatus } from '../support';

describe('GET /dev/mailbox in development', () => {
  it('lists the e-mails to an address newest first, whole, with the links they contain', async () => {
    const to = uniqueEmail('mailbox');
    const verify = await recordTestEmail({ to, data: { name: 'Asha', token: 'verify-token' }, fields: { createdAt: secondsAgo(30) } });
    const reset = await recordTestEmail({ to, kind: 'reset_password', data: { name: 'Asha', token: 'reset-token' } });

    const res = await api('GET', `/dev/mailbox?to=${encodeURIComponent(to.toUpperCase())}`);

    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        id: reset.id,
        to,
        subject: 'Reset your Ashte password',
        text: reset.text,
        html: reset.html,
        status: 'pending',
        created_at: reset.createdAt,
        links: ['http://localhost:8787/reset-password?token=reset-token'],
      },
      {
        id: verify.id,
        to,
        subject: 'Verify your e-mail address for Ashte',
        text: verify.text,
        html: verify.html,
        status: 'pending',
        created_at: verify.createdAt,
        links: ['http://localhost:8787/verify?token=verify-token'],
      },
    ]);
  });

  it('shows an e-mail as sent once the queue has delivered it to the mailbox', async () => {
    const to = uniqueEmail('mailbox-sent');
    const email = await recordTestEmail({ to });
    await enqueueEmails(env, getDb(env), [email.id]);
    await waitForEmailStatus(email.id);
    const res = await api('GET', `/dev/mailbox?to=${to}`);
    expect(res.body.map((e: { status: string }) => e.status)).toEqual(['sent']);
  });

  it('keeps to the limit', async () => {
    const to = uniqueEmail('mailbox-limit');
    for (let i = 0; i < 3; i++) await recordTestEmail({ to });
    const res = await api('GET', `/dev/mailbox?to=${to}&limit=2`);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(2);
  });

  it('lists every recipient without a filter, 50 at most by default', async () => {
    for (let i = 0; i < 51; i++) await recordTestEmail();
    const res = await api('GET', '/dev/mailbox/');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(50);
  });

  it('is documented as development-only', async () => {
    const doc = (await api('GET', '/openapi.json')).body;
    const route = doc.paths['/dev/mailbox'].get;
    expect(route.summary).toMatch(/^Development only/);
    expect(route.description).toContain('ENVIRONMENT=development');
    expect(route.security).toEqual([]);
  });
});
