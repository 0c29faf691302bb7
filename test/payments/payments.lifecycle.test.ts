import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { products, refunds, type Product } from '../../src/db/schema';
import { refundIdempotencyKey } from '../../src/services/refunds';
import {
  api,
  db,
  deliverRazorpay,
  deliverStripe,
  emailsOfOrder,
  fakeRazorpay,
  fakeStripe,
  freezeClock,
  jsonResponse,
  orderWithPayment,
  paymentEnv,
  paymentOfOrder,
  placeOrder,
  razorpayEvent,
  runCron,
  seedProduct,
  seedSuperuser,
  seedUser,
  stockOf,
  stripeEvent,
  type ProviderCall,
} from '../support';

afterEach(() => {
  vi.restoreAllMocks();
});

const minutesAfter = (from: Date, minutes: number) => new Date(from.getTime() + minutes * 60_000);

describe('unpaid orders expire (the cron)', () => {
  it('cancels an order unpaid past payment_due_at with reason unpaid, puts its stock back and e-mails why, once', async () => {
    const placedAt = freezeClock(new Date('2026-12-01T10:00:00Z'));
    const user = await seedUser();
    const mug = await seedProduct({ quantity: 5 });
    const spoon = await seedProduct({ quantity: 2 });
    const order = await placeOrder(user, [[mug, 2], [spoon, 2]], { env: paymentEnv('stripe') });
    expect(order.payment_due_at).toBe('2026-12-01T10:30:00Z');
    expect([await stockOf(mug.id), await stockOf(spoon.id)]).toEqual([3, 0]);

    await runCron(minutesAfter(placedAt, 29));
    expect((await api('GET', `/orders/${order.id}`, { token: user.token })).body).toMatchObject({ cancelled: false, payment_due_at: '2026-12-01T10:30:00Z' });

    await runCron(minutesAfter(placedAt, 31));
    await runCron(minutesAfter(placedAt, 36));

    const read = await api('GET', `/orders/${order.id}`, { token: user.token });
    expect(read.body).toMatchObject({
      status: 'cancelled',
      cancelled: true,
      paid: false,
      cancellation_reason: 'unpaid',
      cancelled_at: '2026-12-01T10:31:00Z',
      payment_due_at: null,
    });
    expect([await stockOf(mug.id), await stockOf(spoon.id)]).toEqual([5, 2]);
    const cancelled = (await emailsOfOrder(order.id)).filter((mail) => mail.kind === 'order_cancelled');
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]!.text).toContain('because we did not receive its payment in time');
  });

  it('leaves paid, shipped and manual orders alone', async () => {
    const placedAt = freezeClock(new Date('2026-12-02T10:00:00Z'));
    const user = await seedUser();
    const admin = await seedSuperuser();
    const mug = await seedProduct({ quantity: 10 });
    const paid = await placeOrder(user, [[mug, 1]], { env: paymentEnv('stripe') });
    const shipped = await placeOrder(user, [[mug, 1]], { env: paymentEnv('stripe') });
    const manual = await placeOrder(user, [[mug, 1]]);
    expect((await api('PUT', `/orders/edit/${paid.id}`, { token: admin.token, json: { paid: true } })).status).toBe(200);
    expect((await api('PUT', `/orders/edit/${shipped.id}`, { token: admin.token, json: { shipped: true } })).status).toBe(200);

    await runCron(minutesAfter(placedAt, 24 * 60));

    for (const id of [paid.id, shipped.id, manual.id]) {
      expect((await api('GET', `/orders/${id}`, { token: user.token })).body).toMatchObject({ cancelled: false, cancellation_reason: null });
    }
    expect(await stockOf(mug.id)).toBe(7);
  });
});

// ---------------------------------------------------------------------------------------------
// Late payments and refunds, against a stand-in for Stripe's REST API (the only thing mocked).
// ---------------------------------------------------------------------------------------------

