import { and, count, desc, eq, inArray, isNull, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import { isoNow } from '../lib/time';
import { chunks } from '../lib/chunks';
import { type Db, IDS_PER_STATEMENT } from './client';
import { emails, type Email, type EmailStatus } from './schema';

/** Newest first; rows recorded in the same second keep their insertion order, newest first. */
const NEWEST_FIRST = [desc(emails.createdAt), sql`${emails}.rowid desc`] as const;

/** last_error is for people reading the admin list: keep it to a readable size. */
const LAST_ERROR_MAX = 1000;
const clip = (error: string) => (error.length > LAST_ERROR_MAX ? `${error.slice(0, LAST_ERROR_MAX - 1)}…` : error);

const sameAddress = (address: string) => sql`lower(${emails.toAddress}) = lower(${address})`;

export const findEmail = (db: Db, id: string): Promise<Email | undefined> =>
  db.select().from(emails).where(eq(emails.id, id)).get();

/** Notes that these e-mails were handed to the queue now (the re-queue job reads it). */
export async function markEmailsQueued(db: Db, ids: string[]): Promise<void> {
  const now = isoNow();
  for (const part of chunks(ids, IDS_PER_STATEMENT)) {
    await db.update(emails).set({ queuedAt: now }).where(inArray(emails.id, part));
  }
}

/**
 * The provider accepted the e-mail. Not guarded by status: even if the dead-letter consumer
 * gave up on it meanwhile, what the provider says is the truth.
 */
export async function markEmailSent(db: Db, id: string, providerMessageId: string | null): Promise<void> {
  const now = isoNow();
  await db
    .update(emails)
    .set({
      status: 'sent',
      sentAt: now,
      updatedAt: now,
      providerMessageId,
      lastError: null,
      attempts: sql`${emails.attempts} + 1`,
    })
    .where(eq(emails.id, id));
}

/**
 * A failed attempt that will be retried: counts it, keeps the reason and notes the
 * re-queueing (so the re-queue job leaves a message that is still alive alone).
 * Returns the attempts made so far, or null if the row is no longer pending.
 */
export async function recordTemporaryFailure(db: Db, id: string, error: string): Promise<number | null> {
  const now = isoNow();
  const row = await db
    .update(emails)
    .set({ attempts: sql`${emails.attempts} + 1`, lastError: clip(error), updatedAt: now, queuedAt: now })
    .where(and(eq(emails.id, id), eq(emails.status, 'pending')))
    .returning({ attempts: emails.attempts })
    .get();
  return row?.attempts ?? null;
}

/** Gives up on a pending e-mail; `countAttempt` when this call made a delivery attempt. */
export async function markEmailFailed(db: Db, id: string, error: string, countAttempt: boolean): Promise<void> {
  await db
    .update(emails)
    .set({
      status: 'failed',
      lastError: clip(error),
      updatedAt: isoNow(),
      ...(countAttempt ? { attempts: sql`${emails.attempts} + 1` } : {}),
    })
    .where(and(eq(emails.id, id), eq(emails.status, 'pending')));
}

/**
 * Makes a sent or failed e-mail pending again with a new idempotency key, so the provider
 * treats it as a new message. Guarded by status: of two concurrent resends, one wins.
 */
export function resetEmailForResend(db: Db, id: string): Promise<Email | undefined> {
  return db
    .update(emails)
    .set({
      status: 'pending',
      idempotencyKey: crypto.randomUUID(),
      attempts: 0,
      lastError: null,
      providerMessageId: null,
      sentAt: null,
      queuedAt: null,
      updatedAt: isoNow(),
    })
    .where(and(eq(emails.id, id), ne(emails.status, 'pending')))
    .returning()
    .get();
}

/**
 * Pending e-mails recorded before `recordedBefore` (but after `notBefore`) whose queue
 * message is missing (never queued, or not seen since `queuedBefore`), oldest first.
 */
export async function findStalePendingEmails(
  db: Db,
  opts: { recordedBefore: string; queuedBefore: string; notBefore: string; limit: number },
): Promise<{ id: string; idempotencyKey: string }[]> {
  return db
    .select({ id: emails.id, idempotencyKey: emails.idempotencyKey })
    .from(emails)
    .where(
      and(
        eq(emails.status, 'pending'),
        lte(emails.createdAt, opts.recordedBefore),
        sql`${emails.createdAt} > ${opts.notBefore}`,
        or(isNull(emails.queuedAt), lte(emails.queuedAt, opts.queuedBefore)),
      ),
    )
    .orderBy(emails.createdAt)
    .limit(opts.limit);
}

/** Marks failed up to `limit` e-mails still pending since before `recordedBefore`. */
export async function expirePendingEmails(db: Db, recordedBefore: string, reason: string, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: emails.id })
    .from(emails)
    .where(and(eq(emails.status, 'pending'), lt(emails.createdAt, recordedBefore)))
    .orderBy(emails.createdAt)
    .limit(limit);
  const ids = rows.map((row) => row.id);
  const now = isoNow();
  for (const part of chunks(ids, IDS_PER_STATEMENT)) {
    await db
      .update(emails)
      .set({
        status: 'failed',
        lastError: sql`substr(${reason} || coalesce('; last error: ' || ${emails.lastError}, ''), 1, ${LAST_ERROR_MAX})`,
        updatedAt: now,
      })
      .where(and(inArray(emails.id, part), eq(emails.status, 'pending')));
  }
  return ids;
}

export interface EmailFilters {
  status?: EmailStatus;
  to?: string;
  limit: number;
  offset: number;
}

const LIST_COLUMNS = {
  id: emails.id,
  kind: emails.kind,
  toAddress: emails.toAddress,
  subject: emails.subject,
  status: emails.status,
  attempts: emails.attempts,
  lastError: emails.lastError,
  providerMessageId: emails.providerMessageId,
  createdAt: emails.createdAt,
  updatedAt: emails.updatedAt,
  sentAt: emails.sentAt,
};
export type EmailListRow = Pick<Email, keyof typeof LIST_COLUMNS>;

/** One page of e-mails, newest first, and how many match in all. */
export async function listEmails(db: Db, filters: EmailFilters): Promise<{ rows: EmailListRow[]; total: number }> {
  const conditions: SQL[] = [];
  if (filters.status) conditions.push(eq(emails.status, filters.status));
  if (filters.to !== undefined) conditions.push(sameAddress(filters.to));
  const where = conditions.length ? and(...conditions) : undefined;
  const [rows, totals] = await db.batch([
    db.select(LIST_COLUMNS).from(emails).where(where).orderBy(...NEWEST_FIRST).limit(filters.limit).offset(filters.offset),
    db.select({ total: count() }).from(emails).where(where),
  ]);
  return { rows, total: totals[0]?.total ?? 0 };
}

/** The development mailbox: whole e-mails, newest first. */
export function listMailbox(db: Db, opts: { to?: string; limit: number }): Promise<Email[]> {
  return db
    .select()
    .from(emails)
    .where(opts.to !== undefined ? sameAddress(opts.to) : undefined)
    .orderBy(...NEWEST_FIRST)
    .limit(opts.limit);
}
