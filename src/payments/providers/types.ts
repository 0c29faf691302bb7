import type { OnlinePaymentProvider, Payment, PaymentStatus, RefundStatus } from '../../db/schema';

/** What a provider needs to know of an order to take its money. */
export interface PayableOrder {
  id: number;
  amount: number;
  currency: string;
}

/** The provider's payment object for an order, as created (or found again). */
export interface ProviderPayment {
  /** Stripe `pi_…`, Razorpay `order_…`. */
  providerPaymentId: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  /** Stripe's PaymentIntent client_secret; null for Razorpay (Checkout takes the key id and order id). */
  clientSecret: string | null;
}

export interface ProviderRefund {
  providerRefundId: string;
  status: RefundStatus;
}

/**
 * A verified provider event, normalised. `kind` is what it means for the payment: `succeeded`,
 * `failed`, `processing`, `refunded` (refund events: paylife), or `ignored` (a type this shop
 * does not act on). Amounts are minor units, currencies upper-case ISO 4217.
 */
export interface PaymentEvent {
  provider: OnlinePaymentProvider;
  /** Unique per provider: applied at most once (payment_events). */
  id: string;
  /** The provider's own event type, e.g. `payment_intent.succeeded`, `payment.captured`. */
  type: string;
  kind: 'succeeded' | 'failed' | 'processing' | 'refunded' | 'ignored';
  /** The provider payment object it is about (Stripe `pi_…`, Razorpay `order_…`), if known. */
  providerPaymentId: string | null;
  /** Our order id, from the metadata/notes we set when creating the payment, if present. */
  orderId: number | null;
  /** What was received (succeeded) or attempted. */
  amount: number | null;
  currency: string | null;
  /** The captured charge/payment (Stripe `ch_…`, Razorpay `pay_…`), for refunds. */
  chargeId: string | null;
  /** Refund events: the total refunded so far, when the provider says it. */
  refundedAmount: number | null;
}

/** A signed webhook delivery: the raw body and the headers that carry its signature. */
export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

/**
 * One online payment provider (like email/providers): each calls the provider's REST API with
 * fetch, a timeout and an idempotency key, and throws PaymentProviderError (502) when the
 * provider is down or refuses; webhooks are verified over the raw bytes.
 */
export interface PaymentProvider {
  readonly name: OnlinePaymentProvider;
  /**
   * Creates the provider's payment object for the order, or returns the one already created
   * under `idempotencyKey` (derived from the order: see paymentIdempotencyKey).
   */
  createPayment(order: PayableOrder, idempotencyKey: string): Promise<ProviderPayment>;
  /** Refunds `amount` of a captured payment; the same key never refunds twice. */
  refund(payment: Payment, amount: number, idempotencyKey: string): Promise<ProviderRefund>;
  /**
   * Stops a payment that has not brought money from still being paid (its order was cancelled).
   * Stripe cancels the PaymentIntent; Razorpay has no way to close an order, so it does nothing
   * there (a payment that still arrives is refunded or takes its stock again).
   */
  cancelPayment(payment: Payment): Promise<void>;
  /** The verified event, or a RuleError WEBHOOK_BAD_SIGNATURE (400) when the signature is missing, wrong or stale. */
  verifyWebhook(raw: Uint8Array, headers: Headers, now: Date): Promise<PaymentEvent>;
  /** A correctly signed "payment succeeded" delivery for a payment (POST /dev/payments/{id}/succeed). */
  signedSuccessEvent(payment: Payment, now: Date): Promise<SignedDelivery>;
}