/**
 * Stripe with refunds as it behaves: POST /v1/refunds creates one refund per Idempotency-Key and
 * answers the same one again for a repeated key; `down` makes it answer 503 instead.
 */
function stripeWithRefunds(options: { down?: () => boolean } = {}) {
  const refundCalls: ProviderCall[] = [];
  const cancelCalls: ProviderCall[] = [];
  const byKey = new Map<string, Record<string, unknown>>();
  const stripe = fakeStripe({
    answer: (call) => {
      const cancelled = /\/v1\/payment_intents\/(pi_\w+)\/cancel$/.exec(call.url);
      if (cancelled) {
        if (options.down?.()) return new Response('Service Unavailable', { status: 503 });
        cancelCalls.push(call);
        return jsonResponse({ id: cancelled[1], object: 'payment_intent', status: 'canceled', cancellation_reason: 'abandoned' });
      }
      if (!call.url.endsWith('/v1/refunds')) return undefined;
      if (options.down?.()) return new Response('Service Unavailable', { status: 503 });
      refundCalls.push(call);
      const form = new URLSearchParams(call.body);
      const key = call.headers.get('idempotency-key') ?? crypto.randomUUID();
      const refund = byKey.get(key) ?? {
        id: `re_${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`,
        object: 'refund',
        amount: Number(form.get('amount')),
        payment_intent: form.get('payment_intent'),
        status: 'succeeded',
      };
      byKey.set(key, refund);
      return jsonResponse(refund);
    },
  });
  return { ...stripe, refundCalls, cancelCalls, refundsMade: () => byKey.size };
}

const succeeded = (payment: Record<string, any>, orderId: number, amount: number, eventId?: string) =>
  stripeEvent('payment_intent.succeeded', { id: payment.payment_id, amount, orderId }, eventId);

/** Stripe's `charge.refunded`: the charge with its cumulative `amount_refunded`. */
const chargeRefunded = (paymentIntentId: string, amount: number, amountRefunded: number, eventId = `evt_${crypto.randomUUID().replace(/-/g, '')}`) =>
  JSON.stringify({
    id: eventId,
    object: 'event',
    type: 'charge.refunded',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: {
      object: {
        id: `ch_${paymentIntentId.slice(3)}`,
        object: 'charge',
        amount,
        amount_refunded: amountRefunded,
        currency: 'inr',
        payment_intent: paymentIntentId,
        refunded: amountRefunded === amount,
      },
    },
  });

const orderAs = async (token: string, id: number) => (await api('GET', `/orders/${id}`, { token })).body;
/** The kinds of e-mail about an order, sorted (e-mails of one second have no order among themselves). */
const kindsOfEmails = async (orderId: number) => (await emailsOfOrder(orderId)).map((mail) => mail.kind).sort();

/** An order of `quantity` of a fresh product, its Stripe payment started, then left unpaid until the cron expires it. */
async function expiredOrder(quantity: number, stock = quantity) {
  const placedAt = freezeClock(new Date('2026-12-03T10:00:00Z'));
  const user = await seedUser();
  const product = await seedProduct({ quantity: stock, price: 1500 });
  const { order, payment } = await orderWithPayment(user, [[product, quantity]], 'stripe');
  await runCron(minutesAfter(placedAt, 31));
  expect(await orderAs(user.token, order.id)).toMatchObject({ cancelled: true, cancellation_reason: 'unpaid' });
  return { user, product, order, payment };
}

const setStock = (product: Product, quantity: number) => db().update(products).set({ quantity }).where(eq(products.id, product.id));

