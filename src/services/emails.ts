import type { Bindings } from '../env';
import { getDb } from '../db/client';
import { type EmailFilters, findEmail, listEmails, listMailbox, resetEmailForResend } from '../db/emails';
import type { Email } from '../db/schema';
import { enqueueEmails } from '../email/outbox';
import { conflictError, missingError } from '../lib/domain-errors';
import { parseUuid } from '../lib/uuid';

/** One page of recorded e-mails, newest first, with their delivery state. */
export const listRecordedEmails = (env: Bindings, filters: EmailFilters) => listEmails(getDb(env), filters);

/** The development mailbox: whole e-mails, newest first. */
export const readMailbox = (env: Bindings, filters: { to?: string; limit: number }) => listMailbox(getDb(env), filters);

/**
 * Queues a sent or failed e-mail again with a new idempotency key (so the provider sends it as
 * a new message); 404 for an unknown id, 409 EMAIL_PENDING while it is still being delivered.
 */
export async function resendEmail(env: Bindings, rawId: string): Promise<Email> {
  const id = parseUuid(rawId);
  if (!id) throw missingError();
  const db = getDb(env);
  const email = await resetEmailForResend(db, id);
  if (!email) {
    if (!(await findEmail(db, id))) throw missingError();
    throw conflictError('EMAIL_PENDING', 'This e-mail is still being delivered; it can be sent again once it is sent or failed');
  }
  await enqueueEmails(env, db, [email]);
  return email;
}
