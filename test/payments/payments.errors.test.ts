import { describe, expect, it } from 'vitest';
import {
  api,
  deliverStripe,
  emailsOfOrder,
  eventsOfOrder,
  fakeRazorpay,
  fakeStripe,
  jsonResponse,
  orderWithPayment,
  paymentEnv,
  paymentOfOrder,
  placeOrder,
  razorpayCheckoutSignature,
  seedProduct,
  seedSuperuser,
  seedUser,
  stripeEvent,
} from '../support';

const providerError = (reason: RegExp | string) => ({ detail: { code: 'PAYMENT_PROVIDER_ERROR', reason: expect.stringMatching(reason) } });

describe('POST /orders/{order_id}/payment refuses', () => {
  it('409 PAYMENTS_DISABLED with PAYMENT_PROVIDER=manual (the default), and asks no provider', async () => {
    const stripe = fakeStripe();
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct({ quantity: 3 }), 1]]);
    const res = await api('POST', `/orders/${order.id}/payment`, { token: user.token });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: { code: 'PAYMENTS_DISABLED', reason: expect.any(String) } });
    expect(stripe.calls).toEqual([]);
    expect(await paymentOfOrder(order.id)).toBeUndefined();
  });

  it('404 for an unknown or malformed order id', async () => {
    const user = await seedUser();
    for (const id of ['2000000000', 'abc', '0']) {
      const res = await api('POST', `/orders/${id}/payment`, { token: user.token, env: paymentEnv('stripe') });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: 'Not Found' });
    }
  });

  it('409 ORDER_ALREADY_PAID for an order a superuser marked paid, and ORDER_CANCELLED for a cancelled one', async () => {
    const stripe = fakeStripe();
    const user = await seedUser();
    const admin = await seedSuperuser();
    const paid = await placeOrder(user, [[await seedProduct({ quantity: 3 }), 1]], { env: paymentEnv('stripe') });
    await api('PUT', `/orders/edit/${paid.id}`, { token: admin.token, json: { paid: true } });
    const cancelled = await placeOrder(user, [[await seedProduct({ quantity: 3 }), 1]], { env: paymentEnv('stripe') });
    await api('PUT', `/orders/edit/${cancelled.id}`, { token: admin.token, json: { cancelled: true } });

    const paidRes = await api('POST', `/orders/${paid.id}/payment`, { token: user.token, env: paymentEnv('stripe') });
    expect(paidRes.status).toBe(409);
    expect(paidRes.body.detail).toMatchObject({ code: 'ORDER_ALREADY_PAID' });
    const cancelledRes = await api('POST', `/orders/${cancelled.id}/payment`, { token: user.token, env: paymentEnv('stripe') });
    expect(cancelledRes.status).toBe(409);
    expect(cancelledRes.body.detail).toMatchObject({ code: 'ORDER_CANCELLED' });
    expect(stripe.calls).toEqual([]);
  });

  it('409 once the order is paid or cancelled, even though its payment was already started (the old client_secret is not handed out again)', async () => {
    const stripe = fakeStripe();
    const user = await seedUser();
    const admin = await seedSuperuser();
    const paid = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 300 }), 1]], 'stripe');
    await deliverStripe(stripeEvent('payment_intent.succeeded', { id: paid.payment.payment_id, amount: 300, orderId: paid.order.id }));
    const cancelled = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 300 }), 1]], 'stripe');
    await api('PUT', `/orders/edit/${cancelled.order.id}`, { token: admin.token, json: { cancelled: true } });
    const callsBefore = stripe.calls.length;

    const paidRes = await api('POST', `/orders/${paid.order.id}/payment`, { token: user.token, env: paymentEnv('stripe') });
    expect(paidRes.status).toBe(409);
    expect(paidRes.body.detail).toMatchObject({ code: 'ORDER_ALREADY_PAID' });
    const cancelledRes = await api('POST', `/orders/${cancelled.order.id}/payment`, { token: user.token, env: paymentEnv('stripe') });
    expect(cancelledRes.status).toBe(409);
    expect(cancelledRes.body.detail).toMatchObject({ code: 'ORDER_CANCELLED' });
    expect(stripe.calls.length).toBe(callsBefore);
  });

  it.each([
    ['Stripe answers 500', () => jsonResponse({ error: { type: 'api_error', message: 'Something went wrong' } }, 500), /Stripe answered 500 api_error: Something went wrong/],
    ['Stripe refuses the key (401)', () => jsonResponse({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } }, 401), /Stripe answered 401/],
    ['Stripe answers something that is not JSON', () => new Response('<html>bad gateway</html>', { status: 200 }), /without a JSON object/],
  ])('502 PAYMENT_PROVIDER_ERROR when %s: nothing stored, and asking again later works', async (_, answer, reason) => {
    let down = true;
    const stripe = fakeStripe({ answer: () => (down ? answer() : undefined) });
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct({ quantity: 3 }), 1]], { env: paymentEnv('stripe') });
    const before = (await api('GET', `/orders/${order.id}`, { token: user.token })).body;

    const res = await api('POST', `/orders/${order.id}/payment`, { token: user.token, env: paymentEnv('stripe') });
    expect(res.status).toBe(502);
    expect(res.body).toEqual(providerError(reason));
    expect(await paymentOfOrder(order.id)).toBeUndefined();
    expect((await api('GET', `/orders/${order.id}`, { token: user.token })).body).toEqual(before);

    down = false;
    const retried = await api('POST', `/orders/${order.id}/payment`, { token: user.token, env: paymentEnv('stripe') });
    expect(retried.status).toBe(200);
    // The same Idempotency-Key both times: had Stripe created the first one, it would answer it again.
    expect(new Set(stripe.calls.map((call) => call.headers.get('idempotency-key'))).size).toBe(1);
  });

  it('502 when Stripe cannot be reached (network error), nothing stored', async () => {
    fakeStripe({
      answer: () => {
        throw new TypeError('Network connection lost.');
      },
    });
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct({ quantity: 3 }), 1]], { env: paymentEnv('stripe') });
    const res = await api('POST', `/orders/${order.id}/payment`, { token: user.token, env: paymentEnv('stripe') });
    expect(res.status).toBe(502);
    expect(res.body).toEqual(providerError(/Stripe could not be reached: Network connection lost/));
    expect(await paymentOfOrder(order.id)).toBeUndefined();
  });

  it('502 when the provider does not answer within PAYMENT_PROVIDER_TIMEOUT_SECONDS (the call is aborted), nothing stored', async () => {
    const env = paymentEnv('razorpay', { PAYMENT_PROVIDER_TIMEOUT_SECONDS: '1' });
    // Never answers on its own: only the caller's abort signal ends the call.
    const razorpay = fakeRazorpay();
    razorpay.spy.mockImplementation(
      (_input, init) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    );
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct({ quantity: 3 }), 1]], { env });
    const res = await api('POST', `/orders/${order.id}/payment`, { token: user.token, env });
    expect(res.status).toBe(502);
    expect(res.body).toEqual(providerError('Razorpay did not answer within 1 s'));
    expect(await paymentOfOrder(order.id)).toBeUndefined();
  });

  it('502 when a provider is chosen but its keys are not set, and nothing is asked of it', async () => {
    const stripe = fakeStripe();
    const env = paymentEnv('stripe', { STRIPE_SECRET_KEY: '' });
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct({ quantity: 3 }), 1]], { env });
    const res = await api('POST', `/orders/${order.id}/payment`, { token: user.token, env });
    expect(res.status).toBe(502);
    expect(res.body).toEqual(providerError('payments are not configured: STRIPE_SECRET_KEY is not set'));
    expect(stripe.calls).toEqual([]);
  });
});

