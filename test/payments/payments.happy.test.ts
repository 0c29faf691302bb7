import { describe, expect, it } from 'vitest';
import {
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
  paymentOfOrder,
  placeOrder,
  razorpayCheckoutSignature,
  razorpayEvent,
  RAZORPAY_KEY_ID,
  RAZORPAY_KEY_SECRET,
  seedProduct,
  seedSuperuser,
  seedUser,
  stripeEvent,
  STRIPE_URL,
} from '../support';

describe('orders and payments: what the order object says', () => {
  it('with manual (the default) an order has no payment, no due time and no cancellation reason', async () => {
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct({ quantity: 3 }), 1]]);
    expect(order).toMatchObject({ payment: null, payment_due_at: null, cancellation_reason: null });
    const read = await api('GET', `/orders/${order.id}`, { token: user.token });
    expect(read.body).toMatchObject({ payment: null, payment_due_at: null, cancellation_reason: null });
  });

  it.each(['stripe', 'razorpay'] as const)('with %s an order must be paid within UNPAID_ORDER_TTL_MINUTES of being placed', async (provider) => {
    freezeClock(new Date('2026-12-01T10:00:00Z'));
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct({ quantity: 3 }), 1]], { env: paymentEnv(provider) });
    expect(order).toMatchObject({ created_at: '2026-12-01T10:00:00Z', payment_due_at: '2026-12-01T10:30:00Z', payment: null });

    const later = await placeOrder(user, [[await seedProduct({ quantity: 3 }), 1]], { env: paymentEnv(provider, { UNPAID_ORDER_TTL_MINUTES: '5' }) });
    expect(later.payment_due_at).toBe('2026-12-01T10:05:00Z');
  });
});

