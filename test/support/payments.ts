import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { validateWebhookSignature } from 'razorpay/dist/utils/razorpay-utils';
import Stripe from 'stripe';
import { vi } from 'vitest';
import { hmacSha256Hex } from '../../src/lib/crypto';
import { getDb } from '../../src/db/client';
import { paymentEvents, payments, type PaymentProviderName } from '../../src/db/schema';
import type { Bindings } from '../../src/env';
import { api, jsonResponse } from './http';
import { placeOrder } from './orders';

/** vitest.config.ts: the providers' base URLs (only fetchMock answers them) and test-only secrets. */
export const STRIPE_URL = 'https://stripe.test';
export const RAZORPAY_URL = 'https://razorpay.test';
export const STRIPE_WEBHOOK_SECRET = 'whsec_test_ashte';
export const RAZORPAY_KEY_ID = 'rzp_test_ashte';
export const RAZORPAY_KEY_SECRET = 'rzp_test_secret_ashte';
export const RAZORPAY_WEBHOOK_SECRET = 'rzp_webhook_secret_ashte';

const envs = new Map<string, Bindings>();

/**
 * The Worker's bindings with PAYMENT_PROVIDER set (one object per provider, so its parsed
 * configuration is cached like the real env's). Pass it as `api(…, { env })`.
 */
export function paymentEnv(provider: PaymentProviderName, overrides: Partial<Bindings> = {}): Bindings {
  const key = `${provider}:${JSON.stringify(overrides)}`;
  let bindings = envs.get(key);
  if (!bindings) {
    bindings = { ...env, PAYMENT_PROVIDER: provider, ...overrides };
    envs.set(key, bindings);
  }
  return bindings;
}

export const paymentOfOrder = (orderId: number) => getDb(env).select().from(payments).where(eq(payments.orderId, orderId)).get();

export const eventsOfOrder = (orderId: number) => getDb(env).select().from(paymentEvents).where(eq(paymentEvents.orderId, orderId));

// ---------------------------------------------------------------------------------------------
// Signed deliveries. The signatures come from the providers' own libraries (devDependencies),
// so the verifier provably agrees with them: Stripe's generateTestHeaderStringAsync (inside
// workerd the library's crypto is WebCrypto, which has no synchronous form of
// generateTestHeaderString), and Razorpay's validateWebhookSignature as a cross-check.
// ---------------------------------------------------------------------------------------------

/** A Stripe event (https://docs.stripe.com/api/events/object) about a PaymentIntent, as its raw body. */
export function stripeEvent(
  type: string,
  intent: { id: string; amount: number; currency?: string; orderId?: number; status?: string },
  eventId = `evt_${crypto.randomUUID().replace(/-/g, '')}`,
): string {
  return JSON.stringify({
    id: eventId,
    object: 'event',
    api_version: '2025-11-17.clover',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type,
    data: {
      object: {
        id: intent.id,
        object: 'payment_intent',
        amount: intent.amount,
        amount_received: type === 'payment_intent.succeeded' ? intent.amount : 0,
        currency: (intent.currency ?? 'INR').toLowerCase(),
        status: intent.status ?? (type === 'payment_intent.succeeded' ? 'succeeded' : type === 'payment_intent.processing' ? 'processing' : 'requires_payment_method'),
        latest_charge: `ch_${intent.id.slice(3)}`,
        metadata: intent.orderId === undefined ? {} : { order_id: String(intent.orderId) },
      },
    },
  });
}

/** The `Stripe-Signature` header Stripe would send for this body, made by Stripe's library. */
export const stripeSignature = (body: string, options: { timestamp?: number; secret?: string } = {}) =>
  Stripe.webhooks.generateTestHeaderStringAsync({
    payload: body,
    secret: options.secret ?? STRIPE_WEBHOOK_SECRET,
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });

/** POSTs a raw body to the Stripe webhook, signed unless `signature` says otherwise (null: no header). */
export async function deliverStripe(body: string, signature?: string | null) {
  const header = signature === undefined ? await stripeSignature(body) : signature;
  return api('POST', '/payments/webhooks/stripe', {
    raw: body,
    headers: { 'content-type': 'application/json', ...(header === null ? {} : { 'stripe-signature': header }) },
  });
}

/** A Razorpay webhook (https://razorpay.com/docs/webhooks/payloads/payments/) about a payment of a Razorpay order, as its raw body. */
export function razorpayEvent(
  event: 'payment.captured' | 'payment.failed' | 'payment.authorized' | 'order.paid' | string,
  payment: { id?: string; orderId: string; amount: number; currency?: string; shopOrderId?: number },
): string {
  const entity = {
    id: payment.id ?? `pay_${crypto.randomUUID().replace(/-/g, '').slice(0, 14)}`,
    entity: 'payment',
    amount: payment.amount,
    currency: payment.currency ?? 'INR',
    status: event === 'payment.failed' ? 'failed' : event === 'payment.authorized' ? 'authorized' : 'captured',
    order_id: payment.orderId,
    captured: event === 'payment.captured' || event === 'order.paid',
    amount_refunded: 0,
    notes: payment.shopOrderId === undefined ? [] : { order_id: String(payment.shopOrderId) },
    created_at: Math.floor(Date.now() / 1000),
  };
  return JSON.stringify({
    entity: 'event',
    account_id: 'acc_BFQ7uQEaa7j2z7',
    event,
    contains: ['payment'],
    payload: { payment: { entity } },
    created_at: Math.floor(Date.now() / 1000),
  });
}

/** Razorpay's signature of a webhook body (hex HMAC-SHA256), checked with Razorpay's own validateWebhookSignature. */
export async function razorpaySignature(body: string, secret = RAZORPAY_WEBHOOK_SECRET): Promise<string> {
  const signature = await hmacSha256Hex(secret, body);
  if (!validateWebhookSignature(body, signature, secret)) throw new Error('razorpay disagrees with the test signature');
  return signature;
}

