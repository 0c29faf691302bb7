import { inArray } from 'drizzle-orm';
import type { Bindings } from '../env';
import { getConfig } from '../config';
import type { Db } from '../db/client';
import { emails, type EmailKind } from '../db/schema';
import { isoNow } from '../lib/time';
import { renderEmail, type EmailData } from './templates';

export interface OutgoingEmail<K extends EmailKind = EmailKind> {
  kind: K;
  to: string;
  data: EmailData[K];
  userId?: string;
  orderId?: number;
}

/**
 * The INSERT that records an e-mail, to be put into the same `db.batch` as the change that
 * causes it: the e-mail exists exactly when the change does. Returns the id to enqueue.
 */
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

/**
 * Hands recorded e-mails to the queue. A failure here loses nothing: the rows stay
 * `pending` with no `queued_at`, and the scheduled re-queue job picks them up.
 */
export async function enqueueEmails(env: Bindings, db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  try {
    await env.EMAIL_QUEUE.sendBatch(ids.map((id) => ({ body: { email_id: id } })));
    await db
      .update(emails)
      .set({ queuedAt: isoNow() })
      .where(inArray(emails.id, ids));
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', msg: 'email enqueue failed', email_ids: ids, error: String(error) }));
  }
}