describe('expiry and the provider payment', () => {
  it('cancels the Stripe PaymentIntent of an expired order, once; Stripe down for it changes nothing else', async () => {
    let down = false;
    const stripe = stripeWithRefunds({ down: () => down });
    const placedAt = freezeClock(new Date('2026-12-03T08:00:00Z'));
    const user = await seedUser();
    const product = await seedProduct({ quantity: 4, price: 800 });
    const first = await orderWithPayment(user, [[product, 1]], 'stripe');

    await runCron(minutesAfter(placedAt, 31));
    await runCron(minutesAfter(placedAt, 36));

    expect(stripe.cancelCalls.map((call) => call.url)).toEqual([`https://stripe.test/v1/payment_intents/${first.payment.payment_id}/cancel`]);
    expect(new URLSearchParams(stripe.cancelCalls[0]!.body).get('cancellation_reason')).toBe('abandoned');

    down = true;
    const second = await orderWithPayment(user, [[product, 1]], 'stripe');
    await runCron(minutesAfter(placedAt, 24 * 60));
    expect(await orderAs(user.token, second.order.id)).toMatchObject({ cancelled: true, cancellation_reason: 'unpaid' });
    expect(await stockOf(product.id)).toBe(4);
  });

  it('a superuser cancelling an unpaid order cancels its PaymentIntent too', async () => {
    const stripe = stripeWithRefunds();
    freezeClock(new Date('2026-12-03T09:00:00Z'));
    const user = await seedUser();
    const admin = await seedSuperuser();
    const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 1 }), 1]], 'stripe');
    expect((await api('PUT', `/orders/edit/${order.id}`, { token: admin.token, json: { cancelled: true } })).body).toMatchObject({
      cancelled: true,
      cancellation_reason: 'shop',
      payment_due_at: null,
    });
    expect(stripe.cancelCalls.map((call) => call.url)).toEqual([`https://stripe.test/v1/payment_intents/${payment.payment_id}/cancel`]);
    expect(stripe.refundCalls).toEqual([]);
  });
});

