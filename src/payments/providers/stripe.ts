import type { Config } from '../../config';
import type { Payment, PaymentStatus } from '../../db/schema';
import { isHmacSha256Hex, hmacSha256Hex, utf8 } from '../../lib/crypto';
import { invalidError, PaymentProviderError } from '../../lib/domain-errors';
import { callProvider, integerField, notConfigured, orderIdField, stringField, webhookEvent } from './http';
import type { PaymentEvent, PaymentProvider, ProviderPayment } from './types';

/** Stripe's default tolerance: a signature older (or newer) than this is refused, so a captured delivery cannot be replayed later. */
export const STRIPE_SIGNATURE_TOLERANCE_SECONDS = 300;

const badSignature = () => invalidError('WEBHOOK_BAD_SIGNATURE');

/** PaymentIntent statuses (https://docs.stripe.com/payments/paymentintents/lifecycle) in ours. */
function statusOf(intentStatus: unknown): PaymentStatus {
  switch (intentStatus) {
    case 'processing':
      return 'processing';
    case 'succeeded':
      return 'succeeded';
    case 'canceled':
      return 'failed';
    default:
      // requires_payment_method, requires_confirmation, requires_action, requires_capture
      return 'requires_payment';
  }
}

/** Stripe takes form-encoded bodies; nested keys as `metadata[order_id]`. */
const form = (fields: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(fields).map(([key, value]) => [key, String(value)])).toString();

/** `t=…,v1=…,v1=…` (v0 and unknown schemes are ignored, as Stripe's libraries do). */
function parseSignatureHeader(header: string): { timestamp: number; signatures: string[] } | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, ...rest] = part.split('=');
    const value = rest.join('=').trim();
    if (key?.trim() === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key?.trim() === 'v1') signatures.push(value);
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

/** The charge of a PaymentIntent: `latest_charge` is an id, or the charge when expanded. */
const chargeIdOf = (intent: Record<string, unknown>) =>
  stringField(intent.latest_charge) ?? stringField((intent.latest_charge as Record<string, unknown> | null)?.id);

/** A verified Stripe event (https://docs.stripe.com/api/events/object), normalised. */
function normalise(event: Record<string, unknown>): PaymentEvent {
  const id = stringField(event.id);
  const type = stringField(event.type);
  const object = ((event.data as Record<string, unknown> | undefined)?.object ?? {}) as Record<string, unknown>;
  if (!id || !type) throw invalidError('WEBHOOK_BAD_PAYLOAD');
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const currency = stringField(object.currency)?.toUpperCase() ?? null;
  const base = { provider: 'stripe' as const, id, type, orderId: orderIdField(metadata.order_id), currency, refundedAmount: null };
  switch (type) {
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed':
    case 'payment_intent.processing':
      return {
        ...base,
        kind: type === 'payment_intent.succeeded' ? 'succeeded' : type === 'payment_intent.processing' ? 'processing' : 'failed',
        providerPaymentId: stringField(object.id),
        // What actually arrived; `amount` is what was asked.
        amount: type === 'payment_intent.succeeded' ? (integerField(object.amount_received) ?? integerField(object.amount)) : integerField(object.amount),
        chargeId: chargeIdOf(object),
      };
    case 'charge.refunded':
      return {
        ...base,
        kind: 'refunded',
        providerPaymentId: stringField(object.payment_intent),
        amount: integerField(object.amount),
        chargeId: stringField(object.id),
        refundedAmount: integerField(object.amount_refunded),
      };
    default:
      return { ...base, kind: 'ignored', providerPaymentId: null, amount: null, chargeId: null };
  }
}

/**
 * Stripe PaymentIntents over its REST API with fetch (no SDK: the Worker stays small and the
 * calls are three). Every write carries `Idempotency-Key`, so a retried call returns the object
 * the first one created.
 */
