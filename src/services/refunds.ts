import type { BatchItem } from 'drizzle-orm/batch';
import type { Bindings } from '../env';
import { getDb, type Db } from '../db/client';
import { findOrder, orderStockIsThere, retakeStockStatements, updateOrderFlagsStatement, type OrderWithItems } from '../db/orders';
import { findPaymentByProviderId, isEventRecorded, recordEventStatement, updatePaymentStatement } from '../db/payments';
import { amountRefundedByUs, completeRefundsStatement, findCancelledOrdersHoldingMismatchedMoney, isRefundAsked, recordRefundAnswerStatement, refundIntent } from '../db/refunds';
import type { Order, Payment, PaymentStatus } from '../db/schema';
import { writeWithEmails, type OutgoingEmail } from '../email/outbox';
import { orderSummary, type RefundCause } from '../email/templates';
import { PaymentProviderError } from '../lib/domain-errors';
import { loggableError } from '../lib/error-cause';
import { log } from '../lib/log';
import { isoNow } from '../lib/time';
import { paymentProvider, type PaymentEvent } from '../payments/providers';

/** Payment statuses under which the shop holds the customer's money (`amount_mismatch`: a wrong amount arrived). */
const HOLDING: PaymentStatus[] = ['succeeded', 'partially_refunded', 'amount_mismatch'];

/** What of a payment could still go back to the customer (0 without an online payment that brought money). */
export const refundableAmount = (payment: Payment | null): number =>
  payment && payment.provider !== 'manual' && HOLDING.includes(payment.status) ? payment.amount - payment.refundedAmount : 0;

/**
 * The idempotency key of the refund of a payment: a payment is refunded at most once, in full
 * (what it still holds), whoever asks and however often. The creation time tells payments of
 * another database with the same id apart. Razorpay's X-Refund-Idempotency wants 10+ of
 * [A-Za-z0-9_-].
 */
export const refundIdempotencyKey = (payment: Pick<Payment, 'id' | 'createdAt'>) => `ashte-refund-${payment.id}-${Date.parse(payment.createdAt) / 1000}`;

/** The statements and e-mail that record a refund the provider accepted, for the caller's batch. */
export interface AskedRefund {
  statements: BatchItem<'sqlite'>[];
  email: OutgoingEmail<'payment_refunded'>;
}

/**
 * Asks the provider to refund what the payment still holds: the intent is recorded first (its
 * key and amount fixed on the first ask), then the provider is called with that key, so a retry
 * never refunds twice. A provider that is down throws PaymentProviderError (502) and leaves the
 * order and payment as they were. Returns what the caller writes in its own batch: the answer,
 * the payment refunded (when the provider says it is done; otherwise its refund webhook says so
 * later) and the refund e-mail.
 */
export async function askRefund(env: Bindings, db: Db, found: OrderWithItems & { payment: Payment }, why: RefundCause): Promise<AskedRefund> {
  const { order, items, payment } = found;
  if (payment.provider === 'manual') throw new PaymentProviderError('a manual payment cannot be refunded online');
  const intent = await refundIntent(db, {
    orderId: order.id,
    paymentId: payment.id,
    amount: refundableAmount(payment),
    currency: payment.currency,
    reason: why,
    idempotencyKey: refundIdempotencyKey(payment),
  });
  const answer = await paymentProvider(env, payment.provider).refund(payment, intent.amount, intent.idempotencyKey);
  if (answer.status === 'failed' || !answer.providerRefundId) {
    throw new PaymentProviderError(`the provider did not refund payment ${payment.providerPaymentId}`);
  }
  const now = isoNow();
  const statements: BatchItem<'sqlite'>[] = [recordRefundAnswerStatement(db, intent, answer, now)];
  if (answer.status === 'succeeded' && payment.refundedAmount + intent.amount >= payment.amount && payment.status !== 'refunded') {
    statements.push(updatePaymentStatement(db, payment, { status: 'refunded', refundedAmount: payment.amount }, now));
  }
  return {
    statements,
    email: {
      kind: 'payment_refunded',
      to: order.email,
      data: { name: order.name, order: orderSummary(order, items), refund: { amount: intent.amount, currency: intent.currency, why } },
      userId: order.userId,
      orderId: order.id,
    },
  };
}

/** A batch that lost a race is judged again at most this often. */
const MAX_ATTEMPTS = 4;

/**
 * Money arrived for an order that is cancelled (API.md 8). Cancelled for non-payment, with the
 * right amount: the stock is taken again in one batch (CHECK quantity >= 0 and a guard for
 * deleted products abort it when it is not all there), the order is un-cancelled and paid, with
 * the "payment received" e-mail. Otherwise — not enough stock, a product gone, cancelled by the
 * shop, or a wrong amount — the money is refunded through the provider and the customer told by
 * e-mail. Every batch applies only to the order as it was read, so concurrent calls (a duplicate
 * delivery, the cron) end in one outcome; a call that finds nothing held changes nothing.
 * A provider that is down throws PaymentProviderError: the caller answers the webhook with an
 * error, the provider delivers again, and the next call picks up here.
 */
