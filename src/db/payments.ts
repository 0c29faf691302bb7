import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from './client';
import { orders, paymentEvents, payments, type OnlinePaymentProvider, type Order, type Payment } from './schema';

export const findPaymentOfOrder = (db: Db, orderId: number) => db.select().from(payments).where(eq(payments.orderId, orderId)).get();

export const findPaymentByProviderId = (db: Db, providerPaymentId: string) =>
  db.select().from(payments).where(eq(payments.providerPaymentId, providerPaymentId)).get();

export const isEventRecorded = async (db: Db, provider: OnlinePaymentProvider, eventId: string) =>
  (await db
    .select({ eventId: paymentEvents.eventId })
    .from(paymentEvents)
    .where(and(eq(paymentEvents.provider, provider), eq(paymentEvents.eventId, eventId)))
    .get()) !== undefined;

/**
 * Claims the one payment row of an order before the provider is called: inserted only while the
 * order is still unpaid and not cancelled, and at most once (UNIQUE order_id). The claim has no
 * provider_payment_id until fillPaymentClaim; the row is returned only to the request that made it.
 */
export async function claimPayment(db: Db, order: Order, provider: OnlinePaymentProvider, now: string): Promise<Payment | undefined> {
  const [claimed] = await db
    .insert(payments)
    .select(
      sql`SELECT NULL, ${orders.id}, ${provider}, 'requires_payment', NULL, ${orders.amount}, ${orders.currency}, 0, NULL, NULL, ${now}, ${now}
          FROM ${orders} WHERE ${orders.id} = ${order.id} AND ${orders.paid} = 0 AND ${orders.cancelled} = 0`,
    )
    .onConflictDoNothing()
    .returning();
  return claimed;
}

/** Stores what the provider created in a claim that is still unfilled; false if another request filled it first. */
export async function fillPaymentClaim(
  db: Db,
  claimId: number,
  created: Pick<Payment, 'clientSecret' | 'status' | 'amount' | 'currency'> & { providerPaymentId: string },
  now: string,
): Promise<boolean> {
  const filled = await db
    .update(payments)
    .set({ ...created, updatedAt: now })
    .where(and(eq(payments.id, claimId), isNull(payments.providerPaymentId)))
    .returning({ id: payments.id });
  return filled.length === 1;
}

/** Takes back a claim whose provider call failed, so nothing is left changed. */
export const dropPaymentClaim = (db: Db, claimId: number) =>
  db.delete(payments).where(and(eq(payments.id, claimId), isNull(payments.providerPaymentId)));

// ---------------------------------------------------------------------------------------------
// Statements for the batch that applies one provider event (src/services/payments.ts).
// ---------------------------------------------------------------------------------------------

/** The event's id under the primary key (provider, event_id): a second delivery aborts its batch. */
export const recordEventStatement = (
  db: Db,
  event: { provider: OnlinePaymentProvider; id: string; type: string },
  orderId: number | null,
  now: string,
) => db.insert(paymentEvents).values({ provider: event.provider, eventId: event.id, type: event.type, orderId, receivedAt: now });

/**
 * Changes a payment only if it is still in the state it was read in (status and refunded
 * amount): otherwise `updated_at` becomes NULL, the NOT NULL constraint aborts the batch and the
 * event is judged again against the new state — so a payment never moves backwards.
 */
export const updatePaymentStatement = (
  db: Db,
  payment: Payment,
  changes: Partial<Pick<Payment, 'status' | 'amount' | 'currency' | 'providerPaymentId' | 'providerChargeId' | 'refundedAmount'>>,
  now: string,
) =>
  db
    .update(payments)
    .set({
      ...changes,
      updatedAt: sql`CASE WHEN ${payments.status} = ${payment.status} AND ${payments.refundedAmount} = ${payment.refundedAmount} THEN ${now} END`,
    })
    .where(eq(payments.id, payment.id));

/** A payment row for an event whose order has none yet (UNIQUE order_id aborts a racing twin). */
export const insertPaymentStatement = (db: Db, values: typeof payments.$inferInsert) => db.insert(payments).values(values);