describe('a payment that arrives after its order expired', () => {
  it('takes the stock again when it is all there: the order is paid after all, with one "payment received" e-mail', async () => {
    const stripe = stripeWithRefunds();
    const { user, product, order, payment } = await expiredOrder(2, 5);
    expect(await stockOf(product.id)).toBe(5);
    // An anonymous reader (through the edge cache) sees the stock the expiry put back, and then the stock taken again.
    expect((await api('GET', `/products/${product.id}`)).body.quantity).toBe(5);

    const event = succeeded(payment, order.id, 3000);
    expect((await deliverStripe(event)).status).toBe(200);
    expect((await deliverStripe(event)).status).toBe(200);
    expect((await api('GET', `/products/${product.id}`)).body.quantity).toBe(3);

    expect(await orderAs(user.token, order.id)).toMatchObject({
      status: 'paid',
      paid: true,
      cancelled: false,
      cancellation_reason: null,
      cancelled_at: null,
      payment: { status: 'succeeded', refunded_amount: 0 },
    });
    expect(await stockOf(product.id)).toBe(3);
    expect(await kindsOfEmails(order.id)).toEqual(['order_cancelled', 'order_confirmation', 'payment_received']);
    expect(stripe.refundCalls).toEqual([]);
  });

  it('without the stock, is refunded through Stripe once (the payment’s key, the whole amount) and the customer told', async () => {
    const stripe = stripeWithRefunds();
    const { user, product, order, payment } = await expiredOrder(2, 2);
    await setStock(product, 1); // someone else bought one meanwhile

    const event = succeeded(payment, order.id, 3000);
    expect((await deliverStripe(event)).status).toBe(200);
    expect((await deliverStripe(event)).status).toBe(200);

    const stored = (await paymentOfOrder(order.id))!;
    expect(stripe.refundCalls).toHaveLength(1);
    const [call] = stripe.refundCalls;
    expect(call!.headers.get('idempotency-key')).toBe(refundIdempotencyKey(stored));
    expect(Object.fromEntries(new URLSearchParams(call!.body))).toEqual({ payment_intent: payment.payment_id, amount: '3000' });
    expect(await orderAs(user.token, order.id)).toMatchObject({
      cancelled: true,
      paid: false,
      cancellation_reason: 'unpaid',
      payment: { status: 'refunded', amount: 3000, refunded_amount: 3000 },
    });
    expect(await stockOf(product.id)).toBe(1);
    expect(await kindsOfEmails(order.id)).toEqual(['order_cancelled', 'order_confirmation', 'payment_refunded']);
    const [refundMail] = await emailsOfOrder(order.id).then((mails) => mails.filter((mail) => mail.kind === 'payment_refunded'));
    expect(refundMail!.text).toContain('reached us after the order had been cancelled');
  });

  it('with Stripe down, answers the webhook with an error and refunds on the redelivery, once', async () => {
    let down = true;
    const stripe = stripeWithRefunds({ down: () => down });
    const { user, product, order, payment } = await expiredOrder(1, 1);
    await setStock(product, 0);

    const event = succeeded(payment, order.id, 1500);
    expect((await deliverStripe(event)).status).toBe(502);
    expect(await orderAs(user.token, order.id)).toMatchObject({ cancelled: true, payment: { refunded_amount: 0 } });
    expect(await kindsOfEmails(order.id)).not.toContain('payment_refunded');

    down = false;
    expect((await deliverStripe(event)).status).toBe(200);
    expect((await deliverStripe(event)).status).toBe(200);
    expect(stripe.refundsMade()).toBe(1);
    expect(await orderAs(user.token, order.id)).toMatchObject({ cancelled: true, payment: { status: 'refunded', refunded_amount: 1500 } });
    expect((await kindsOfEmails(order.id)).filter((kind) => kind === 'payment_refunded')).toHaveLength(1);
  });

  it('for an order the shop cancelled is refunded, even with the stock there', async () => {
    const stripe = stripeWithRefunds();
    freezeClock(new Date('2026-12-03T12:00:00Z'));
    const user = await seedUser();
    const admin = await seedSuperuser();
    const product = await seedProduct({ quantity: 5, price: 700 });
    const { order, payment } = await orderWithPayment(user, [[product, 1]], 'stripe');
    expect((await api('PUT', `/orders/edit/${order.id}`, { token: admin.token, json: { cancelled: true } })).status).toBe(200);

    expect((await deliverStripe(succeeded(payment, order.id, 700))).status).toBe(200);

    expect(stripe.refundCalls).toHaveLength(1);
    expect(await orderAs(user.token, order.id)).toMatchObject({ cancelled: true, cancellation_reason: 'shop', payment: { status: 'refunded' } });
    expect(await stockOf(product.id)).toBe(5);
  });
});

describe('a wrong amount on an order that then expires', () => {
  it('is refunded by the cron, what arrived and once, after the order is cancelled with its stock back', async () => {
    const stripe = stripeWithRefunds();
    const placedAt = freezeClock(new Date('2026-12-03T14:00:00Z'));
    const user = await seedUser();
    const product = await seedProduct({ quantity: 2, price: 1500 });
    const { order, payment } = await orderWithPayment(user, [[product, 1]], 'stripe');
    expect((await deliverStripe(succeeded(payment, order.id, 1000))).status).toBe(200);
    expect((await orderAs(user.token, order.id)).payment).toMatchObject({ status: 'amount_mismatch', amount: 1000 });

    await runCron(minutesAfter(placedAt, 31));
    await runCron(minutesAfter(placedAt, 36));

    expect(await orderAs(user.token, order.id)).toMatchObject({
      cancelled: true,
      cancellation_reason: 'unpaid',
      payment: { status: 'refunded', refunded_amount: 1000 },
    });
    expect(stripe.refundCalls).toHaveLength(1);
    expect(new URLSearchParams(stripe.refundCalls[0]!.body).get('amount')).toBe('1000');
    expect(await stockOf(product.id)).toBe(2);
    expect(await kindsOfEmails(order.id)).toEqual(['order_cancelled', 'order_confirmation', 'payment_refunded']);
  });
});

