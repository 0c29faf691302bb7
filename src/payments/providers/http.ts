import { invalidError, PaymentProviderError } from '../../lib/domain-errors';
import { parseJsonObject, readJsonObject } from '../../lib/json';

/** The `message`/`description` of a Stripe (`{error:{type,message}}`) or Razorpay (`{error:{code,description}}`) error. */
function describeError(body: Record<string, unknown> | null): string {
  const error = body?.error as Record<string, unknown> | undefined;
  const code = [error?.type, error?.code].find((value) => typeof value === 'string');
  const message = [error?.message, error?.description].find((value) => typeof value === 'string');
  return [code, message].filter(Boolean).join(': ') || 'error';
}

/**
 * One call to a provider's REST API: at most `timeoutMs`, a JSON object back on 2xx. A network
 * error, a timeout, a non-2xx answer or a body that is not JSON is a PaymentProviderError (502),
 * so nothing on our side changes after it.
 */
export async function callProvider(
  label: string,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new PaymentProviderError(
      timedOut ? `${label} did not answer within ${timeoutMs / 1000} s` : `${label} could not be reached: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const body = await readJsonObject(response);
  if (!response.ok) throw new PaymentProviderError(`${label} answered ${response.status} ${describeError(body)}`);
  if (!body) throw new PaymentProviderError(`${label} answered ${response.status} without a JSON object`);
  return body;
}

/** A missing credential: the operator's to fix, a 502 for the customer (nothing changed). */
export const notConfigured = (what: string) => new PaymentProviderError(`payments are not configured: ${what} is not set`);

/** A field of a provider's JSON as a string, or null. */
export const stringField = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** A field of a provider's JSON as a safe integer, or null. */
export const integerField = (value: unknown): number | null => (Number.isSafeInteger(value) ? (value as number) : null);

/** Our order id from provider metadata/notes (`order_id`), or null. */
export function orderIdField(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  return /^[1-9]\d{0,15}$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : null;
}

/** A verified webhook body as an event object; a signed body that is not a JSON object is a 400. */
export function webhookEvent(raw: Uint8Array): Record<string, unknown> {
  const event = parseJsonObject(raw);
  if (!event) throw invalidError('WEBHOOK_BAD_PAYLOAD');
  return event;
}
