import { getConfig } from '../config';
import { getDb, getPrimaryDb, type Db } from '../db/client';
import { findOrder, updateOrderFlagsStatement, type OrderWithItems } from '../db/orders';
import {
  claimPayment,
  dropPaymentClaim,
  fillPaymentClaim,
  findPaymentByProviderId,
  findPaymentOfOrder,
  insertPaymentStatement,
  isEventRecorded,
  recordEventStatement,
  updatePaymentStatement,
} from '../db/payments';
import type { OnlinePaymentProvider, Order, Payment, PaymentStatus, User } from '../db/schema';
import type { Bindings } from '../env';
import { writeWithEmails } from '../email/outbox';
import { conflictError, invalidError, missingError } from '../lib/domain-errors';
import { loggableError } from '../lib/error-cause';
import { log } from '../lib/log';
import { isoNow } from '../lib/time';
import { configuredPaymentProvider, isCheckoutSignatureValid, paymentProvider, type PaymentEvent } from '../payments/providers';
import { applyRefundEvent, settleCancelledOrderPayment } from './refunds';

/**
 * The idempotency key of an order's payment: the same for every request about this order (so the
 * provider returns its first object again), and different for an order of another database that
 * happens to have the same id (a reset local database, another deployment on the same account).
 * At most 40 characters: Razorpay's `receipt`.
 */
export const paymentIdempotencyKey = (order: Pick<Order, 'id' | 'createdAt'>) => `ashte-order-${order.id}-${Date.parse(order.createdAt) / 1000}`;

/** The answer of POST /orders/{id}/payment: the payment to complete in the browser. */
export interface StartedPayment {
  order: Order;
  payment: Payment;
  /** Razorpay Checkout's key id (public). */
  keyId: string | null;
}

/** How often a request that finds another's claim looks again, and for how long at most. */
const CLAIM_POLL_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A claim older than this was left by a request that died: another request may finish it. */
const claimIsAbandoned = (env: Bindings, claim: Payment) =>
  Date.now() - Date.parse(claim.createdAt) > getConfig(env).paymentProviderTimeoutMs + 5_000;

/**
 * The provider payment of an order, created at most once: a request first claims the order's
 * one payment row (UNIQUE order_id), then calls the provider with the order's idempotency key and
 * stores the answer. A request that finds a claim in progress waits for it; one whose provider
 * call fails takes its claim back, so a 502 leaves nothing changed. A claim left by a request
 * that died is finished by the next one with the same idempotency key (Stripe returns the same
 * PaymentIntent; for Razorpay the order is looked up by its receipt first).
 */
export async function startPayment(env: Bindings, user: User, orderId: number): Promise<StartedPayment> {
  let db = getDb(env);
  const found = await findOrder(db, orderId);
  if (!found || found.order.userId !== user.id) throw missingError();
  const provider = configuredPaymentProvider(env);
  const keyId = provider.name === 'razorpay' ? (getConfig(env).razorpay.keyId ?? null) : null;
  const waitUntil = Date.now() + getConfig(env).paymentProviderTimeoutMs + 2_000;
  let polled = 0;
  for (;;) {
    const current = await findOrder(db, orderId);
    const { order } = current!;
    const payment = current!.payment;
    // Refused before the stored payment is answered: its client_secret must not invite a second
    // payment for an order that is paid or cancelled.
    if (order.cancelled) throw conflictError('ORDER_CANCELLED', 'This order is cancelled and cannot be paid', { order_id: order.id });
    if (order.paid) throw conflictError('ORDER_ALREADY_PAID', 'This order is already paid', { order_id: order.id });
    if (payment?.providerPaymentId) return { order, payment, keyId };

    let claim = payment ?? undefined;
    if (!claim) {
      claim = await claimPayment(db, order, provider.name, isoNow());
      if (!claim) {
        // Another request claimed it, or the order changed: look again, where that is already seen.
        db = getPrimaryDb(env);
        continue;
      }
    } else if (!claimIsAbandoned(env, claim) && Date.now() + polled * CLAIM_POLL_MS < waitUntil) {
      // Another request is creating it: wait for its answer (or for its claim to go), read each time on the primary.
      polled += 1;
      await sleep(CLAIM_POLL_MS);
      db = getPrimaryDb(env);
      continue;
    }

    let created: Awaited<ReturnType<typeof provider.createPayment>>;
    try {
      created = await provider.createPayment(order, paymentIdempotencyKey(order));
    } catch (error) {
      if (claim === payment) throw error; // not ours to take back
      await dropPaymentClaim(db, claim.id).catch((dropError: unknown) =>
        log('error', 'payment claim not taken back', { order_id: order.id, error: loggableError(dropError) }),
      );
      throw error;
    }
    await fillPaymentClaim(db, claim.id, created, isoNow());
    // Whoever filled it, the stored payment is the answer.
    const stored = await findPaymentOfOrder(db, order.id);
    if (stored?.providerPaymentId) return { order, payment: stored, keyId };
  }
}