describe('expiry racing a success webhook', () => {
  it.each([1, 2, 3, 4, 5])('ends in one outcome whoever wins (run %i): paid once, stock taken once, e-mails consistent', async () => {
    const stripe = stripeWithRefunds();
    const placedAt = freezeClock(new Date('2026-12-04T10:00:00Z'));
    const user = await seedUser();
    const product = await seedProduct({ quantity: 3, price: 900 });
    const { order, payment } = await orderWithPayment(user, [[product, 2]], 'stripe');

    const [, delivered] = await Promise.all([runCron(minutesAfter(placedAt, 31)), deliverStripe(succeeded(payment, order.id, 1800))]);
    expect(delivered.status).toBe(200);

    // With the stock still there, either way the order ends paid: first, or after the late-payment path took the stock again.
    expect(await orderAs(user.token, order.id)).toMatchObject({ paid: true, cancelled: false, cancellation_reason: null, payment: { status: 'succeeded' } });
    expect(await stockOf(product.id)).toBe(1);
    const kinds = await kindsOfEmails(order.id);
    expect(kinds.filter((kind) => kind === 'payment_received')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'order_cancelled').length).toBeLessThanOrEqual(1);
    expect(stripe.refundCalls).toEqual([]);
  });
});

describe('a superuser cancels a paid order', () => {
  async function paidOrder() {
    const stripe = stripeWithRefunds();
    freezeClock(new Date('2026-12-05T10:00:00Z'));
    const user = await seedUser();
    const admin = await seedSuperuser();
    const product = await seedProduct({ quantity: 4, price: 2500 });
    const { order, payment } = await orderWithPayment(user, [[product, 2]], 'stripe');
    expect((await deliverStripe(succeeded(payment, order.id, 5000))).status).toBe(200);
    expect(await stockOf(product.id)).toBe(2);
    return { stripe, user, admin, product, order, payment };
  }

  it('refunds it through Stripe once (reason shop, stock back, refund e-mail); a repeat refunds nothing more', async () => {
    const { stripe, user, admin, product, order, payment } = await paidOrder();

    const first = await api('PUT', `/orders/edit/${order.id}`, { token: admin.token, json: { cancelled: true } });
    const again = await api('PUT', `/orders/edit/${order.id}`, { token: admin.token, json: { cancelled: true } });

    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(first.body).toMatchObject({ cancelled: true, cancellation_reason: 'shop', payment: { status: 'refunded', refunded_amount: 5000 } });
    expect(stripe.refundCalls).toHaveLength(1);
    const stored = (await paymentOfOrder(order.id))!;
    expect(stripe.refundCalls[0]!.headers.get('idempotency-key')).toBe(refundIdempotencyKey(stored));
    expect(new URLSearchParams(stripe.refundCalls[0]!.body).get('amount')).toBe('5000');
    expect(await stockOf(product.id)).toBe(4);
    expect(await kindsOfEmails(order.id)).toEqual(['order_cancelled', 'order_confirmation', 'payment_received', 'payment_refunded']);
    expect(await db().select().from(refunds).where(eq(refunds.orderId, order.id))).toMatchObject([
      { amount: 5000, status: 'succeeded', reason: 'cancelled_by_shop' },
    ]);
    expect(await orderAs(user.token, order.id)).toMatchObject({ cancelled: true });
    void payment;
  });

  it('concurrent cancels refund once', async () => {
    const { stripe, admin, order } = await paidOrder();
    const answers = await Promise.all([1, 2, 3].map(() => api('PUT', `/orders/edit/${order.id}`, { token: admin.token, json: { cancelled: true } })));
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200]);
    expect(stripe.refundsMade()).toBe(1);
    expect((await kindsOfEmails(order.id)).filter((kind) => kind === 'payment_refunded')).toHaveLength(1);
  });

  it('with Stripe down: 502 PAYMENT_PROVIDER_ERROR and the order stays as it was; a retry refunds once', async () => {
    let down = true;
    const { admin, product, order } = await paidOrder();
    vi.restoreAllMocks();
    const stripe = stripeWithRefunds({ down: () => down });
    const before = await api('GET', `/orders/${order.id}`, { token: admin.token });

    const res = await api('PUT', `/orders/edit/${order.id}`, { token: admin.token, json: { cancelled: true } });

    expect(res.status).toBe(502);
    expect(res.body.detail.code).toBe('PAYMENT_PROVIDER_ERROR');
    expect((await api('GET', `/orders/${order.id}`, { token: admin.token })).body).toEqual(before.body);
    expect(await stockOf(product.id)).toBe(2);
    expect(await kindsOfEmails(order.id)).toEqual(['order_confirmation', 'payment_received']);

    down = false;
    expect((await api('PUT', `/orders/edit/${order.id}`, { token: admin.token, json: { cancelled: true } })).status).toBe(200);
    expect(stripe.refundsMade()).toBe(1);
    expect(await stockOf(product.id)).toBe(4);
  });
});