describe('POST /orders/{order_id}/payment', () => {
  it('Stripe: creates one PaymentIntent (form-encoded, Idempotency-Key, metadata.order_id) and answers it again on repeat', async () => {
    const stripe = fakeStripe();
    const user = await seedUser();
    const product = await seedProduct({ quantity: 3, price: 1250 });
    const order = await placeOrder(user, [[product, 2]], { env: paymentEnv('stripe') });

    const first = await api('POST', `/orders/${order.id}/payment`, { token: user.token, env: paymentEnv('stripe') });
    expect(first.status).toBe(200);
    const [intent] = stripe.intents();
    expect(first.body).toEqual({
      provider: 'stripe',
      order_id: order.id,
      amount: 2500,
      currency: 'INR',
      status: 'requires_payment',
      payment_id: intent!.id,
      client_secret: intent!.client_secret,
      payment_due_at: order.payment_due_at,
    });
    const [call] = stripe.calls;
    expect(call!.url).toBe(`${STRIPE_URL}/v1/payment_intents`);
    expect(call!.headers.get('authorization')).toBe('Bearer sk_test_ashte');
    expect(call!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(call!.headers.get('idempotency-key')).toMatch(new RegExp(`^ashte-order-${order.id}-\\d+$`));
    const form = new URLSearchParams(call!.body);
    expect(Object.fromEntries(form)).toMatchObject({
      amount: '2500',
      currency: 'inr',
      'metadata[order_id]': String(order.id),
      'automatic_payment_methods[enabled]': 'true',
    });

    const again = await api('POST', `/orders/${order.id}/payment`, { token: user.token, env: paymentEnv('stripe') });
    expect(again.body).toEqual(first.body);
    expect(stripe.calls).toHaveLength(1);

    const read = await api('GET', `/orders/${order.id}`, { token: user.token });
    expect(read.body.payment).toEqual({
      provider: 'stripe',
      status: 'requires_payment',
      provider_payment_id: intent!.id,
      amount: 2500,
      currency: 'INR',
      refunded_amount: 0,
      updated_at: expect.any(String),
    });
  });

  it('Stripe: five concurrent first calls store one payment and all answer it; Stripe is asked once', async () => {
    const stripe = fakeStripe({ delayMs: 150 });
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct({ quantity: 3 }), 1]], { env: paymentEnv('stripe') });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => api('POST', `/orders/${order.id}/payment`, { token: user.token, env: paymentEnv('stripe') })),
    );
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(answers.map((res) => res.body.payment_id)).size).toBe(1);
    expect(stripe.calls).toHaveLength(1);
    expect((await paymentOfOrder(order.id))?.providerPaymentId).toBe(answers[0]!.body.payment_id);
  });

  it('Razorpay: creates one Razorpay order (basic auth, receipt, notes.order_id), hands Checkout the key id, and never a second one', async () => {
    const razorpay = fakeRazorpay({ delayMs: 100 });
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct({ quantity: 3, price: 999 }), 1]], { env: paymentEnv('razorpay') });
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => api('POST', `/orders/${order.id}/payment`, { token: user.token, env: paymentEnv('razorpay') })),
    );
    const [created] = razorpay.orders();
    expect(razorpay.orders()).toHaveLength(1);
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        provider: 'razorpay',
        order_id: order.id,
        amount: 999,
        currency: 'INR',
        status: 'requires_payment',
        razorpay_order_id: created!.id,
        key_id: RAZORPAY_KEY_ID,
        payment_due_at: order.payment_due_at,
      });
    }
    const post = razorpay.calls.find((call) => call.method === 'POST')!;
    expect(post.headers.get('authorization')).toBe(`Basic ${btoa(`${RAZORPAY_KEY_ID}:${RAZORPAY_KEY_SECRET}`)}`);
    expect(JSON.parse(post.body)).toEqual({ amount: 999, currency: 'INR', receipt: expect.stringMatching(/^ashte-order-\d+-\d+$/), notes: { order_id: String(order.id) } });
    expect(JSON.parse(post.body).receipt.length).toBeLessThanOrEqual(40);
  });

  it('Razorpay: an order created before under the same receipt (its answer lost on the way) is reused, not created again', async () => {
    const razorpay = fakeRazorpay({ loseCreateAnswers: 1 });
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct({ quantity: 3, price: 500 }), 1]], { env: paymentEnv('razorpay') });
    const lost = await api('POST', `/orders/${order.id}/payment`, { token: user.token, env: paymentEnv('razorpay') });
    expect(lost.status).toBe(502);
    expect(await paymentOfOrder(order.id)).toBeUndefined();
    const retried = await api('POST', `/orders/${order.id}/payment`, { token: user.token, env: paymentEnv('razorpay') });
    expect(retried.status).toBe(200);
    expect(razorpay.orders()).toHaveLength(1);
    expect(retried.body.razorpay_order_id).toBe(razorpay.orders()[0]!.id);
  });
});

