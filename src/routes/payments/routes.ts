import { createRoute, z } from '@hono/zod-openapi';
import { PAYMENT_STATUSES } from '../../db/schema';
import { errors, json, jsonBody, SECURITY } from '../../lib/openapi';
import { idParam, text } from '../../lib/schemas';
import { requireUser } from '../../middleware/auth';
import { changesCatalog } from '../../middleware/edge-cache';
import { onPrimary } from '../../middleware/request-context';
import { OrderSchema } from '../orders/routes';

const common = {
  order_id: z.number().int(),
  amount: z.number().int().openapi({ description: 'Minor units, the order’s total' }),
  currency: z.string().openapi({ example: 'INR' }),
  status: z.enum(PAYMENT_STATUSES),
  payment_due_at: z.string().nullable().openapi({ example: '2026-11-25T10:30:00Z', description: 'Unpaid after this, the order is cancelled' }),
};

const StripePaymentSchema = z
  .object({
    provider: z.literal('stripe'),
    ...common,
    payment_id: z.string().openapi({ example: 'pi_3N…', description: 'The PaymentIntent' }),
    client_secret: z.string().openapi({ description: 'For Stripe.js `confirmPayment` in the customer’s browser' }),
  })
  .openapi('StripePayment');

const RazorpayPaymentSchema = z
  .object({
    provider: z.literal('razorpay'),
    ...common,
    razorpay_order_id: z.string().openapi({ example: 'order_EKwxwAgItmmXdp', description: 'For Razorpay Checkout’s `order_id`' }),
    key_id: z.string().openapi({ example: 'rzp_test_…', description: 'For Razorpay Checkout’s `key` (public)' }),
  })
  .openapi('RazorpayPayment');

export const startPaymentRoute = createRoute({
  method: 'post',
  path: '/orders/{order_id}/payment',
  operationId: 'startOrderPayment',
  tags: ['payments'],
  summary: 'The online payment of an order, to complete in the browser (created once)',
  description:
    'The order’s owner only (anyone else: 404, as for an unknown id). The first call creates the provider’s payment object — a Stripe PaymentIntent ' +
    '(`Idempotency-Key` derived from the order, amount in minor units, `metadata.order_id`) or a Razorpay order (`receipt` derived from the order, `notes.order_id`) — ' +
    'and stores it as the order’s one payment; every later call, concurrent ones included, answers that same payment and never creates another. ' +
    '409 `PAYMENTS_DISABLED` with `PAYMENT_PROVIDER=manual`, `ORDER_CANCELLED`, `ORDER_ALREADY_PAID`. ' +
    '502 `PAYMENT_PROVIDER_ERROR` when the provider is down, times out or refuses: nothing is stored, and asking again is safe. No body.',
  security: SECURITY,
  middleware: [onPrimary, requireUser] as const,
  request: { params: idParam('order_id') },
  responses: {
    200: json(z.union([StripePaymentSchema, RazorpayPaymentSchema]), 'The payment to complete'),
    ...errors(401, 404, 409, 502),
  },
});

export const verifyRazorpayRoute = createRoute({
  method: 'post',
  path: '/payments/razorpay/verify',
  operationId: 'verifyRazorpayPayment',
  tags: ['payments'],
  summary: 'Razorpay Checkout’s handler answer: the order, paid',
  description:
    '`razorpay_signature` must be the hex HMAC-SHA256 of `razorpay_order_id|razorpay_payment_id` under the key secret (else 400 `PAYMENT_BAD_SIGNATURE`, nothing changes). ' +
    'The payment is then applied through the same exactly-once path as the webhook, so this call and the `payment.captured` webhook together mark the order paid once, with one e-mail. ' +
    '404 for a Razorpay order that is not one of the caller’s orders.',
  security: SECURITY,
  // A payment for an order cancelled meanwhile takes its stock again: the catalog's readers see it.
  middleware: [onPrimary, requireUser, changesCatalog] as const,
  request: {
    body: jsonBody(
      z
        .object({
          razorpay_order_id: text({ min: 1, max: 100 }),
          razorpay_payment_id: text({ min: 1, max: 100 }),
          razorpay_signature: text({ min: 1, max: 200 }),
        })
        .openapi('RazorpayVerifyRequest'),
    ),
  },
  responses: { 200: json(OrderSchema, 'The order, with its payment'), ...errors(400, 401, 404, 413, 422) },
});

const Received = z.object({ received: z.literal(true) }).openapi('WebhookReceived');

const webhookRoute = (provider: 'stripe' | 'razorpay', operationId: string, header: string, signed: string) =>
  createRoute({
    method: 'post',
    path: `/payments/webhooks/${provider}`,
    operationId,
    tags: ['payments'],
    summary: `${provider === 'stripe' ? 'Stripe' : 'Razorpay'} webhook`,
    description:
      `Authenticated by \`${header}\` (${signed}), computed over the raw request body; no bearer token. ` +
      'A missing, wrong or (Stripe) more than 5 minutes old signature is 400 `WEBHOOK_BAD_SIGNATURE` and changes nothing. ' +
      'A verified event is applied exactly once: its id is recorded in the same D1 batch as its effect, so a repeated, late or concurrent delivery answers 200 and changes nothing; ' +
      'a payment never moves backwards; an order is marked paid (with one "payment received" e-mail) only if the amount and currency received equal the order’s, ' +
      'else the payment is `amount_mismatch`. Event types the shop does not act on answer 200 too. ' +
      'A correctly signed body that is not a JSON event is 400 `WEBHOOK_BAD_PAYLOAD`. The body is the provider’s raw event (at most 64 KiB).',
    security: [],
    // A payment for an order cancelled meanwhile takes its stock again: the catalog's readers see it.
    middleware: [onPrimary, changesCatalog] as const,
    responses: { 200: json(Received, 'Applied, a duplicate, or an event type the shop ignores'), ...errors(400, 413) },
  });

export const stripeWebhookRoute = webhookRoute('stripe', 'receiveStripeWebhook', 'Stripe-Signature', '`t=…,v1=…`: HMAC-SHA256 of `t.raw_body` under `STRIPE_WEBHOOK_SECRET`');
export const razorpayWebhookRoute = webhookRoute(
  'razorpay',
  'receiveRazorpayWebhook',
  'X-Razorpay-Signature',
  'hex HMAC-SHA256 of the raw body under `RAZORPAY_WEBHOOK_SECRET`; `X-Razorpay-Event-Id` is the event id',
);
