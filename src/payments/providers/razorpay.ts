import type { Config } from '../../config';
import type { Payment } from '../../db/schema';
import { hmacSha256Hex, isHmacSha256Hex } from '../../lib/crypto';
import { invalidError, PaymentProviderError } from '../../lib/domain-errors';
import { callProvider, integerField, notConfigured, orderIdField, stringField, webhookEvent } from './http';
import type { PaymentEvent, PaymentProvider, ProviderPayment } from './types';

const badSignature = () => invalidError('WEBHOOK_BAD_SIGNATURE');

type Json = Record<string, unknown>;

/** `payload.<name>.entity` of a Razorpay webhook. */
const entityOf = (event: Json, name: string): Json | null =>
  (((event.payload as Json | undefined)?.[name] as Json | undefined)?.entity as Json | undefined) ?? null;

/**
 * A verified Razorpay event (https://razorpay.com/docs/webhooks/payloads/payments/), normalised.
 * Razorpay's body has no event id; it comes in the `X-Razorpay-Event-Id` header, and without one
 * the event type and payment id stand in for it.
 */
function normalise(event: Json, eventIdHeader: string | null): PaymentEvent {
  const type = stringField(event.event);
  if (!type) throw invalidError('WEBHOOK_BAD_PAYLOAD');
  const payment = entityOf(event, 'payment');
  const order = entityOf(event, 'order');
  const refund = entityOf(event, 'refund');
  const notes = ((payment?.notes ?? order?.notes) as Json | undefined) ?? {};
  const subjectId = stringField(refund?.id) ?? stringField(payment?.id) ?? stringField(order?.id) ?? 'none';
  const base = {
    provider: 'razorpay' as const,
    id: eventIdHeader?.trim() || `${type}:${subjectId}`,
    type,
    orderId: orderIdField(Array.isArray(notes) ? undefined : notes.order_id),
    providerPaymentId: stringField(payment?.order_id) ?? stringField(order?.id),
    amount: integerField(payment?.amount) ?? integerField(order?.amount_paid),
    currency: (stringField(payment?.currency) ?? stringField(order?.currency))?.toUpperCase() ?? null,
    chargeId: stringField(payment?.id),
    refundedAmount: integerField(payment?.amount_refunded),
  };
  switch (type) {
    case 'payment.captured':
    case 'order.paid':
      return { ...base, kind: 'succeeded' };
    case 'payment.authorized':
      return { ...base, kind: 'processing' };
    case 'payment.failed':
      return { ...base, kind: 'failed' };
    case 'refund.processed':
      return { ...base, kind: 'refunded', chargeId: stringField(refund?.payment_id) ?? base.chargeId };
    default:
      return { ...base, kind: 'ignored' };
  }
}

/** Razorpay orders list: `{ entity: 'collection', items: [...] }`. */
const itemsOf = (collection: Json): Json[] => (Array.isArray(collection.items) ? (collection.items as Json[]) : []);

/**
 * Razorpay Orders over its REST API with fetch and HTTP basic auth (key id : key secret).
 * Razorpay has no idempotency header: the idempotency key is the order's `receipt`, and before
 * creating, an order with that receipt is looked up and reused (GET /v1/orders?receipt=…), so a
 * retry after a lost answer finds the first one instead of creating another.
 */