describe('a Stripe payment succeeds', () => {
  it('payment_intent.succeeded for the full amount: order paid, paid_at, payment succeeded, one "payment received" e-mail', async () => {
    fakeStripe();
    const user = await seedUser();
    const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 700 }), 2]], 'stripe');

    const event = stripeEvent('payment_intent.succeeded', { id: payment.payment_id, amount: 1400, orderId: order.id });
    const res = await deliverStripe(event);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true });

    const read = await api('GET', `/orders/${order.id}`, { token: user.token });
    expect(read.body).toMatchObject({ status: 'paid', paid: true, paid_at: expect.any(String), payment_due_at: null });
    expect(read.body.payment).toMatchObject({ status: 'succeeded', amount: 1400, currency: 'INR', provider_payment_id: payment.payment_id });
    expect((await emailsOfOrder(order.id)).filter((mail) => mail.kind === 'payment_received')).toHaveLength(1);
    expect(await eventsOfOrder(order.id)).toEqual([expect.objectContaining({ provider: 'stripe', type: 'payment_intent.succeeded' })]);
  });

  it('10 parallel deliveries of one event: paid once, one e-mail, the event recorded once', async () => {
    fakeStripe();
    const user = await seedUser();
    const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 300 }), 1]], 'stripe');
    const event = stripeEvent('payment_intent.succeeded', { id: payment.payment_id, amount: 300, orderId: order.id });
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliverStripe(event)));
    expect(answers.map((res) => res.status)).toEqual(Array(10).fill(200));
    expect((await emailsOfOrder(order.id)).filter((mail) => mail.kind === 'payment_received')).toHaveLength(1);
    expect(await eventsOfOrder(order.id)).toHaveLength(1);
    expect((await api('GET', `/orders/${order.id}`, { token: user.token })).body).toMatchObject({ paid: true });
  });

  it('out of order: processing after succeeded, and failed after succeeded, leave it paid (a payment never moves backwards)', async () => {
    fakeStripe();
    const user = await seedUser();
    const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 300 }), 1]], 'stripe');
    const intent = { id: payment.payment_id, amount: 300, orderId: order.id };
    expect((await deliverStripe(stripeEvent('payment_intent.succeeded', intent))).status).toBe(200);
    const paid = (await api('GET', `/orders/${order.id}`, { token: user.token })).body;
    expect((await deliverStripe(stripeEvent('payment_intent.processing', intent))).status).toBe(200);
    expect((await deliverStripe(stripeEvent('payment_intent.payment_failed', intent))).status).toBe(200);
    const after = (await api('GET', `/orders/${order.id}`, { token: user.token })).body;
    expect(after).toMatchObject({ paid: true, paid_at: paid.paid_at, payment: { status: 'succeeded' } });
    expect((await emailsOfOrder(order.id)).filter((mail) => mail.kind === 'payment_received')).toHaveLength(1);
  });

  it('failed, then processing, then succeeded: follows the attempts and ends paid', async () => {
    fakeStripe();
    const user = await seedUser();
    const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 300 }), 1]], 'stripe');
    const intent = { id: payment.payment_id, amount: 300, orderId: order.id };
    const statusAfter = async (type: string) => {
      expect((await deliverStripe(stripeEvent(type, intent))).status).toBe(200);
      return (await api('GET', `/orders/${order.id}`, { token: user.token })).body;
    };
    expect(await statusAfter('payment_intent.payment_failed')).toMatchObject({ paid: false, payment: { status: 'failed' } });
    expect(await statusAfter('payment_intent.processing')).toMatchObject({ paid: false, payment: { status: 'processing' } });
    expect(await statusAfter('payment_intent.succeeded')).toMatchObject({ paid: true, payment: { status: 'succeeded' } });
  });

  it('a wrong amount or currency: payment amount_mismatch with what arrived, the order stays unpaid, no e-mail; superusers find it by payment_status', async () => {
    fakeStripe();
    const user = await seedUser();
    const admin = await seedSuperuser();
    const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 300 }), 1]], 'stripe');
    const res = await deliverStripe(stripeEvent('payment_intent.succeeded', { id: payment.payment_id, amount: 299, orderId: order.id }));
    expect(res.status).toBe(200);
    const read = (await api('GET', `/orders/${order.id}`, { token: user.token })).body;
    expect(read).toMatchObject({ paid: false, paid_at: null, payment: { status: 'amount_mismatch', amount: 299, currency: 'INR' } });
    expect((await emailsOfOrder(order.id)).filter((mail) => mail.kind === 'payment_received')).toEqual([]);

    const other = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 300 }), 1]], 'stripe');
    await deliverStripe(stripeEvent('payment_intent.succeeded', { id: other.payment.payment_id, amount: 300, currency: 'usd', orderId: other.order.id }));

    const listed = await api('GET', '/orders?payment_status=amount_mismatch&limit=100', { token: admin.token });
    expect(listed.status).toBe(200);
    const ids = listed.body.map((o: { id: number }) => o.id);
    expect(ids).toEqual(expect.arrayContaining([order.id, other.order.id]));
    expect(listed.body.every((o: { payment: { status: string } }) => o.payment.status === 'amount_mismatch')).toBe(true);
    expect(Number(listed.headers.get('x-total-count'))).toBe(ids.length);
    const viewed = await api('POST', '/orders/view', { token: admin.token, json: { payment_status: 'amount_mismatch', limit: 100 } });
    expect(viewed.body.map((o: { id: number }) => o.id)).toEqual(ids);
  });

  it('an event type the shop does not act on answers 200 and changes nothing', async () => {
    const res = await deliverStripe(JSON.stringify({ id: 'evt_ignored_1', object: 'event', type: 'customer.created', data: { object: { id: 'cus_1' } } }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true });
  });
});