export function stripeProvider(config: Config): PaymentProvider {
  const { apiUrl, secretKey, webhookSecret } = config.stripe;
  const call = (path: string, fields: Record<string, string | number>, idempotencyKey: string) => {
    if (!secretKey) throw notConfigured('STRIPE_SECRET_KEY');
    return callProvider(
      'Stripe',
      `${apiUrl}${path}`,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${secretKey}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          'Idempotency-Key': idempotencyKey,
        },
        body: form(fields),
      },
      config.paymentProviderTimeoutMs,
    );
  };

  return {
    name: 'stripe',

    async createPayment(order, idempotencyKey): Promise<ProviderPayment> {
      const intent = await call(
        '/v1/payment_intents',
        {
          amount: order.amount,
          currency: order.currency.toLowerCase(),
          'metadata[order_id]': order.id,
          'automatic_payment_methods[enabled]': 'true',
          description: `Order ${order.id}`,
        },
        idempotencyKey,
      );
      const id = stringField(intent.id);
      const clientSecret = stringField(intent.client_secret);
      if (!id || !clientSecret) throw new PaymentProviderError('Stripe answered without a PaymentIntent id and client_secret');
      return {
        providerPaymentId: id,
        clientSecret,
        status: statusOf(intent.status),
        amount: integerField(intent.amount) ?? order.amount,
        currency: stringField(intent.currency)?.toUpperCase() ?? order.currency,
      };
    },

    async refund(payment, amount, idempotencyKey) {
      const refund = await call('/v1/refunds', { payment_intent: payment.providerPaymentId ?? '', amount }, idempotencyKey);
      const status = stringField(refund.status);
      return {
        providerRefundId: stringField(refund.id) ?? '',
        status: status === 'succeeded' ? 'succeeded' : status === 'failed' || status === 'canceled' ? 'failed' : 'pending',
      };
    },

    async cancelPayment(payment) {
      if (!payment.providerPaymentId) return;
      await call(`/v1/payment_intents/${encodeURIComponent(payment.providerPaymentId)}/cancel`, { cancellation_reason: 'abandoned' }, `ashte-cancel-${payment.providerPaymentId}`);
    },

    async verifyWebhook(raw, headers, now) {
      if (!webhookSecret) throw badSignature();
      const parsed = parseSignatureHeader(headers.get('stripe-signature') ?? '');
      if (!parsed) throw badSignature();
      if (Math.abs(now.getTime() / 1000 - parsed.timestamp) > STRIPE_SIGNATURE_TOLERANCE_SECONDS) throw badSignature();
      // The signed payload is `${t}.${raw body}`, byte for byte.
      const prefix = utf8(`${parsed.timestamp}.`);
      const signed = new Uint8Array(prefix.byteLength + raw.byteLength);
      signed.set(prefix);
      signed.set(raw, prefix.byteLength);
      let valid = false;
      for (const signature of parsed.signatures) valid = (await isHmacSha256Hex(webhookSecret, signed, signature)) || valid;
      if (!valid) throw badSignature();
      return normalise(webhookEvent(raw));
    },

    async signedSuccessEvent(payment: Payment, now: Date) {
      if (!webhookSecret) throw notConfigured('STRIPE_WEBHOOK_SECRET');
      const created = Math.floor(now.getTime() / 1000);
      const body = JSON.stringify({
        id: `evt_dev_${crypto.randomUUID().replace(/-/g, '')}`,
        object: 'event',
        type: 'payment_intent.succeeded',
        created,
        livemode: false,
        data: {
          object: {
            id: payment.providerPaymentId,
            object: 'payment_intent',
            amount: payment.amount,
            amount_received: payment.amount,
            currency: payment.currency.toLowerCase(),
            status: 'succeeded',
            latest_charge: `ch_dev_${payment.orderId}`,
            metadata: { order_id: String(payment.orderId) },
          },
        },
      });
      const signature = await hmacSha256Hex(webhookSecret, `${created}.${body}`);
      return { body, headers: { 'content-type': 'application/json', 'stripe-signature': `t=${created},v1=${signature}` } };
    },
  };
}
