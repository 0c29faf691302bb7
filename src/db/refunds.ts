import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from './client';
import { orders, payments, refunds, type Refund, type RefundStatus } from './schema';

/**
 * The refund asked of the provider under `idempotencyKey`, recorded before the provider is called
 * (UNIQUE idempotency_key: a retry finds the first row and asks again with the same key and
 * amount, so the provider refunds once however often we ask).
 */
export async function refundIntent(db: Db, values: Pick<Refund, 'orderId' | 'paymentId' | 'amount' | 'currency' | 'reason' | 'idempotencyKey'>): Promise<Refund> {
  await db.insert(refunds).values(values).onConflictDoNothing({ target: refunds.idempotencyKey });
  return (await db.select().from(refunds).where(eq(refunds.idempotencyKey, values.idempotencyKey)).get())!;
}

/**
 * The provider's answer to a refund, recorded once: if another request recorded it first
 * (`provider_refund_id` already set), `updated_at` becomes NULL and the NOT NULL constraint aborts
 * the batch, with the e-mail it carries.
 */
export const recordRefundAnswerStatement = (db: Db, refund: Refund, answer: { providerRefundId: string; status: RefundStatus }, now: string) =>
  db
    .update(refunds)
    .set({
      providerRefundId: answer.providerRefundId,
      status: answer.status,
      updatedAt: sql`CASE WHEN ${refunds.providerRefundId} IS NULL THEN ${now} END`,
    })
    .where(eq(refunds.id, refund.id));

/** What this API has asked the provider to refund of a payment (refunds it did not refuse). */
export const amountRefundedByUs = async (db: Db, paymentId: number): Promise<number> =>
  (await db
    .select({ total: sql<number>`coalesce(sum(${refunds.amount}), 0)` })
    .from(refunds)
    .where(and(eq(refunds.paymentId, paymentId), sql`${refunds.status} != 'failed'`))
    .get())?.total ?? 0;

/** A refund event says the money is back: the payment's refunds still pending are done. */
export const completeRefundsStatement = (db: Db, paymentId: number, now: string) =>
  db
    .update(refunds)
    .set({ status: 'succeeded', updatedAt: now })
    .where(and(eq(refunds.paymentId, paymentId), eq(refunds.status, 'pending')));

/** Has the provider already taken a refund of this payment (its answer recorded)? Then its refund webhook finishes it. */
export const isRefundAsked = async (db: Db, paymentId: number) =>
  (await db
    .select({ id: refunds.id })
    .from(refunds)
    .where(and(eq(refunds.paymentId, paymentId), isNotNull(refunds.providerRefundId)))
    .get()) !== undefined;

/**
 * Cancelled orders whose payment brought the wrong amount and was not refunded yet (at most
 * `limit`; payments_status_idx finds the few `amount_mismatch` ones): the cron sends that money back.
 */
export const findCancelledOrdersHoldingMismatchedMoney = async (db: Db, limit: number) =>
  (
    await db
      .select({ orderId: payments.orderId })
      .from(payments)
      .innerJoin(orders, eq(orders.id, payments.orderId))
      .where(
        and(
          eq(payments.status, 'amount_mismatch'),
          eq(orders.cancelled, true),
          sql`NOT EXISTS (SELECT 1 FROM ${refunds} WHERE ${refunds.paymentId} = ${payments.id} AND ${refunds.providerRefundId} IS NOT NULL)`,
        ),
      )
      .limit(limit)
  ).map((row) => row.orderId);