describe('webhook events that change nothing', () => {
  it('a success for a PaymentIntent and order the shop does not know: 200, recorded, nothing paid', async () => {
    const res = await deliverStripe(stripeEvent('payment_intent.succeeded', { id: 'pi_unknown', amount: 100, orderId: 2_000_000_000 }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true });
  });

  it('a success for a PaymentIntent that is not the order’s own, though its metadata names the order: 200, the order stays unpaid and keeps its payment', async () => {
    fakeStripe();
    const user = await seedUser();
    const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 300 }), 1]], 'stripe');
    const res = await deliverStripe(stripeEvent('payment_intent.succeeded', { id: 'pi_made_elsewhere', amount: 300, orderId: order.id }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true });
    const read = (await api('GET', `/orders/${order.id}`, { token: user.token })).body;
    expect(read).toMatchObject({ paid: false, paid_at: null, payment: { provider_payment_id: payment.payment_id, status: 'requires_payment' } });
    expect((await emailsOfOrder(order.id)).filter((mail) => mail.kind === 'payment_received')).toEqual([]);
  });

  it('a success for an order that was cancelled: the payment is recorded as succeeded, the order is not marked paid and gets no e-mail', async () => {
    fakeStripe();
    const user = await seedUser();
    const admin = await seedSuperuser();
    const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 300 }), 1]], 'stripe');
    await api('PUT', `/orders/edit/${order.id}`, { token: admin.token, json: { cancelled: true } });
    const res = await deliverStripe(stripeEvent('payment_intent.succeeded', { id: payment.payment_id, amount: 300, orderId: order.id }));
    expect(res.status).toBe(200);
    const read = (await api('GET', `/orders/${order.id}`, { token: user.token })).body;
    expect(read).toMatchObject({ cancelled: true, cancellation_reason: 'shop', paid: false, payment: { status: 'succeeded' } });
    expect((await emailsOfOrder(order.id)).filter((mail) => mail.kind === 'payment_received')).toEqual([]);
    expect(await eventsOfOrder(order.id)).toHaveLength(1);
  });
});

