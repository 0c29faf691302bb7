import type { Config } from '../../config';
import { configurationProblem, type EmailProvider, type SendOutcome } from './types';
import { readJsonObject } from '../../lib/json';

export const RESEND_TIMEOUT_MS = 10_000;

/** Resend's error body: `{"statusCode":422,"name":"validation_error","message":"…"}`. */
interface ResendError {
  name?: unknown;
  message?: unknown;
}

/** `Retry-After` as seconds from now: a number of seconds or an HTTP date. */
function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * 408, 429 and 5xx are the provider's momentary trouble. A 409 `concurrent_idempotent_requests`
 * means another delivery of this very e-mail is in flight: asking again later gets its answer.
 */
function isTemporary(status: number, error: ResendError | null): boolean {
  return status === 408 || status === 429 || status >= 500 || (status === 409 && error?.name === 'concurrent_idempotent_requests');
}

function describe(status: number, error: ResendError | null): string {
  const name = typeof error?.name === 'string' ? error.name : 'error';
  const message = typeof error?.message === 'string' ? `: ${error.message}` : '';
  return `Resend answered ${status} ${name}${message}`;
}

/**
 * Resend's `POST /emails`. The row's idempotency key goes in `Idempotency-Key`, so however
 * often a message is redelivered, Resend sends the e-mail once (for 24 h).
 */
export function resendProvider(config: Config): EmailProvider {
  return {
    name: 'resend',
    async send(email): Promise<SendOutcome> {
      if (!config.resendApiKey) {
        return configurationProblem('EMAIL_PROVIDER is resend but RESEND_API_KEY is not set', email);
      }
      const payload = {
        from: config.emailFrom,
        to: [email.toAddress],
        subject: email.subject,
        html: email.html,
        text: email.text,
        ...(config.emailReplyTo ? { reply_to: config.emailReplyTo } : {}),
      };
      let response: Response;
      try {
        response = await fetch(`${config.resendApiUrl}/emails`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${config.resendApiKey}`,
            'Content-Type': 'application/json',
            'Idempotency-Key': email.idempotencyKey,
          },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(RESEND_TIMEOUT_MS),
        });
      } catch (error) {
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        return {
          outcome: 'retry',
          error: timedOut
            ? `Resend did not answer within ${RESEND_TIMEOUT_MS / 1000} s`
            : `network error: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      const body = await readJsonObject(response);
      if (response.ok) {
        return { outcome: 'sent', providerMessageId: typeof body?.id === 'string' ? body.id : null };
      }
      const error = describe(response.status, body);
      if (!isTemporary(response.status, body)) return { outcome: 'failed', error };
      const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
      return retryAfterSeconds === undefined ? { outcome: 'retry', error } : { outcome: 'retry', error, retryAfterSeconds };
    },
  };
}