describe('a Razorpay payment succeeds', () => {
  it('payment.captured: order paid once; order.paid for the same payment and a redelivery change nothing more', async () => {
    fakeRazorpay();
    const user = await seedUser();
    const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 450 }), 2]], 'razorpay');
    const captured = razorpayEvent('payment.captured', { id: 'pay_Abc123', orderId: payment.razorpay_order_id, amount: 900 });
    expect((await deliverRazorpay(captured, { eventId: 'evt_rzp_1' })).status).toBe(200);
    expect((await deliverRazorpay(captured, { eventId: 'evt_rzp_1' })).status).toBe(200);
    expect((await deliverRazorpay(razorpayEvent('order.paid', { id: 'pay_Abc123', orderId: payment.razorpay_order_id, amount: 900 }), { eventId: 'evt_rzp_2' })).status).toBe(200);
    const read = (await api('GET', `/orders/${order.id}`, { token: user.token })).body;
    expect(read).toMatchObject({ paid: true, payment: { status: 'succeeded', provider: 'razorpay', provider_payment_id: payment.razorpay_order_id } });
    expect((await emailsOfOrder(order.id)).filter((mail) => mail.kind === 'payment_received')).toHaveLength(1);
    expect(await eventsOfOrder(order.id)).toHaveLength(2);
  });

  it('payment.failed after payment.captured leaves it paid', async () => {
    fakeRazorpay();
    const user = await seedUser();
    const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 450 }), 1]], 'razorpay');
    await deliverRazorpay(razorpayEvent('payment.captured', { orderId: payment.razorpay_order_id, amount: 450 }));
    await deliverRazorpay(razorpayEvent('payment.failed', { orderId: payment.razorpay_order_id, amount: 450 }));
    expect((await api('GET', `/orders/${order.id}`, { token: user.token })).body).toMatchObject({ paid: true, payment: { status: 'succeeded' } });
  });

  it('POST /payments/razorpay/verify with Checkout’s signature: 200 order paid; the webhook for the same payment then changes nothing', async () => {
    fakeRazorpay();
    const user = await seedUser();
    const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 450 }), 1]], 'razorpay');
    const answer = {
      razorpay_order_id: payment.razorpay_order_id,
      razorpay_payment_id: 'pay_Checkout1',
      razorpay_signature: await razorpayCheckoutSignature(payment.razorpay_order_id, 'pay_Checkout1'),
    };
    const res = await api('POST', '/payments/razorpay/verify', { token: user.token, json: answer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: order.id, paid: true, status: 'paid', payment: { status: 'succeeded' } });
    expect((await api('POST', '/payments/razorpay/verify', { token: user.token, json: answer })).body).toMatchObject({ paid: true });
    await deliverRazorpay(razorpayEvent('payment.captured', { id: 'pay_Checkout1', orderId: payment.razorpay_order_id, amount: 450 }));
    expect((await emailsOfOrder(order.id)).filter((mail) => mail.kind === 'payment_received')).toHaveLength(1);
  });
});

describe('POST /dev/payments/{order_id}/succeed', () => {
  it.each(['stripe', 'razorpay'] as const)('%s: delivers a signed success event to the webhook, which pays the order', async (provider) => {
    if (provider === 'stripe') fakeStripe();
    else fakeRazorpay();
    const user = await seedUser();
    const { order } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 450 }), 1]], provider);
    const res = await api('POST', `/dev/payments/${order.id}/succeed`, { env: paymentEnv(provider) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ webhook: `/payments/webhooks/${provider}`, status: 200, response: { received: true } });
    expect((await api('GET', `/orders/${order.id}`, { token: user.token })).body).toMatchObject({ paid: true, payment: { status: 'succeeded' } });
    expect((await emailsOfOrder(order.id)).filter((mail) => mail.kind === 'payment_received')).toHaveLength(1);
  });
});
