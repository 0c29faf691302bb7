import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getDb } from '../../src/db/client';
import { enqueueEmails } from '../../src/email/outbox';
import worker from '../../src/index';
import { api, deliver, jsonResponse, readEmail, recordTestEmail, RESEND_URL, resendEnv, secondsAgo, seedUser, waitForEmailStatus } from '../support';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('delivery through Resend', () => {
  it('posts the recorded e-mail with the key, the idempotency key and the configured sender', async () => {
    const fetchMock = vi.spyOn(globalThis, 'fetch').mockResolvedValue(jsonResponse({ id: 're_msg_1' }));
    const email = await recordTestEmail();

    const result = await deliver([email.id], { env: resendEnv({ EMAIL_FROM: 'Shop <shop@example.com>', EMAIL_REPLY_TO: 'help@example.com' }) });

    expect(result.explicitAcks).toEqual(['message-0']);
    expect(result.retryMessages).toEqual([]);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe(`${RESEND_URL}/emails`);
    expect(init?.method).toBe('POST');
    expect(init?.signal).toBeInstanceOf(AbortSignal);
    const headers = new Headers(init?.headers);
    expect(headers.get('authorization')).toBe('Bearer re_test_key');
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('idempotency-key')).toBe(email.idempotencyKey);
    expect(email.idempotencyKey).toBe(email.id);
    expect(JSON.parse(String(init?.body))).toEqual({
      from: 'Shop <shop@example.com>',
      to: [email.toAddress],
      subject: email.subject,
      html: email.html,
      text: email.text,
      reply_to: 'help@example.com',
    });

    const row = await readEmail(email.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null, providerMessageId: 're_msg_1' });
    expect(row.sentAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('leaves reply_to out when EMAIL_REPLY_TO is not set, and uses the default Resend URL', async () => {
    const fetchMock = vi.spyOn(globalThis, 'fetch').mockResolvedValue(jsonResponse({ id: 're_msg_2' }));
    const email = await recordTestEmail();

    await deliver([email.id], { env: resendEnv({ RESEND_API_URL: undefined, EMAIL_REPLY_TO: undefined }) });

    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('https://api.resend.com/emails');
    expect(JSON.parse(String(init?.body))).not.toHaveProperty('reply_to');
    expect((await readEmail(email.id)).status).toBe('sent');
  });
});

describe('delivery to the mailbox', () => {
  it('marks the e-mail sent without any HTTP call and logs recipient, subject and links (tokens blanked out)', async () => {
    const fetchMock = vi.spyOn(globalThis, 'fetch');
    const log = vi.spyOn(console, 'log');
    const email = await recordTestEmail({ data: { name: 'Asha', token: 'abc' } });

    const result = await deliver([email.id], { env: { ...env, EMAIL_PROVIDER: 'mailbox' } });

    expect(result.explicitAcks).toEqual(['message-0']);
    expect(fetchMock).not.toHaveBeenCalled();
    expect(await readEmail(email.id)).toMatchObject({ status: 'sent', attempts: 1, providerMessageId: `mailbox:${email.id}` });
    const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(lines).toContainEqual({
      level: 'info',
      msg: 'email kept in mailbox',
      email_id: email.id,
      to: email.toAddress,
      subject: email.subject,
      links: ['http://localhost:8787/verify?token=…'],
    });
  });
});

describe('the queue', () => {
  it('delivers what enqueueEmails hands it, through the Worker queue consumer', async () => {
    const email = await recordTestEmail();
    await enqueueEmails(env, getDb(env), [email.id]);

    expect((await readEmail(email.id)).queuedAt).not.toBeNull();
    await waitForEmailStatus(email.id);
    expect((await readEmail(email.id)).providerMessageId).toBe(`mailbox:${email.id}`);
  });
});

describe('the scheduled re-queue job', () => {
  // The job's time is its controller's scheduledTime: rows are dated relative to the same `now`.
  const now = new Date();
  const runJob = async () => worker.scheduled(createScheduledController({ scheduledTime: now, cron: '*/5 * * * *' }), env);
  const ago = (seconds: number) => secondsAgo(seconds, now);

  it('queues an e-mail that was recorded but never queued, and it gets delivered', async () => {
    const stale = await recordTestEmail({ fields: { createdAt: ago(5 * 60) } });
    expect(stale.queuedAt).toBeNull();

    await runJob();

    expect((await readEmail(stale.id)).queuedAt).not.toBeNull();
    await waitForEmailStatus(stale.id);
  });

  it('queues again an e-mail whose queue message went silent', async () => {
    const lost = await recordTestEmail({ fields: { createdAt: ago(60 * 60), queuedAt: ago(30 * 60) } });
    await runJob();
    expect((await readEmail(lost.id)).queuedAt! > lost.queuedAt!).toBe(true);
  });

  it('leaves alone e-mails that are fresh, recently queued, or no longer pending', async () => {
    const fresh = await recordTestEmail();
    const recentlyQueued = await recordTestEmail({ fields: { createdAt: ago(5 * 60), queuedAt: ago(60) } });
    const sent = await recordTestEmail({ fields: { createdAt: ago(5 * 60), status: 'sent' } });
    const failed = await recordTestEmail({ fields: { createdAt: ago(5 * 60), status: 'failed' } });

    await runJob();

    expect(await readEmail(fresh.id)).toEqual(fresh);
    expect(await readEmail(recentlyQueued.id)).toEqual(recentlyQueued);
    expect(await readEmail(sent.id)).toEqual(sent);
    expect(await readEmail(failed.id)).toEqual(failed);
  });

  it('marks failed an e-mail pending for more than a day, keeping the last error', async () => {
    const old = await recordTestEmail({ fields: { createdAt: ago(25 * 60 * 60), lastError: 'Resend answered 503 error' } });
    await runJob();
    const row = await readEmail(old.id);
    expect(row.status).toBe('failed');
    expect(row.lastError).toBe('expired: not delivered within 24 hours; last error: Resend answered 503 error');
    expect(row.queuedAt).toBeNull();
  });
});

interface MailboxEmail {
  subject: string;
  status: string;
  text: string;
  links: string[];
}

/** The mailbox of one address once the queue has delivered `count` e-mails to it. */
async function deliveredTo(address: string, count: number): Promise<MailboxEmail[]> {
  let mails: MailboxEmail[] = [];
  await expect
    .poll(
      async () => {
        mails = (await api<MailboxEmail[]>('GET', `/dev/mailbox?to=${encodeURIComponent(address)}`)).body;
        return mails.filter((mail) => mail.status === 'sent').length;
      },
      { timeout: 15_000, interval: 200 },
    )
    .toBe(count);
  return mails;
}

describe('from a request to a delivered e-mail', () => {
  it('POST /auth/forgot-password → a delivered reset e-mail whose link resets the password → a "password changed" e-mail', async () => {
    const user = await seedUser({ firstName: '<b>Asha</b>' });

    const forgot = await api('POST', '/auth/forgot-password', { json: { email: user.email } });
    expect(forgot.status).toBe(202);

    const [reset] = await deliveredTo(user.email, 1);
    expect(reset!.subject).toBe('Reset your Ashte password');
    expect(reset!.text).toMatch(/^Hello <b>Asha<\/b>,/);
    expect(reset!.links).toHaveLength(1);
    const link = new URL(reset!.links[0]!);
    expect(`${link.origin}${link.pathname}`).toBe('http://localhost:8787/reset-password');
    const token = link.searchParams.get('token')!;

    const changed = await api('POST', '/auth/reset-password', { json: { token, password: 'a brand new passphrase' } });
    expect(changed.status).toBe(200);

    const mails = await deliveredTo(user.email, 2);
    expect(mails.map((mail) => mail.subject)).toEqual(['Your Ashte password was changed', 'Reset your Ashte password']);
  });
});