/** What became of a delivered event. */
export type EventOutcome = 'applied' | 'duplicate' | 'ignored';

/**
 * Payment statuses by how far they got: a payment only moves up (succeeded is not undone by a
 * late failed). `failed` and `processing` share a step: a failed attempt can be followed by a
 * new one, and a processing one can fail.
 */
const STEP: Record<PaymentStatus, number> = {
  requires_payment: 0,
  failed: 1,
  processing: 1,
  succeeded: 2,
  amount_mismatch: 2,
  partially_refunded: 3,
  refunded: 4,
};

function nextStatus(current: PaymentStatus, target: PaymentStatus): PaymentStatus | null {
  if (STEP[target] > STEP[current]) return target;
  if (STEP[target] === 1 && STEP[current] === 1 && target !== current) return target;
  return null;
}

/** The order an event is about: through our payment row (by the provider's id), else the order id we put in its metadata. */
async function orderOfEvent(db: Db, event: PaymentEvent): Promise<OrderWithItems | undefined> {
  const payment = event.providerPaymentId ? await findPaymentByProviderId(db, event.providerPaymentId) : undefined;
  if (payment) return findOrder(db, payment.orderId);
  if (event.orderId === null) return undefined;
  const found = await findOrder(db, event.orderId);
  // The metadata names an order whose payment is another one (a PaymentIntent made outside this
  // API, or after Stripe forgot our idempotency key): applying it would mark the order paid while
  // a refund on cancel went to the order's own payment. It is left to the shop, with a warning.
  const own = found?.payment?.providerPaymentId;
  if (own && event.providerPaymentId && own !== event.providerPaymentId) {
    log('warn', 'payment event for another payment than the order’s own: not applied', {
      provider: event.provider,
      event_id: event.id,
      order_id: event.orderId,
      provider_payment_id: event.providerPaymentId,
    });
    return undefined;
  }
  return found;
}

/** A batch that lost a race is judged again this often before the provider is asked to retry (500). */
const MAX_APPLY_ATTEMPTS = 5;

/**
 * Applies a verified provider event exactly once. One D1 batch records the event id (primary key
 * (provider, event_id)) with its effect: the payment's new status (guarded: only from the state
 * it was read in), and for a success whose amount and currency equal the order's, the order
 * marked paid (guarded the same way) with its "payment received" e-mail. A duplicate delivery
 * fails on the event id and changes nothing; a batch that lost a race to another event is judged
 * again against the new state.
 */
export async function applyPaymentEvent(env: Bindings, event: PaymentEvent): Promise<EventOutcome> {
  if (event.kind === 'refunded') return applyRefundEvent(env, event);
  let db = getDb(env);
  for (let attempt = 1; ; attempt++) {
    if (await isEventRecorded(db, event.provider, event.id)) {
      // A redelivery of a success: if the first delivery left money on a cancelled order (the
      // provider was down for its refund, or the request died), this one settles it.
      if (event.kind === 'succeeded') {
        const found = await orderOfEvent(db, event);
        if (found?.order.cancelled) await settleCancelledOrderPayment(env, found.order.id);
      }
      return 'duplicate';
    }
    const now = isoNow();
    const kind = event.kind;
    const found = kind === 'ignored' ? undefined : await orderOfEvent(db, event);
    const record = recordEventStatement(db, event, found?.order.id ?? null, now);
    if (kind === 'ignored' || !found) {
      if (kind !== 'ignored') log('warn', 'payment event for no known order', { provider: event.provider, event_id: event.id, type: event.type });
      const outcome = await tryBatch(env, db, event, [record], []);
      if (outcome) return outcome === 'applied' ? 'ignored' : outcome;
      if (attempt >= MAX_APPLY_ATTEMPTS) throw new Error(`payment event ${event.provider}:${event.id} could not be recorded`);
      db = getPrimaryDb(env);
      continue;
    }
    const { order, items, payment } = found;
    const amountMatches = event.amount === order.amount && event.currency === order.currency;
    const target: PaymentStatus = kind === 'succeeded' ? (amountMatches ? 'succeeded' : 'amount_mismatch') : kind;
    const status = nextStatus(payment?.status ?? 'requires_payment', target);
    const received = status === 'amount_mismatch' ? { amount: event.amount ?? 0, currency: event.currency ?? order.currency } : {};
    const statements: Parameters<typeof tryBatch>[3] = [record];
    if (status && payment) {
      statements.push(
        updatePaymentStatement(
          db,
          payment,
          {
            status,
            ...received,
            providerPaymentId: payment.providerPaymentId ?? event.providerPaymentId,
            providerChargeId: event.chargeId ?? payment.providerChargeId,
          },
          now,
        ),
      );
    } else if (status) {
      statements.push(
        insertPaymentStatement(db, {
          orderId: order.id,
          provider: event.provider,
          status,
          providerPaymentId: event.providerPaymentId,
          amount: order.amount,
          currency: order.currency,
          ...received,
          providerChargeId: event.chargeId,
          createdAt: now,
          updatedAt: now,
        }),
      );
    }
    const paysOrder = status === 'succeeded' && !order.paid && !order.cancelled;
    const emails = [];
    if (paysOrder) {
      statements.push(updateOrderFlagsStatement(db, order, { paid: true, paidAt: now, paymentDueAt: null }, now));
      emails.push({
        kind: 'payment_received' as const,
        to: order.email,
        data: { name: order.name, order: { id: order.id, items, amount: order.amount, currency: order.currency } },
        userId: order.userId,
        orderId: order.id,
      });
    }
    const outcome = await tryBatch(env, db, event, statements, emails);
    if (!outcome) {
      if (attempt >= MAX_APPLY_ATTEMPTS) throw new Error(`payment event ${event.provider}:${event.id} lost ${attempt} races`);
      // What beat it was committed on the primary: judge it again from there.
      db = getPrimaryDb(env);
      continue;
    }
    // Money for an order cancelled meanwhile (right amount or not): it takes its stock again or goes back (services/refunds.ts).
    if (kind === 'succeeded' && order.cancelled) await settleCancelledOrderPayment(env, order.id);
    return outcome;
  }
}

