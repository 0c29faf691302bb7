import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { and, eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { getDb } from '../../src/db/client';
import { emails, type Email, type EmailKind } from '../../src/db/schema';
import type { Bindings, EmailQueueMessage } from '../../src/env';
import { recordEmail } from '../../src/email/outbox';
import type { EmailData } from '../../src/email/templates';
import worker from '../../src/index';
import { uniqueEmail } from './users';

/** APP_URL in vitest.config.ts: the links in e-mails start with it. */
export const APP_URL = 'http://localhost:8787';
export const EMAIL_QUEUE = 'ashte-emails';
export const DEAD_LETTER_QUEUE = 'ashte-emails-dlq';
export const RESEND_URL = 'https://resend.test';

/** The e-mails sent to an address (of one kind, if given), newest first, as D1 holds them. */
export const emailsTo = (to: string, kind?: EmailKind) =>
  getDb(env)
    .select()
    .from(emails)
    .where(and(eq(emails.toAddress, to), kind ? eq(emails.kind, kind) : undefined))
    .orderBy(sql`${emails}.rowid desc`);

/** The e-mails of one kind to this address in any letter case, as D1 holds them. */
export const emailsToAnyCase = (to: string, kind: EmailKind) =>
  getDb(env)
    .select()
    .from(emails)
    .where(and(sql`lower(${emails.toAddress}) = lower(${to})`, eq(emails.kind, kind)));

/** The e-mails about an order, oldest first. */
export const emailsOfOrder = (orderId: number) =>
  getDb(env).select().from(emails).where(eq(emails.orderId, orderId)).orderBy(emails.createdAt);

/**
 * The token in the newest e-mail of a kind, read from its text the way a person reads the
 * link in /dev/mailbox: `<APP_URL>/verify?token=…` or `<APP_URL>/reset-password?token=…`.
 */
export async function tokenFromEmail(to: string, kind: 'verify' | 'reset_password'): Promise<string> {
  const [latest] = await emailsTo(to, kind);
  if (!latest) throw new Error(`no ${kind} e-mail to ${to}`);
  const path = kind === 'verify' ? '/verify' : '/reset-password';
  const escaped = `${APP_URL}${path}`.replace(/[.?]/g, '\\$&');
  const match = new RegExp(`${escaped}\\?token=([A-Za-z0-9._~%-]+)`).exec(latest.text);
  if (!match) throw new Error(`no link in: ${latest.text}`);
  return decodeURIComponent(match[1]!);
}

/** The Worker's bindings with Resend selected and pointed at an address only the fetch mock answers. */
export const resendEnv = (overrides: Partial<Bindings> = {}): Bindings => ({
  ...env,
  EMAIL_PROVIDER: 'resend',
  RESEND_API_URL: RESEND_URL,
  RESEND_API_KEY: 're_test_key',
  ...overrides,
});

/**
 * Records an e-mail the way the routes do (recordEmail in a D1 batch) without queueing it,
 * so only the test drives its delivery.
 */
export async function recordTestEmail<K extends EmailKind = 'verify'>(
  options: { to?: string; kind?: K; data?: EmailData[K]; fields?: Partial<Email> } = {},
): Promise<Email> {
  const db = getDb(env);
  const kind = (options.kind ?? 'verify') as K;
  const data = (options.data ?? { name: 'Asha', token: 'token-123' }) as EmailData[K];
  const { id, statement } = recordEmail(db, env, { kind, to: options.to ?? uniqueEmail('mail'), data });
  await db.batch([statement]);
  if (options.fields) await db.update(emails).set(options.fields).where(eq(emails.id, id));
  return readEmail(id);
}

export async function readEmail(id: string): Promise<Email> {
  const row = await getDb(env).select().from(emails).where(eq(emails.id, id)).get();
  if (!row) throw new Error(`no e-mail ${id}`);
  return row;
}

/** Runs the Worker's queue handler on messages for these e-mail ids and returns what it acked and retried. */
export async function deliver(
  ids: string[],
  options: { env?: Bindings; queue?: string; attempts?: number; bodies?: unknown[] } = {},
) {
  const bodies = options.bodies ?? ids.map((id): EmailQueueMessage => ({ email_id: id }));
  const batch = createMessageBatch<EmailQueueMessage>(
    options.queue ?? EMAIL_QUEUE,
    bodies.map((body, i) => ({
      id: `message-${i}`,
      timestamp: new Date(),
      attempts: options.attempts ?? 1,
      body: body as EmailQueueMessage,
    })),
  );
  // The test harness records that a message was retried but not with which delay: note it here.
  const delays = new Map<string, number | undefined>();
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (retryOptions?: QueueRetryOptions) => {
      delays.set(message.id, retryOptions?.delaySeconds);
      retry(retryOptions);
    };
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, options.env ?? env);
  const result = await getQueueResult(batch, ctx);
  return {
    ...result,
    retryMessages: result.retryMessages.map(({ msgId }) => ({ msgId, delaySeconds: delays.get(msgId) })),
  };
}

/** Waits until the queue consumer has settled an e-mail (sent it, by default). */
export const waitForEmailStatus = (id: string, status: Email['status'] = 'sent') =>
  expect.poll(async () => (await readEmail(id)).status, { timeout: 20_000, interval: 200 }).toBe(status);
