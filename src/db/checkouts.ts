import { and, eq, inArray, lt } from 'drizzle-orm';
import type { Db } from './client';
import { checkouts, type Checkout } from './schema';
import { isoNow } from '../lib/time';

export type NewCheckout = typeof checkouts.$inferInsert;

export async function insertCheckout(db: Db, values: NewCheckout): Promise<Checkout> {
  const [row] = await db.insert(checkouts).values(values).returning();
  return row!;
}

/** The caller's own checkout; someone else's is as unknown as a missing one. */
export const findCheckoutOfUser = (db: Db, id: number, userId: string): Promise<Checkout | undefined> =>
  db
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.id, id), eq(checkouts.userId, userId)))
    .get();

/**
 * Deletes up to `limit` checkouts that were never ordered and expired before `before`. Nothing
 * refers to them (an order refers only to its completed checkout), so they are dead weight.
 */
export async function deleteAbandonedCheckouts(db: Db, before: string, limit: number): Promise<number> {
  const abandoned = db
    .select({ id: checkouts.id })
    .from(checkouts)
    .where(and(eq(checkouts.status, 'open'), lt(checkouts.expiresAt, before)))
    .limit(limit);
  const deleted = await db.delete(checkouts).where(inArray(checkouts.id, abandoned)).returning({ id: checkouts.id });
  return deleted.length;
}

/** `expired` is not stored: an open checkout past its `expires_at` is expired. */
export function checkoutStatus(checkout: Checkout, now = isoNow()): 'open' | 'completed' | 'expired' {
  if (checkout.status === 'completed') return 'completed';
  return checkout.expiresAt <= now ? 'expired' : 'open';
}
