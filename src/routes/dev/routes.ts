import { createRoute, z } from '@hono/zod-openapi';
import { EMAIL_STATUSES } from '../../db/schema';
import { errors, json } from '../../lib/openapi';
import { idParam, queryInt, text } from '../../lib/schemas';
import { changesCatalog } from '../../middleware/edge-cache';
import { onPrimary } from '../../middleware/request-context';

export const MAILBOX_PAGE_DEFAULT = 50;

const MailboxEmail = z
  .object({
    id: z.string().openapi({ format: 'uuid' }),
    to: z.string(),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
    status: z.enum(EMAIL_STATUSES),
    created_at: z.string().openapi({ example: '2026-11-25T10:00:00Z' }),
    links: z.array(z.string()).openapi({ description: 'The URLs in the text version, e.g. verify and reset links' }),
  })
  .openapi('MailboxEmail');

export const mailboxRoute = createRoute({
  method: 'get',
  path: '/dev/mailbox',
  operationId: 'listDevMailbox',
  security: [],
  tags: ['development'],
  summary: 'Development only: the e-mails the app would have sent',
  description:
    'Exists only when `ENVIRONMENT=development`; everywhere else every `/dev/…` path answers 404 Not Found, ' +
    'exactly like an unknown route. Newest first, whatever the provider and delivery state. ' +
    'A browser (an `Accept` that prefers `text/html`) gets the same list as a page with clickable links and each ' +
    'e-mail rendered in a sandboxed frame.',
  request: {
    query: z.object({
      to: text({ min: 1, max: 320 })
        .optional()
        .openapi({ description: 'Only e-mails to this address (exact match, compared case-insensitively)' }),
      limit: queryInt({ min: 1, max: 200 }).openapi({ default: MAILBOX_PAGE_DEFAULT }),
    }),
  },
  // The page for browsers is a development convenience, like /docs: not part of the described API.
  responses: { 200: json(z.array(MailboxEmail), 'The newest e-mails'), ...errors(404, 422) },
});

export const devPaymentSucceedRoute = createRoute({
  method: 'post',
  path: '/dev/payments/{order_id}/succeed',
  operationId: 'succeedDevPayment',
  security: [],
  tags: ['development'],
  summary: 'Development only: pay an order as the provider would, without an account',
  description:
    'Exists only when `ENVIRONMENT=development` (404 otherwise, like every `/dev/…` path). Builds a correctly signed "payment succeeded" event ' +
    'for the order’s payment — Stripe `payment_intent.succeeded` (`Stripe-Signature` under `STRIPE_WEBHOOK_SECRET`) or Razorpay `payment.captured` ' +
    '(`X-Razorpay-Signature` under `RAZORPAY_WEBHOOK_SECRET`), for the full amount — and delivers it to the configured provider’s webhook handler, ' +
    'which verifies and applies it like any delivery. Answers what the webhook answered, and the order after it. ' +
    '409 `PAYMENT_NOT_STARTED` before `POST /orders/{order_id}/payment`, `PAYMENTS_DISABLED` with `PAYMENT_PROVIDER=manual`.',
  // Delivered to the webhook's handler, not its route: a late payment takes stock again.
  middleware: [onPrimary, changesCatalog] as const,
  request: { params: idParam('order_id') },
  responses: {
    200: json(
      z
        .object({
          webhook: z.string().openapi({ example: '/payments/webhooks/stripe' }),
          status: z.number().int(),
          response: z.object({ received: z.literal(true) }),
          event: z.unknown().openapi({ description: 'The event that was delivered' }),
        })
        .openapi('DevPaymentDelivery'),
      'What the webhook answered',
    ),
    ...errors(404, 409),
  },
});
