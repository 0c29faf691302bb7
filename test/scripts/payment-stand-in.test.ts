/**
 * `npm run payments:stand-in`, the local provider the README's no-account payment flow uses: it
 * answers the calls the Worker makes, and a repeated idempotency key gets the first answer (as
 * Stripe and Razorpay do), so trying the flow locally cannot create a second payment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Node's modules through `process` (typed `any` here): the project's types are the Workers'.
const { spawn } = process.getBuiltinModule('node:child_process');

const PORT = 12_000 + Math.floor(Math.random() * 900);
const base = `http://127.0.0.1:${PORT}`;
let child: { kill: () => void } | undefined;

beforeAll(async () => {
  const started = spawn(process.execPath, ['scripts/payment-stand-in.mjs'], { env: { ...process.env, PORT: String(PORT) } });
  child = started;
  await new Promise<void>((resolve) => started.stdout.once('data', () => resolve()));
});
afterAll(() => child?.kill());

const json = async (res: Response): Promise<any> => res.json();

const form = (fields: Record<string, string>, key: string) =>
  fetch(`${base}/v1/payment_intents`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': key, authorization: 'Bearer sk_test_stand_in' },
    body: new URLSearchParams(fields),
  });

describe('payment provider stand-in', () => {
  it('creates a PaymentIntent with a client_secret, and answers a repeated Idempotency-Key with the same one', async () => {
    const fields = { amount: '49900', currency: 'inr', 'metadata[order_id]': '7' };
    const first = await json(await form(fields, 'ashte-order-7-1'));
    const again = await json(await form(fields, 'ashte-order-7-1'));
    const other = await json(await form(fields, 'ashte-order-8-1'));
    expect(first).toMatchObject({ id: expect.stringMatching(/^pi_/), client_secret: expect.stringContaining('_secret_'), amount: 49900, currency: 'inr', metadata: { order_id: '7' } });
    expect(again).toEqual(first);
    expect(other.id).not.toBe(first.id);
  });

  it('creates a Razorpay order that a receipt look-up finds, and refunds a payment', async () => {
    const headers = { 'content-type': 'application/json', authorization: `Basic ${btoa('rzp_test_stand_in:stand_in')}` };
    const order = await json(
      await fetch(`${base}/v1/orders`, { method: 'POST', headers, body: JSON.stringify({ amount: 1000, currency: 'INR', receipt: 'ashte-order-9-1' }) }),
    );
    expect(order).toMatchObject({ id: expect.stringMatching(/^order_/), amount: 1000, receipt: 'ashte-order-9-1' });
    const found = await json(await fetch(`${base}/v1/orders?receipt=ashte-order-9-1&count=10`, { headers }));
    expect(found.items).toEqual([order]);
    const refund = await fetch(`${base}/v1/payments/pay_1/refund`, { method: 'POST', headers: { ...headers, 'x-refund-idempotency': 'k1' }, body: JSON.stringify({ amount: 1000 }) });
    expect(await json(refund)).toMatchObject({ payment_id: 'pay_1', amount: 1000, status: 'processed' });
  });

  it('answers 404 in the providers’ error shape for a call it does not know', async () => {
    const res = await fetch(`${base}/v1/customers`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: { type: 'invalid_request_error', message: 'The stand-in does not know POST /v1/customers' } });
  });
});
