import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { getDb } from '../../src/db/client';
import { paymentEvents, payments, type PaymentProviderName } from '../../src/db/schema';
import type { Bindings } from '../../src/env';

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