/** Runs an event's batch: `applied`, `duplicate` (its id was recorded meanwhile), or undefined (lost a race: judge again). */
async function tryBatch(
  env: Bindings,
  db: Db,
  event: PaymentEvent,
  statements: Parameters<typeof writeWithEmails>[2],
  emails: Parameters<typeof writeWithEmails>[3],
): Promise<EventOutcome | undefined> {
  try {
    await writeWithEmails(env, db, statements, emails);
    return 'applied';
  } catch (error) {
    // Whether a twin delivery recorded it meanwhile is known on the primary.
    if (await isEventRecorded(getPrimaryDb(env), event.provider, event.id)) return 'duplicate';
    log('info', 'payment event batch lost a race; judging it again', { event_id: event.id, error: loggableError(error) });
    return undefined;
  }
}

/** A webhook delivery: verified over its raw bytes (400 WEBHOOK_BAD_SIGNATURE), then applied exactly once. */
export async function receiveWebhook(
  env: Bindings,
  provider: OnlinePaymentProvider,
  raw: Uint8Array,
  headers: Headers,
): Promise<EventOutcome> {
  const event = await paymentProvider(env, provider).verifyWebhook(raw, headers, new Date());
  return applyPaymentEvent(env, event);
}

/**
 * Razorpay Checkout's handler answer: `razorpay_signature` = hex HMAC-SHA256 of
 * `razorpay_order_id|razorpay_payment_id` under the key secret proves that payment paid that
 * order, for the amount of the Razorpay order. Applied through the same exactly-once path as the
 * webhook (event id `checkout:<payment id>`; the webhook's own event for it then changes nothing).
 */
export async function verifyRazorpayCheckout(
  env: Bindings,
  user: User,
  answer: { razorpay_order_id: string; razorpay_payment_id: string; razorpay_signature: string },
): Promise<OrderWithItems> {
  const config = getConfig(env);
  if (!(await isCheckoutSignatureValid(config, answer.razorpay_order_id, answer.razorpay_payment_id, answer.razorpay_signature))) {
    throw invalidError('PAYMENT_BAD_SIGNATURE');
  }
  const db = getDb(env);
  const payment = await findPaymentByProviderId(db, answer.razorpay_order_id);
  const found = payment && (await findOrder(db, payment.orderId));
  if (!payment || !found || (found.order.userId !== user.id && !user.isSuperuser)) throw missingError();
  await applyPaymentEvent(env, {
    provider: 'razorpay',
    id: `checkout:${answer.razorpay_payment_id}`,
    type: 'checkout.verified',
    kind: 'succeeded',
    providerPaymentId: payment.providerPaymentId,
    orderId: payment.orderId,
    amount: payment.amount,
    currency: payment.currency,
    chargeId: answer.razorpay_payment_id,
    refundedAmount: null,
  });
  return (await findOrder(db, payment.orderId))!;
}

/**
 * POST /dev/payments/{order_id}/succeed: a correctly signed "payment succeeded" event for the
 * order's payment, built by the configured provider, for the webhook path to verify and apply.
 */
export async function signedSuccessEventFor(env: Bindings, orderId: number) {
  const provider = configuredPaymentProvider(env);
  const db = getDb(env);
  if (!(await findOrder(db, orderId))) throw missingError();
  const payment = await findPaymentOfOrder(db, orderId);
  if (!payment?.providerPaymentId) {
    throw conflictError('PAYMENT_NOT_STARTED', 'This order has no payment yet: POST /orders/{order_id}/payment first', { order_id: orderId });
  }
  return { provider: provider.name, delivery: await provider.signedSuccessEvent(payment, new Date()) };
}