describe('a superuser cancels an order paid through Razorpay', () => {
  it('refunds the captured payment once, with X-Refund-Idempotency, then refund.processed completes it', async () => {
    const refundCalls: ProviderCall[] = [];
    fakeRazorpay({
      answer: (call) => {
        if (!call.url.endsWith('/refund')) return undefined;
        refundCalls.push(call);
        return jsonResponse({ id: 'rfnd_Sh0pCancel01', entity: 'refund', amount: JSON.parse(call.body).amount, currency: 'INR', status: 'pending' });
      },
    });
    freezeClock(new Date('2026-12-05T12:00:00Z'));
    const user = await seedUser();
    const admin = await seedSuperuser();
    const product = await seedProduct({ quantity: 2, price: 3300 });
    const { order, payment } = await orderWithPayment(user, [[product, 1]], 'razorpay');
    const payId = 'pay_Sh0pCancel0001';
    expect((await deliverRazorpay(razorpayEvent('payment.captured', { id: payId, orderId: payment.razorpay_order_id, amount: 3300, shopOrderId: order.id }))).status).toBe(200);

    const res = await api('PUT', `/orders/edit/${order.id}`, { token: admin.token, json: { cancelled: true } });

    expect(res.status).toBe(200);
    expect(refundCalls).toHaveLength(1);
    expect(refundCalls[0]!.url).toBe(`https://razorpay.test/v1/payments/${payId}/refund`);
    expect(refundCalls[0]!.headers.get('x-refund-idempotency')).toBe(refundIdempotencyKey((await paymentOfOrder(order.id))!));
    expect(JSON.parse(refundCalls[0]!.body)).toMatchObject({ amount: 3300 });
    // Razorpay answered `pending`: the refund is asked, the payment still shows the money until refund.processed.
    expect(res.body).toMatchObject({ cancelled: true, cancellation_reason: 'shop', payment: { status: 'succeeded', refunded_amount: 0 } });
    expect(await kindsOfEmails(order.id)).toContain('payment_refunded');

    const processed = JSON.stringify({
      entity: 'event',
      event: 'refund.processed',
      contains: ['refund', 'payment'],
      payload: {
        refund: { entity: { id: 'rfnd_Sh0pCancel01', entity: 'refund', amount: 3300, currency: 'INR', payment_id: payId, status: 'processed' } },
        payment: { entity: { id: payId, entity: 'payment', amount: 3300, currency: 'INR', order_id: payment.razorpay_order_id, amount_refunded: 3300 } },
      },
    });
    expect((await deliverRazorpay(processed)).status).toBe(200);
    expect((await orderAs(user.token, order.id)).payment).toMatchObject({ status: 'refunded', refunded_amount: 3300 });
    expect(await db().select().from(refunds).where(eq(refunds.orderId, order.id))).toMatchObject([{ status: 'succeeded', providerRefundId: 'rfnd_Sh0pCancel01' }]);
    // Our own refund's webhook tells the customer nothing new: one refund e-mail, sent at the cancel.
    expect((await kindsOfEmails(order.id)).filter((kind) => kind === 'payment_refunded')).toHaveLength(1);
    // Asked again, the cancel changes nothing and asks Razorpay nothing.
    expect((await api('PUT', `/orders/edit/${order.id}`, { token: admin.token, json: { cancelled: true } })).status).toBe(200);
    expect(refundCalls).toHaveLength(1);
  });
});

