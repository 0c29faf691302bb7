import type { Context } from 'hono';
import type { AppEnv } from '../../app-env';
import type { OnlinePaymentProvider } from '../../db/schema';
import type { Bindings } from '../../env';
import { createRouter } from '../../lib/openapi';
import { receiveWebhook, startPayment, verifyRazorpayCheckout, type StartedPayment } from '../../services/payments';
import { toOrderOut } from '../orders';
import { razorpayWebhookRoute, startPaymentRoute, stripeWebhookRoute, verifyRazorpayRoute } from './routes';

/** The payment to complete in the browser, in the provider's shape (API.md 8). */
function toStartedPaymentOut({ order, payment, keyId }: StartedPayment) {
  const common = {
    order_id: order.id,
    amount: payment.amount,
    currency: payment.currency,
    status: payment.status,
    payment_due_at: order.paymentDueAt,
  };
  if (payment.provider === 'razorpay') {
    return { provider: 'razorpay' as const, ...common, razorpay_order_id: payment.providerPaymentId ?? '', key_id: keyId ?? '' };
  }
  return { provider: 'stripe' as const, ...common, payment_id: payment.providerPaymentId ?? '', client_secret: payment.clientSecret ?? '' };
}

/**
 * A webhook delivery, verified over the bytes exactly as received (readBody keeps them for the
 * webhook paths instead of parsing them). Also what POST /dev/payments/{id}/succeed delivers to.
 */
export async function deliverWebhook(env: Bindings, provider: OnlinePaymentProvider, raw: Uint8Array, headers: Headers) {
  await receiveWebhook(env, provider, raw, headers);
  return { received: true as const };
}

const rawBodyOf = (c: Context<AppEnv>) => c.get('rawBody') ?? new Uint8Array();

export const paymentRoutes = createRouter()
  .openapi(startPaymentRoute, async (c) => {
    const started = await startPayment(c.env, c.get('user'), c.req.valid('param').order_id);
    return c.json(toStartedPaymentOut(started), 200);
  })
  .openapi(verifyRazorpayRoute, async (c) => {
    const order = await verifyRazorpayCheckout(c.env, c.get('user'), c.req.valid('json'));
    return c.json(toOrderOut(order), 200);
  })
  .openapi(stripeWebhookRoute, async (c) => c.json(await deliverWebhook(c.env, 'stripe', rawBodyOf(c), c.req.raw.headers), 200))
  .openapi(razorpayWebhookRoute, async (c) => c.json(await deliverWebhook(c.env, 'razorpay', rawBodyOf(c), c.req.raw.headers), 200));
