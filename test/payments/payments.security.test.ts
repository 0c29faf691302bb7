import { env } from 'cloudflare:workers';
import { validateWebhookSignature } from 'razorpay/dist/utils/razorpay-utils';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { getConfig } from '../../src/config';
import { razorpayProvider } from '../../src/payments/providers/razorpay';
import { stripeProvider } from '../../src/payments/providers/stripe';
import {
  advanceClock,
  api,
  deliverRazorpay,
  deliverStripe,
  emailsOfOrder,
  eventsOfOrder,
  fakeRazorpay,
  fakeStripe,
  freezeClock,
  orderWithPayment,
  paymentEnv,
  razorpayCheckoutSignature,
  razorpayEvent,
  razorpaySignature,
  RAZORPAY_WEBHOOK_SECRET,
  seedProduct,
  seedUser,
  stripeEvent,
  stripeSignature,
  STRIPE_WEBHOOK_SECRET,
} from '../support';

const BAD_SIGNATURE = { detail: 'WEBHOOK_BAD_SIGNATURE' };

/** An order with a started Stripe payment, and a success event for it that nobody has delivered yet. */
async function stripeOrder() {
  fakeStripe();
  const user = await seedUser();
  const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 300 }), 1]], 'stripe');
  const event = stripeEvent('payment_intent.succeeded', { id: payment.payment_id, amount: 300, orderId: order.id });
  const unchanged = async () => {
    const read = (await api('GET', `/orders/${order.id}`, { token: user.token })).body;
    expect(read).toMatchObject({ paid: false, payment: { status: 'requires_payment' } });
    expect(await eventsOfOrder(order.id)).toEqual([]);
    expect((await emailsOfOrder(order.id)).filter((mail) => mail.kind === 'payment_received')).toEqual([]);
  };
  return { user, order, event, unchanged };
}

describe('Stripe webhook signatures (Stripe-Signature, checked against stripe’s own generateTestHeaderString)', () => {
  it('400 WEBHOOK_BAD_SIGNATURE and nothing changes: missing, malformed, another secret, another body', async () => {
    const { event, unchanged } = await stripeOrder();
    const other = stripeEvent('payment_intent.succeeded', { id: 'pi_other', amount: 1 });
    const headers: (string | null)[] = [
      null,
      '',
      'v1=abc',
      't=123',
      await stripeSignature(event, { secret: 'whsec_someone_else' }),
      await stripeSignature(other),
      (await stripeSignature(event)).replace(/v1=/, 'v0='),
    ];
    for (const header of headers) {
      const res = await deliverStripe(event, header);
      expect(res.status, String(header)).toBe(400);
      expect(res.body).toEqual(BAD_SIGNATURE);
    }
    // The signed bytes are the raw body: re-serialised JSON (same event, other spacing) does not verify.
    const signature = await stripeSignature(event);
    expect((await deliverStripe(JSON.stringify(JSON.parse(event), null, 2), signature)).status).toBe(400);
    await unchanged();
  });

  it('400 for a signature more than 5 minutes old or ahead (a replayed delivery), 200 within the tolerance', async () => {
    const now = freezeClock();
    const { event, unchanged } = await stripeOrder();
    const at = (seconds: number) => stripeSignature(event, { timestamp: Math.floor(now.getTime() / 1000) + seconds });
    expect((await deliverStripe(event, await at(-301))).body).toEqual(BAD_SIGNATURE);
    expect((await deliverStripe(event, await at(301))).body).toEqual(BAD_SIGNATURE);
    await unchanged();

    const signedNow = await at(0);
    advanceClock(299);
    expect((await deliverStripe(event, signedNow)).status).toBe(200);
  });

  it('several v1 signatures (a secret being rolled): one that verifies is enough', async () => {
    const { order, user, event } = await stripeOrder();
    const good = await stripeSignature(event);
    const timestamp = good.split(',')[0]!;
    const wrong = (await stripeSignature(event, { secret: 'whsec_old', timestamp: Number(timestamp.slice(2)) })).split(',')[1]!;
    expect((await deliverStripe(event, `${timestamp},${wrong},${good.split(',')[1]}`)).status).toBe(200);
    expect((await api('GET', `/orders/${order.id}`, { token: user.token })).body).toMatchObject({ paid: true });
  });

  it('without STRIPE_WEBHOOK_SECRET every delivery is refused', async () => {
    const { event } = await stripeOrder();
    const res = await api('POST', '/payments/webhooks/stripe', {
      raw: event,
      headers: { 'stripe-signature': await stripeSignature(event), 'content-type': 'application/json' },
      env: paymentEnv('stripe', { STRIPE_WEBHOOK_SECRET: '' }),
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(BAD_SIGNATURE);
  });

  it('a body over 64 KiB is 413 before anything else', async () => {
    const body = JSON.stringify({ id: 'evt_big', type: 'payment_intent.succeeded', pad: 'x'.repeat(70 * 1024) });
    const res = await deliverStripe(body);
    expect(res.status).toBe(413);
  });
});

describe('Razorpay webhook signatures (X-Razorpay-Signature, cross-checked with razorpay’s validateWebhookSignature)', () => {
  it('400 WEBHOOK_BAD_SIGNATURE and nothing changes: missing, another secret, another body, not hex', async () => {
    fakeRazorpay();
    const user = await seedUser();
    const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 300 }), 1]], 'razorpay');
    const event = razorpayEvent('payment.captured', { orderId: payment.razorpay_order_id, amount: 300 });
    const signatures: (string | null)[] = [
      null,
      '',
      await razorpaySignature(event, 'someone-else'),
      await razorpaySignature(event.replace('"amount":300', '"amount":301')),
      'not-hex',
    ];
    for (const signature of signatures) {
      const res = await deliverRazorpay(event, { signature });
      expect(res.status, String(signature)).toBe(400);
      expect(res.body).toEqual(BAD_SIGNATURE);
    }
    expect((await api('GET', `/orders/${order.id}`, { token: user.token })).body).toMatchObject({ paid: false });
    expect(await eventsOfOrder(order.id)).toEqual([]);
  });
});