export async function settleCancelledOrderPayment(env: Bindings, orderId: number): Promise<'paid' | 'refunded' | 'nothing'> {
  const db = getDb(env);
  for (let attempt = 1; ; attempt++) {
    const found = await findOrder(db, orderId);
    if (!found?.order.cancelled || !found.payment || refundableAmount(found.payment) === 0) return 'nothing';
    const { order, items, payment } = found;
    // Asked before and still pending at the provider: its refund webhook records the rest.
    if (await isRefundAsked(db, payment.id)) return 'nothing';
    const now = isoNow();
    const takesStockAgain =
      order.cancellationReason === 'unpaid' && payment.status === 'succeeded' && !order.paid && !order.shipped && (await orderStockIsThere(db, order.id));
    try {
      if (takesStockAgain) {
        await writeWithEmails(
          env,
          db,
          [
            ...retakeStockStatements(db, order.id, now),
            updateOrderFlagsStatement(db, order, { cancelled: false, cancelledAt: null, cancellationReason: null, paid: true, paidAt: now, paymentDueAt: null }, now),
          ],
          [paymentReceivedEmail(order, found.items)],
        );
        return 'paid';
      }
      const refund = await askRefund(env, db, { order, items, payment }, 'arrived_after_cancellation');
      // The order must still be the cancelled one it was read as (updated_at NULL aborts otherwise).
      await writeWithEmails(env, db, [updateOrderFlagsStatement(db, order, {}, now), ...refund.statements], [refund.email]);
      return 'refunded';
    } catch (error) {
      if (error instanceof PaymentProviderError || attempt >= MAX_ATTEMPTS) throw error;
      log('info', 'payment for a cancelled order: batch lost a race, judging again', { order_id: orderId, error: loggableError(error) });
    }
  }
}

const paymentReceivedEmail = (order: Order, items: OrderWithItems['items']): OutgoingEmail<'payment_received'> => ({
  kind: 'payment_received',
  to: order.email,
  data: { name: order.name, order: orderSummary(order, items) },
  userId: order.userId,
  orderId: order.id,
});

/**
 * A refund event (`charge.refunded`, `refund.processed`), applied exactly once with its event id:
 * `refunded_amount` becomes the provider's total refunded so far (never less than it was, never
 * more than the payment), and the status `refunded` or `partially_refunded`.
 */
export async function applyRefundEvent(env: Bindings, event: PaymentEvent): Promise<'applied' | 'duplicate' | 'ignored'> {
  const db = getDb(env);
  for (let attempt = 1; ; attempt++) {
    if (await isEventRecorded(db, event.provider, event.id)) return 'duplicate';
    const now = isoNow();
    const payment = event.providerPaymentId ? await findPaymentByProviderId(db, event.providerPaymentId) : undefined;
    const statements: BatchItem<'sqlite'>[] = [recordEventStatement(db, event, payment?.orderId ?? null, now)];
    const emails: OutgoingEmail<'payment_refunded'>[] = [];
    const total = payment && event.refundedAmount !== null ? Math.min(event.refundedAmount, payment.amount) : null;
    if (payment && total !== null && total > payment.refundedAmount) {
      const status = total === payment.amount ? 'refunded' : 'partially_refunded';
      statements.push(updatePaymentStatement(db, payment, { status, refundedAmount: total }, now));
      if (status === 'refunded') statements.push(completeRefundsStatement(db, payment.id, now));
      // A refund made outside this API (the provider's dashboard) is news to the customer; our own
      // refunds sent their e-mail when they were asked.
      const ours = Math.max(0, (await amountRefundedByUs(db, payment.id)) - payment.refundedAmount);
      const outside = total - payment.refundedAmount - Math.min(ours, total - payment.refundedAmount);
      const found = outside > 0 ? await findOrder(db, payment.orderId) : undefined;
      if (found) {
        const { order, items } = found;
        emails.push({
          kind: 'payment_refunded',
          to: order.email,
          data: { name: order.name, order: orderSummary(order, items), refund: { amount: outside, currency: payment.currency, why: 'refunded_by_shop' } },
          userId: order.userId,
          orderId: order.id,
        });
      }
    }
    try {
      await writeWithEmails(env, db, statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]], emails);
      return statements.length > 1 ? 'applied' : 'ignored';
    } catch (error) {
      if (await isEventRecorded(db, event.provider, event.id)) return 'duplicate';
      if (attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** Wrong-amount payments of cancelled orders refunded per cron run at most. */
export const MISMATCH_REFUND_BATCH = 20;

/**
 * The cron's safety net for money held by cancelled orders that no webhook delivery will bring
 * back here: a wrong amount (`amount_mismatch`) on an order that then expired. Each is refunded
 * through the provider; one that fails (provider down) is tried again on the next run.
 */
export async function refundMismatchedPaymentsOfCancelledOrders(env: Bindings): Promise<number> {
  let refunded = 0;
  for (const orderId of await findCancelledOrdersHoldingMismatchedMoney(getDb(env), MISMATCH_REFUND_BATCH)) {
    try {
      if ((await settleCancelledOrderPayment(env, orderId)) === 'refunded') refunded += 1;
    } catch (error) {
      log('error', 'refund of a wrong-amount payment failed; the next run tries again', { order_id: orderId, error: loggableError(error) });
    }
  }
  return refunded;
}

/**
 * Best effort, after an order holding no money was cancelled: its provider payment is stopped
 * (Stripe cancels the PaymentIntent), so the customer cannot pay it any more. A failure only
 * logs: a payment that still arrives takes the late-payment path.
 */
export async function cancelProviderPayments(env: Bindings, candidates: (Payment | null)[]): Promise<void> {
  const open = candidates.filter(
    (payment): payment is Payment & { provider: 'stripe' | 'razorpay' } =>
      !!payment?.providerPaymentId && payment.provider !== 'manual' && (payment.status === 'requires_payment' || payment.status === 'failed'),
  );
  const results = await Promise.allSettled(open.map((payment) => paymentProvider(env, payment.provider).cancelPayment(payment)));
  results.forEach((result, i) => {
    if (result.status === 'rejected') {
      log('warn', 'provider payment of a cancelled order not cancelled', { order_id: open[i]!.orderId, error: loggableError(result.reason) });
    }
  });
}
