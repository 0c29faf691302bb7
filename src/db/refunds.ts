import { and, eq, sql } from 'drizzle-orm';
import type { Db } from './client';
import { refunds, type Refund, type RefundStatus } from './schema';

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

/** A refund event says the money is back: the payment's refunds still pending are done. */
export const completeRefundsStatement = (db: Db, paymentId: number, now: string) =>
  db
    .update(refunds)
    .set({ status: 'succeeded', updatedAt: now })
    .where(and(eq(refunds.paymentId, paymentId), eq(refunds.status, 'pending')));
