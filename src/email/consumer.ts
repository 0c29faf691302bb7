import type { Bindings, EmailQueueMessage } from '../env';
import { getDb, type Db } from '../db/client';
import { findEmail, markEmailFailed, markEmailSent, recordTemporaryFailure } from '../db/emails';
import { loggableError } from '../lib/error-cause';
import { log } from '../lib/log';
import { emailProviderFor, type EmailProvider } from './providers';

/** Exponential back-off between attempts: 2, 4, 8 … seconds, at most a minute. */
export const MAX_BACKOFF_SECONDS = 60;
/** A provider's `Retry-After` is honoured up to five minutes. */
export const MAX_RETRY_AFTER_SECONDS = 300;

const backoffSeconds = (attempts: number) => Math.min(2 ** Math.max(1, attempts), MAX_BACKOFF_SECONDS);

/** The e-mail a message is about, or null for a message that is not ours. */
function emailRefOf(message: Message<unknown>): { emailId: string; idempotencyKey?: string } | null {
  const body = message.body as Partial<EmailQueueMessage> | null;
  if (body === null || typeof body !== 'object' || typeof body.email_id !== 'string' || body.email_id.length > 64) return null;
  return typeof body.idempotency_key === 'string' ? { emailId: body.email_id, idempotencyKey: body.idempotency_key } : { emailId: body.email_id };
}

/**
 * One delivery attempt. The row decides: a message for a missing, sent or failed e-mail is
 * acknowledged without sending, so at-least-once delivery never sends an e-mail twice.
 */
async function deliver(db: Db, provider: EmailProvider, message: Message<unknown>, emailId: string): Promise<void> {
  const email = await findEmail(db, emailId);
  if (email?.status !== 'pending') {
    log('info', 'email message skipped', { email_id: emailId, status: email?.status ?? 'missing' });
    message.ack();
    return;
  }
  const result = await provider.send(email);
  switch (result.outcome) {
    case 'sent':
      await markEmailSent(db, email.id, result.providerMessageId);
      log('info', 'email sent', { email_id: email.id, kind: email.kind, provider: provider.name, provider_message_id: result.providerMessageId });
      message.ack();
      return;
    case 'failed':
      await markEmailFailed(db, email.id, result.error, true);
      log('error', 'email failed permanently', { email_id: email.id, kind: email.kind, error: result.error });
      message.ack();
      return;
    case 'retry': {
      const attempts = await recordTemporaryFailure(db, email.id, result.error);
      if (attempts === null) {
        message.ack();
        return;
      }
      const delaySeconds =
        result.retryAfterSeconds !== undefined
          ? Math.min(result.retryAfterSeconds, MAX_RETRY_AFTER_SECONDS)
          : backoffSeconds(attempts);
      log('warn', 'email delivery will be retried', { email_id: email.id, attempts, delay_seconds: delaySeconds, error: result.error });
      message.retry({ delaySeconds });
    }
  }
}

/**
 * A message that used up its retries: the e-mail is marked failed, with the last reason —
 * unless it was resent since (a new idempotency key), in which case the dead letter is stale.
 */
async function giveUp(db: Db, message: Message<unknown>, emailId: string, idempotencyKey?: string): Promise<void> {
  const email = await findEmail(db, emailId);
  const stale = idempotencyKey !== undefined && email !== undefined && email.idempotencyKey !== idempotencyKey;
  if (email?.status === 'pending' && !stale) {
    const plural = email.attempts === 1 ? '' : 's';
    const reason = `gave up after ${email.attempts} attempt${plural}${email.lastError ? `; last error: ${email.lastError}` : ''}`;
    await markEmailFailed(db, email.id, reason, false);
    log('error', 'email dead-lettered', { email_id: email.id, kind: email.kind, attempts: email.attempts, last_error: email.lastError });
  }
  message.ack();
}

/** The dead-letter queue of the e-mail queue is named `<queue>-dlq` (see wrangler.toml). */
const isDeadLetterQueue = (queueName: string) => queueName.endsWith('-dlq');

/**
 * Consumer of the e-mail queue and of its dead-letter queue. Every message is handled on its
 * own: one that fails, even by throwing, is retried alone and never holds back the others.
 * Messages are handled one after another, which keeps within the provider's rate limit.
 */
export async function handleEmailBatch(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const db = getDb(env);
  const deadLetters = isDeadLetterQueue(batch.queue);
  const provider = emailProviderFor(env);
  for (const message of batch.messages) {
    const ref = emailRefOf(message);
    if (!ref) {
      log('error', 'email message without an email_id dropped', { queue: batch.queue, message_id: message.id });
      message.ack();
      continue;
    }
    const { emailId, idempotencyKey } = ref;
    try {
      if (deadLetters) await giveUp(db, message, emailId, idempotencyKey);
      else await deliver(db, provider, message, emailId);
    } catch (error) {
      log('error', 'email message failed', {
        queue: batch.queue,
        email_id: emailId,
        error: loggableError(error),
      });
      message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    }
  }
}