export function razorpayProvider(config: Config): PaymentProvider {
  const { apiUrl, keyId, keySecret, webhookSecret } = config.razorpay;
  const call = (method: 'GET' | 'POST', path: string, body?: Json, headers: Record<string, string> = {}) => {
    if (!keyId || !keySecret) throw notConfigured('RAZORPAY_KEY_ID or RAZORPAY_KEY_SECRET');
    return callProvider(
      'Razorpay',
      `${apiUrl}${path}`,
      {
        method,
        headers: {
          Authorization: `Basic ${btoa(`${keyId}:${keySecret}`)}`,
          ...(body ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      },
      config.paymentProviderTimeoutMs,
    );
  };
  const toPayment = (order: Json, fallback: { amount: number; currency: string }): ProviderPayment => {
    const id = stringField(order.id);
    if (!id) throw new PaymentProviderError('Razorpay answered without an order id');
    return {
      providerPaymentId: id,
      clientSecret: null,
      status: order.status === 'paid' ? 'succeeded' : order.status === 'attempted' ? 'processing' : 'requires_payment',
      amount: integerField(order.amount) ?? fallback.amount,
      currency: stringField(order.currency)?.toUpperCase() ?? fallback.currency,
    };
  };

  return {
    name: 'razorpay',

    async createPayment(order, idempotencyKey) {
      const found = itemsOf(await call('GET', `/v1/orders?receipt=${encodeURIComponent(idempotencyKey)}&count=10`)).find(
        (item) => item.receipt === idempotencyKey && item.amount === order.amount,
      );
      if (found) return toPayment(found, order);
      const created = await call('POST', '/v1/orders', {
        amount: order.amount,
        currency: order.currency,
        receipt: idempotencyKey,
        notes: { order_id: String(order.id) },
      });
      return toPayment(created, order);
    },

    async refund(payment, amount, idempotencyKey) {
      if (!payment.providerChargeId) throw new PaymentProviderError('no captured Razorpay payment to refund');
      // X-Refund-Idempotency: a repeated key (with the same body) answers the first refund instead of making another.
      const refund = await call(
        'POST',
        `/v1/payments/${encodeURIComponent(payment.providerChargeId)}/refund`,
        { amount, receipt: idempotencyKey, notes: { order_id: String(payment.orderId) } },
        { 'X-Refund-Idempotency': idempotencyKey },
      );
      const status = stringField(refund.status);
      return { providerRefundId: stringField(refund.id) ?? '', status: status === 'processed' ? 'succeeded' : status === 'failed' ? 'failed' : 'pending' };
    },

    async cancelPayment() {
      // Razorpay orders cannot be closed through the API; an order without a captured payment simply stays unpaid there.
    },

    async verifyWebhook(raw, headers) {
      if (!webhookSecret) throw badSignature();
      const signature = headers.get('x-razorpay-signature');
      if (!signature || !(await isHmacSha256Hex(webhookSecret, raw, signature))) throw badSignature();
      return normalise(webhookEvent(raw) as Json, headers.get('x-razorpay-event-id'));
    },

    async signedSuccessEvent(payment: Payment, now: Date) {
      if (!webhookSecret) throw notConfigured('RAZORPAY_WEBHOOK_SECRET');
      const paymentId = `pay_dev${crypto.randomUUID().replace(/-/g, '').slice(0, 14)}`;
      const body = JSON.stringify({
        entity: 'event',
        account_id: 'acc_dev',
        event: 'payment.captured',
        contains: ['payment'],
        payload: {
          payment: {
            entity: {
              id: paymentId,
              entity: 'payment',
              amount: payment.amount,
              currency: payment.currency,
              status: 'captured',
              order_id: payment.providerPaymentId,
              captured: true,
              amount_refunded: 0,
              notes: { order_id: String(payment.orderId) },
              created_at: Math.floor(now.getTime() / 1000),
            },
          },
        },
        created_at: Math.floor(now.getTime() / 1000),
      });
      return {
        body,
        headers: {
          'content-type': 'application/json',
          'x-razorpay-signature': await hmacSha256Hex(webhookSecret, body),
          'x-razorpay-event-id': `evt_dev_${paymentId}`,
        },
      };
    },
  };
}

/**
 * Checkout's handler answer (`razorpay_order_id`, `razorpay_payment_id`, `razorpay_signature`):
 * the signature is the hex HMAC-SHA256 of `order_id|payment_id` under the key secret.
 */
export async function isCheckoutSignatureValid(config: Config, orderId: string, paymentId: string, signature: string): Promise<boolean> {
  const secret = config.razorpay.keySecret;
  return !!secret && isHmacSha256Hex(secret, `${orderId}|${paymentId}`, signature);
}
