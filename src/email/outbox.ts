import type { BatchItem, BatchResponse } from 'drizzle-orm/batch';
import type { Bindings, QueuedEmailRef } from '../env';
import { getConfig } from '../config';
import type { Db } from '../db/client';
import { markEmailsQueued } from '../db/emails';
import { emails, type EmailKind } from '../db/schema';
import { runInBackground } from '../lib/background';
import { chunks } from '../lib/chunks';
import { loggableError } from '../lib/error-cause';
import { log } from '../lib/log';
import { renderEmail, type EmailData } from './templates';

export interface OutgoingEmail<K extends EmailKind = EmailKind> {
  kind: K;
  to: string;
  data: EmailData[K];
  userId?: string;
  orderId?: number;
}

/** The INSERT that records an e-mail, and the id it gets; run it through `writeWithEmails`. */
export function recordEmail<K extends EmailKind>(db: Db, env: Bindings, email: OutgoingEmail<K>) {
  const id = crypto.randomUUID();
  const rendered = renderEmail(email.kind, email.data, getConfig(env));
  const statement = db.insert(emails).values({
    id,
    kind: email.kind,
    toAddress: email.to,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    idempotencyKey: id,
    userId: email.userId ?? null,
    orderId: email.orderId ?? null,
  });
  return { id, statement };
}

/** A queue takes at most 100 messages per sendBatch. */
const MESSAGES_PER_SEND = 100;

/**
 * Hands recorded e-mails to the queue. A failure here loses nothing: the rows stay
 * `pending` with no `queued_at`, and the scheduled re-queue job picks them up.
 */
export async function enqueueEmails(env: Bindings, db: Db, emails: QueuedEmailRef[]): Promise<void> {
  const messages = emails.map((email) =>
    typeof email === 'string' ? { email_id: email, idempotency_key: email } : { email_id: email.id, idempotency_key: email.idempotencyKey },
  );
  for (const batch of chunks(messages, MESSAGES_PER_SEND)) {
    const part = batch.map((message) => message.email_id);
    try {
      await env.EMAIL_QUEUE.sendBatch(batch.map((body) => ({ body })));
      await markEmailsQueued(db, part);
    } catch (error) {
      log('error', 'email enqueue failed', { email_ids: part, error: loggableError(error) });
    }
  }
}

/**
 * Writes a change and the e-mails it causes in one D1 batch, so an e-mail exists exactly when
 * its change does, then hands the e-mails to the queue. The batch is `change`, the e-mails'
 * INSERTs, then `afterEmails(ids)` (statements that refer to the recorded e-mails). Returns the
 * results of `change`; a failed batch throws and records and queues nothing. Queueing (and
 * marking the rows queued, a write to the primary) runs after the answer: the rows are the
 * truth, and the scheduled re-queue job picks up any that never made it.
 */
export async function writeWithEmails<T extends BatchItem<'sqlite'>[]>(
  env: Bindings,
  db: Db,
  change: [...T],
  outgoing: OutgoingEmail[],
  afterEmails: (emailIds: string[]) => BatchItem<'sqlite'>[] = () => [],
): Promise<BatchResponse<T>> {
  const recorded = outgoing.map((email) => recordEmail(db, env, email));
  const ids = recorded.map((email) => email.id);
  const statements = [...change, ...recorded.map((email) => email.statement), ...afterEmails(ids)];
  const results = statements.length ? await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]) : [];
  if (ids.length) await runInBackground(env, 'email enqueue', () => enqueueEmails(env, db, ids));
  return results.slice(0, change.length) as BatchResponse<T>;
}