describe('refund webhooks', () => {
  it('Stripe charge.refunded: partial then full → partially_refunded then refunded; duplicates and a late smaller total change nothing', async () => {
    stripeWithRefunds();
    freezeClock(new Date('2026-12-06T10:00:00Z'));
    const user = await seedUser();
    const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 4000 }), 1]], 'stripe');
    expect((await deliverStripe(succeeded(payment, order.id, 4000))).status).toBe(200);

    const partial = chargeRefunded(payment.payment_id, 4000, 1000);
    expect((await deliverStripe(partial)).status).toBe(200);
    expect((await deliverStripe(partial)).status).toBe(200);
    expect((await orderAs(user.token, order.id)).payment).toMatchObject({ status: 'partially_refunded', refunded_amount: 1000 });

    expect((await deliverStripe(chargeRefunded(payment.payment_id, 4000, 4000))).status).toBe(200);
    expect((await deliverStripe(chargeRefunded(payment.payment_id, 4000, 1000))).status).toBe(200); // out of order: an older total
    expect((await orderAs(user.token, order.id)).payment).toMatchObject({ status: 'refunded', refunded_amount: 4000 });
    expect(await orderAs(user.token, order.id)).toMatchObject({ paid: true });
    // Refunds made in Stripe's dashboard, not by this API: the customer is told of each, once.
    const refundMails = (await emailsOfOrder(order.id)).filter((mail) => mail.kind === 'payment_refunded');
    expect(refundMails.map((mail) => mail.subject).sort()).toEqual([
      expect.stringMatching(/^Refund of .*10\.00 for .* order #/),
      expect.stringMatching(/^Refund of .*30\.00 for .* order #/),
    ]);
  });

  it('Razorpay refund.processed sets refunded_amount from the payment’s amount_refunded, once', async () => {
    fakeRazorpay();
    freezeClock(new Date('2026-12-06T11:00:00Z'));
    const user = await seedUser();
    const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 6000 }), 1]], 'razorpay');
    const payId = 'pay_R3fundTest0001';
    expect((await deliverRazorpay(razorpayEvent('payment.captured', { id: payId, orderId: payment.razorpay_order_id, amount: 6000, shopOrderId: order.id }))).status).toBe(200);

    const processed = JSON.stringify({
      entity: 'event',
      account_id: 'acc_BFQ7uQEaa7j2z7',
      event: 'refund.processed',
      contains: ['refund', 'payment'],
      payload: {
        refund: { entity: { id: 'rfnd_T3st0001', entity: 'refund', amount: 2000, currency: 'INR', payment_id: payId, status: 'processed' } },
        payment: { entity: { id: payId, entity: 'payment', amount: 6000, currency: 'INR', status: 'captured', order_id: payment.razorpay_order_id, amount_refunded: 2000, notes: { order_id: String(order.id) } } },
      },
      created_at: Math.floor(Date.now() / 1000),
    });
    expect((await deliverRazorpay(processed, { eventId: 'evt_refund_1' })).status).toBe(200);
    expect((await deliverRazorpay(processed, { eventId: 'evt_refund_1' })).status).toBe(200);
    expect((await orderAs(user.token, order.id)).payment).toMatchObject({ status: 'partially_refunded', refunded_amount: 2000 });
  });
});
