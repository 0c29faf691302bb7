#!/usr/bin/env node
// A local stand-in for the few Stripe and Razorpay REST calls the Worker makes, so the payment
// flow can be tried without an account: `npm run payments:stand-in`, then point STRIPE_API_URL
// or RAZORPAY_API_URL at it (it prints the settings). It keeps objects in memory, answers a
// repeated idempotency key with the first answer, and logs every call. It is not a test double:
// the tests mock the providers' HTTP APIs themselves.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 12111);
const id = (prefix) => `${prefix}_${randomBytes(12).toString('hex')}`;
const byKey = new Map(); // idempotency key → the first answer's [status, body]
const intents = new Map();
const orders = new Map();
const payments = new Map(); // Razorpay payment id → its refunded amount

function parseBody(raw, type) {
  if ((type ?? '').includes('application/json')) return raw ? JSON.parse(raw) : {};
  return Object.fromEntries(new URLSearchParams(raw));
}

function stripe(method, path, body) {
  if (method === 'POST' && path === '/v1/payment_intents') {
    const intent = {
      id: id('pi'),
      object: 'payment_intent',
      amount: Number(body.amount),
      currency: body.currency,
      status: 'requires_payment_method',
      metadata: { order_id: body['metadata[order_id]'] },
    };
    intent.client_secret = `${intent.id}_secret_${randomBytes(8).toString('hex')}`;
    intents.set(intent.id, intent);
    return [200, intent];
  }
  const cancel = path.match(/^\/v1\/payment_intents\/([^/]+)\/cancel$/);
  if (method === 'POST' && cancel) {
    const intent = intents.get(cancel[1]);
    if (!intent) return [404, { error: { type: 'invalid_request_error', message: 'No such payment_intent' } }];
    intent.status = 'canceled';
    return [200, intent];
  }
  if (method === 'POST' && path === '/v1/refunds') {
    return [200, { id: id('re'), object: 'refund', amount: Number(body.amount), payment_intent: body.payment_intent, status: 'succeeded' }];
  }
  return undefined;
}

function razorpay(method, path, body, query) {
  if (method === 'GET' && path === '/v1/orders') {
    const items = [...orders.values()].filter((order) => order.receipt === query.get('receipt'));
    return [200, { entity: 'collection', count: items.length, items }];
  }
  if (method === 'POST' && path === '/v1/orders') {
    const order = { id: id('order'), entity: 'order', amount: Number(body.amount), currency: body.currency, receipt: body.receipt, notes: body.notes ?? {}, status: 'created' };
    orders.set(order.id, order);
    return [200, order];
  }
  const refund = path.match(/^\/v1\/payments\/([^/]+)\/refund$/);
  if (method === 'POST' && refund) {
    payments.set(refund[1], (payments.get(refund[1]) ?? 0) + Number(body.amount ?? 0));
    return [200, { id: id('rfnd'), entity: 'refund', amount: Number(body.amount), payment_id: refund[1], status: 'processed' }];
  }
  return undefined;
}

createServer((req, res) => {
  let raw = '';
  req.on('data', (chunk) => {
    raw += chunk;
  });
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const key = req.headers['idempotency-key'] ?? req.headers['x-refund-idempotency'];
    let answer = key ? byKey.get(`${req.method} ${url.pathname} ${key}`) : undefined;
    if (!answer) {
      try {
        const body = parseBody(raw, req.headers['content-type']);
        answer = stripe(req.method, url.pathname, body) ??
          razorpay(req.method, url.pathname, body, url.searchParams) ?? [404, { error: { type: 'invalid_request_error', message: `The stand-in does not know ${req.method} ${url.pathname}` } }];
      } catch {
        answer = [400, { error: { type: 'invalid_request_error', message: 'Unreadable body' } }];
      }
      if (key && answer[0] < 400) byKey.set(`${req.method} ${url.pathname} ${key}`, answer);
    }
    console.log(`${req.method} ${url.pathname}${url.search} → ${answer[0]}${key ? ` (key ${key})` : ''}`);
    res.writeHead(answer[0], { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer[1]));
  });
}).listen(port, '127.0.0.1', () => {
  console.log(`Payment provider stand-in on http://127.0.0.1:${port}. Put in .dev.env, then restart npm start:`);
  console.log(`  PAYMENT_PROVIDER=stripe    STRIPE_API_URL=http://127.0.0.1:${port}    STRIPE_SECRET_KEY=sk_test_stand_in`);
  console.log(`  or PAYMENT_PROVIDER=razorpay RAZORPAY_API_URL=http://127.0.0.1:${port} RAZORPAY_KEY_ID=rzp_test_stand_in RAZORPAY_KEY_SECRET=stand_in`);
});