describe('POST /payments/razorpay/verify refuses', () => {
  it('400 PAYMENT_BAD_SIGNATURE for a signature that is not Checkout’s, and nothing changes', async () => {
    fakeRazorpay();
    const user = await seedUser();
    const { order, payment } = await orderWithPayment(user, [[await seedProduct({ quantity: 3, price: 450 }), 1]], 'razorpay');
    const forged = [
      await razorpayCheckoutSignature(payment.razorpay_order_id, 'pay_1', 'not-the-key-secret'),
      await razorpayCheckoutSignature(payment.razorpay_order_id, 'pay_2'),
      'zz',
    ];
    for (const razorpay_signature of forged) {
      const res = await api('POST', '/payments/razorpay/verify', {
        token: user.token,
        json: { razorpay_order_id: payment.razorpay_order_id, razorpay_payment_id: 'pay_1', razorpay_signature },
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ detail: 'PAYMENT_BAD_SIGNATURE' });
    }
    expect((await api('GET', `/orders/${order.id}`, { token: user.token })).body).toMatchObject({ paid: false, payment: { status: 'requires_payment' } });
    expect(await eventsOfOrder(order.id)).toEqual([]);
  });

  it('404 for a correctly signed Razorpay order the shop does not know; 422 for missing fields', async () => {
    const user = await seedUser();
    const res = await api('POST', '/payments/razorpay/verify', {
      token: user.token,
      json: { razorpay_order_id: 'order_Nope', razorpay_payment_id: 'pay_1', razorpay_signature: await razorpayCheckoutSignature('order_Nope', 'pay_1') },
    });
    expect(res.status).toBe(404);
    const missing = await api('POST', '/payments/razorpay/verify', { token: user.token, json: { razorpay_order_id: 'order_1' } });
    expect(missing.status).toBe(422);
    expect(missing.body.detail.map((issue: { loc: string[] }) => issue.loc)).toEqual([
      ['body', 'razorpay_payment_id'],
      ['body', 'razorpay_signature'],
    ]);
  });
});

describe('POST /dev/payments/{order_id}/succeed refuses', () => {
  it('409 PAYMENT_NOT_STARTED before the payment was asked for; 409 PAYMENTS_DISABLED with manual; 404 for an unknown order', async () => {
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct({ quantity: 3 }), 1]], { env: paymentEnv('stripe') });
    const early = await api('POST', `/dev/payments/${order.id}/succeed`, { env: paymentEnv('stripe') });
    expect(early.status).toBe(409);
    expect(early.body.detail).toMatchObject({ code: 'PAYMENT_NOT_STARTED' });
    const manual = await api('POST', `/dev/payments/${order.id}/succeed`);
    expect(manual.status).toBe(409);
    expect(manual.body.detail).toMatchObject({ code: 'PAYMENTS_DISABLED' });
    expect((await api('POST', '/dev/payments/2000000000/succeed', { env: paymentEnv('stripe') })).status).toBe(404);
    expect((await api('GET', `/orders/${order.id}`, { token: user.token })).body).toMatchObject({ paid: false, payment: null });
  });
});
