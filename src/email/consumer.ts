import { eq } from 'drizzle-orm';
import type { Bindings, EmailQueueMessage } from '../env';
import { getDb } from '../db/client';
import { emails } from '../db/schema';
import { isoNow } from '../lib/time';

/** Delivers queued e-mails. (Minimal: the mailbox provider marks them sent.) */
export async function handleEmailBatch(batch: MessageBatch<EmailQueueMessage>, env: Bindings): Promise<void> {
  const db = getDb(env);
  for (const message of batch.messages) {
    await db
      .update(emails)
      .set({ status: 'sent', sentAt: isoNow(), updatedAt: isoNow() })
      .where(eq(emails.id, message.body.email_id));
    message.ack();
  }
}
