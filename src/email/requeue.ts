import type { Bindings } from '../env';
import { getDb } from '../db/client';
import { expirePendingEmails, findStalePendingEmails } from '../db/emails';
import { log } from '../lib/log';
import { isoNow } from '../lib/time';
import { enqueueEmails } from './outbox';

/** A pending e-mail younger than this is still on its normal way to the queue. */
export const REQUEUE_GRACE_SECONDS = 2 * 60;
/**
 * A queue message refreshes `queued_at` on every attempt and waits at most 5 minutes between
 * attempts; silence for longer means the message is gone.
 */
export const QUEUE_SILENCE_SECONDS = 10 * 60;
/** After a day an e-mail (a reset link, an order notice) is no longer worth sending. */
export const EXPIRY_SECONDS = 24 * 60 * 60;
/** Rows handled per run and per kind of work; the cron runs every 5 minutes. */
export const REQUEUE_BATCH = 100;

/**
 * The scheduled safety net: e-mails recorded but never queued (the enqueue after the D1
 * batch failed) or whose messages were lost are queued again; those pending for a day are
 * marked failed. Re-queueing an e-mail that is in fact still queued is harmless: the
 * consumer sends only pending rows, with the row's idempotency key.
 */
export async function requeueStaleEmails(env: Bindings, now = new Date()): Promise<{ requeued: string[]; expired: string[] }> {
  const db = getDb(env);
  const ago = (seconds: number) => isoNow(new Date(now.getTime() - seconds * 1000));
  const expired = await expirePendingEmails(db, ago(EXPIRY_SECONDS), 'expired: not delivered within 24 hours', REQUEUE_BATCH);
  const stale = await findStalePendingEmails(db, {
    recordedBefore: ago(REQUEUE_GRACE_SECONDS),
    queuedBefore: ago(QUEUE_SILENCE_SECONDS),
    notBefore: ago(EXPIRY_SECONDS),
    limit: REQUEUE_BATCH,
  });
  await enqueueEmails(env, db, stale);
  const requeued = stale.map((email) => email.id);
  if (expired.length || requeued.length) {
    log('info', 'email re-queue job', { requeued: requeued.length, expired: expired.length });
  }
  return { requeued, expired };
}