/** POSTs a raw body to the Razorpay webhook with an event id, signed unless `signature` says otherwise. */
export async function deliverRazorpay(body: string, options: { signature?: string | null; eventId?: string } = {}) {
  const header = options.signature === undefined ? await razorpaySignature(body) : options.signature;
  return api('POST', '/payments/webhooks/razorpay', {
    raw: body,
    headers: {
      'content-type': 'application/json',
      'x-razorpay-event-id': options.eventId ?? `evt_${crypto.randomUUID().replace(/-/g, '').slice(0, 14)}`,
      ...(header === null ? {} : { 'x-razorpay-signature': header }),
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Stand-ins for the providers' REST APIs (the only thing mocked): the Worker runs in the test's
// isolate, so a spy on the global fetch answers its calls, as for Resend (test/email).
// ---------------------------------------------------------------------------------------------

export interface ProviderCall {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

const callOf = (input: RequestInfo | URL, init?: RequestInit): ProviderCall => ({
  method: init?.method ?? 'GET',
  url: String(input instanceof Request ? input.url : input),
  headers: new Headers(init?.headers),
  body: typeof init?.body === 'string' ? init.body : '',
});

/**
 * Stripe's PaymentIntents API as it behaves: one PaymentIntent per Idempotency-Key, the same
 * one answered again for a repeated key. `answer` overrides a call's answer (an outage).
 */
export function fakeStripe(options: { delayMs?: number; answer?: (call: ProviderCall) => Promise<Response> | Response | undefined } = {}) {
  const byKey = new Map<string, Record<string, unknown>>();
  const calls: ProviderCall[] = [];
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const call = callOf(input, init);
    calls.push(call);
    if (!call.url.startsWith(STRIPE_URL)) throw new Error(`unexpected fetch of ${call.url}`);
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const overridden = await options.answer?.(call);
    if (overridden) return overridden;
    const form = new URLSearchParams(call.body);
    const key = call.headers.get('idempotency-key') ?? crypto.randomUUID();
    let intent = byKey.get(key);
    if (!intent) {
      const id = `pi_${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`;
      intent = {
        id,
        object: 'payment_intent',
        amount: Number(form.get('amount')),
        currency: form.get('currency'),
        status: 'requires_payment_method',
        client_secret: `${id}_secret_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`,
        metadata: { order_id: form.get('metadata[order_id]') },
      };
      byKey.set(key, intent);
    }
    return jsonResponse(intent);
  });
  return { spy, calls, intents: () => [...byKey.values()] };
}

/**
 * Razorpay's Orders API as it behaves: POST /v1/orders creates an order every time (Razorpay has
 * no idempotency key), GET /v1/orders?receipt=… lists those with that receipt.
 */
export function fakeRazorpay(
  options: {
    delayMs?: number;
    answer?: (call: ProviderCall) => Promise<Response> | Response | undefined;
    /** Creates the first this many orders but answers 504, as when an answer is lost on the way. */
    loseCreateAnswers?: number;
  } = {},
) {
  const created: Record<string, unknown>[] = [];
  let toLose = options.loseCreateAnswers ?? 0;
  const calls: ProviderCall[] = [];
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const call = callOf(input, init);
    calls.push(call);
    if (!call.url.startsWith(RAZORPAY_URL)) throw new Error(`unexpected fetch of ${call.url}`);
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const overridden = await options.answer?.(call);
    if (overridden) return overridden;
    const url = new URL(call.url);
    if (call.method === 'GET' && url.pathname === '/v1/orders') {
      const items = created.filter((order) => order.receipt === url.searchParams.get('receipt'));
      return jsonResponse({ entity: 'collection', count: items.length, items });
    }
    if (call.method === 'POST' && url.pathname === '/v1/orders') {
      const body = JSON.parse(call.body) as Record<string, unknown>;
      const order = {
        id: `order_${crypto.randomUUID().replace(/-/g, '').slice(0, 14)}`,
        entity: 'order',
        amount: body.amount,
        amount_paid: 0,
        amount_due: body.amount,
        currency: body.currency,
        receipt: body.receipt,
        status: 'created',
        attempts: 0,
        notes: body.notes,
        created_at: Math.floor(Date.now() / 1000),
      };
      created.push(order);
      if (toLose > 0) {
        toLose -= 1;
        return new Response('Gateway Timeout', { status: 504 });
      }
      return jsonResponse(order);
    }
    return jsonResponse({ error: { code: 'BAD_REQUEST_ERROR', description: 'unknown route' } }, 400);
  });
  return { spy, calls, orders: () => created };
}

/** Razorpay Checkout's `razorpay_signature` for a payment of an order: hex HMAC-SHA256 of `order_id|payment_id` under the key secret. */
export const razorpayCheckoutSignature = (orderId: string, paymentId: string, secret = RAZORPAY_KEY_SECRET) =>
  hmacSha256Hex(secret, `${orderId}|${paymentId}`);

/**
 * An order placed with an online provider and its payment started through
 * `POST /orders/{id}/payment` (against the fake provider the test installed).
 */
export async function orderWithPayment(
  user: { id: string; token: string },
  lines: Parameters<typeof placeOrder>[1],
  provider: 'stripe' | 'razorpay',
) {
  const order = await placeOrder(user, lines, { env: paymentEnv(provider) });
  const res = await api('POST', `/orders/${order.id}/payment`, { token: user.token, env: paymentEnv(provider) });
  if (res.status !== 200) throw new Error(`payment failed: ${res.status} ${res.text}`);
  return { order, payment: res.body as Record<string, any> };
}