describe('payments belong to the order’s owner', () => {
  it('POST /orders/{id}/payment for someone else’s order is 404, never 403, and creates nothing', async () => {
    const stripe = fakeStripe();
    const owner = await seedUser();
    const stranger = await seedUser();
    const { order } = await orderWithPayment(owner, [[await seedProduct({ quantity: 3 }), 1]], 'stripe');
    const res = await api('POST', `/orders/${order.id}/payment`, { token: stranger.token, env: paymentEnv('stripe') });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Not Found' });
    expect(stripe.calls).toHaveLength(1);
  });

  it('POST /payments/razorpay/verify for someone else’s Razorpay order is 404 and pays nothing', async () => {
    fakeRazorpay();
    const owner = await seedUser();
    const stranger = await seedUser();
    const { order, payment } = await orderWithPayment(owner, [[await seedProduct({ quantity: 3 }), 1]], 'razorpay');
    const res = await api('POST', '/payments/razorpay/verify', {
      token: stranger.token,
      json: {
        razorpay_order_id: payment.razorpay_order_id,
        razorpay_payment_id: 'pay_X',
        razorpay_signature: await razorpayCheckoutSignature(payment.razorpay_order_id, 'pay_X'),
      },
    });
    expect(res.status).toBe(404);
    expect((await api('GET', `/orders/${order.id}`, { token: owner.token })).body).toMatchObject({ paid: false });
  });

  it('/dev/payments/{id}/succeed does not exist outside development', async () => {
    const res = await api('POST', '/dev/payments/1/succeed', { env: paymentEnv('stripe', { ENVIRONMENT: 'production' }) });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Not Found' });
  });
});

describe('what /dev/payments/{id}/succeed signs, the providers’ own libraries accept', () => {
  const payment = {
    id: 1,
    orderId: 7,
    provider: 'stripe' as const,
    status: 'requires_payment' as const,
    providerPaymentId: 'pi_dev_1',
    amount: 1234,
    currency: 'INR',
    refundedAmount: 0,
    clientSecret: null,
    providerChargeId: null,
    createdAt: '2026-12-01T10:00:00Z',
    updatedAt: '2026-12-01T10:00:00Z',
  };

  it('Stripe: webhooks.constructEventAsync verifies it and reads the event', async () => {
    const { body, headers } = await stripeProvider(getConfig(env)).signedSuccessEvent(payment, new Date());
    const event = await Stripe.webhooks.constructEventAsync(body, headers['stripe-signature']!, STRIPE_WEBHOOK_SECRET, undefined, Stripe.createSubtleCryptoProvider());
    expect(event).toMatchObject({ type: 'payment_intent.succeeded', data: { object: { id: 'pi_dev_1', amount_received: 1234, currency: 'inr', metadata: { order_id: '7' } } } });
  });

  it('Razorpay: validateWebhookSignature accepts it', async () => {
    const { body, headers } = await razorpayProvider(getConfig(env)).signedSuccessEvent({ ...payment, provider: 'razorpay', providerPaymentId: 'order_dev_1' }, new Date());
    expect(validateWebhookSignature(body, headers['x-razorpay-signature']!, RAZORPAY_WEBHOOK_SECRET)).toBe(true);
    expect(JSON.parse(body)).toMatchObject({ event: 'payment.captured', payload: { payment: { entity: { order_id: 'order_dev_1', amount: 1234, currency: 'INR' } } } });
  });
});
