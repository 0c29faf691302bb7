import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { Bindings } from '../../src/env';
import worker from '../../src/index';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface RequestOptions {
  /** JSON body (serialised here); use `raw` for a body sent as-is. */
  json?: unknown;
  form?: Record<string, string>;
  raw?: BodyInit;
  token?: string;
  headers?: Record<string, string>;
  /** Other bindings (e.g. another PAYMENT_PROVIDER): the Worker's fetch handler is called with them. */
  env?: Bindings;
}

let ipCounter = 0;
/** A fresh client address per call, so rate limits of one test never hit another. */
export const freshIp = () => `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter++ & 255}`;

/** A client address of its own, fixed for a test that counts requests against a rate limit. */
export const fixedIp = () => {
  const [a, b] = crypto.getRandomValues(new Uint16Array(2));
  return `2001:db8::${a!.toString(16)}:${b!.toString(16)}`;
};

/**
 * The Worker's real fetch handler (routing, middleware, D1, KV, Queue), answering once the work
 * it handed to `waitUntil` (clean-up after the answer) is done too, so a test's next request sees
 * it as a client's next request almost always does, and a failure there fails the test.
 */
export async function fetchWorker(input: string | Request, init?: RequestInit, bindings: Bindings = env): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(input, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** Calls the Worker through `fetchWorker`, the body decoded. */
export async function api<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers = new Headers({ 'cf-connecting-ip': freshIp(), ...options.headers });
  let body: BodyInit | undefined = options.raw;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  if (options.form) {
    body = new URLSearchParams(options.form);
    headers.set('content-type', 'application/x-www-form-urlencoded');
  }
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  const res = await fetchWorker(`http://localhost${path}`, { method, headers, body }, options.env);
  // Decoded by hand: workerd warns on .text() of a body that is not text (the /docs images).
  const text = new TextDecoder().decode(await res.arrayBuffer());
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

/** A JSON response, as a mocked outside API (Resend) answers. */
export const jsonResponse = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
