import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { BusyError, PaymentProviderError, RuleError, type RuleKind } from './domain-errors';

/** A FastAPI-shaped `detail`: a string code, a `{code, reason, …}` object or a 422 list. */
export type ErrorDetail = string | ({ code: string; reason: string } & Record<string, unknown>) | ValidationIssue[];

export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** The one error type of the API: every error body is `{"detail": …}` rendered by `app.onError` (src/app.ts). */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly detail: ErrorDetail,
    readonly headers: Record<string, string> = {},
    /** Why the request was refused, for the request log only: never part of the answer. */
    readonly why?: string,
  ) {
    super(typeof detail === 'string' ? detail : Array.isArray(detail) ? 'Validation error' : detail.code);
  }
}

export const unauthorized = (why?: string) => new ApiError(401, 'Unauthorized', {}, why);
export const forbidden = () => new ApiError(403, 'Forbidden');
export const notFound = () => new ApiError(404, 'Not Found');
/** The one builder of 429s: rate limits, lockouts and a BusyError (see toApiError). */
export const tooManyRequests = (retryAfterSeconds: number, why?: string) =>
  new ApiError(429, 'Too Many Requests', { 'Retry-After': String(retryAfterSeconds) }, why);

/** 400 with a bare string code, as fastapi-users answers (`{"detail":"LOGIN_BAD_CREDENTIALS"}`). */
export const badRequest = (code: string) => new ApiError(400, code);

/** An error that carries data: `{"detail":{"code", "reason", …extra}}`. */
export const coded = (
  status: ContentfulStatusCode,
  code: string,
  reason: string,
  extra: Record<string, unknown> = {},
) => new ApiError(status, { code, reason, ...extra });


const RULE_STATUS: Record<RuleKind, ContentfulStatusCode> = { invalid: 400, not_found: 404, conflict: 409 };

/**
 * The HTTP answer of a domain error (db/ and services/ throw those, never ApiError); any other
 * error as it is. The one place domain errors become HTTP: app.onError, the request log and the
 * login limiter use it.
 */
export function toApiError(error: unknown): unknown {
  if (error instanceof BusyError) return tooManyRequests(error.retryAfterSeconds, error.message);
  if (error instanceof PaymentProviderError) return coded(502, 'PAYMENT_PROVIDER_ERROR', error.reason);
  if (error instanceof RuleError) {
    const detail = error.reason === undefined ? error.code : { code: error.code, reason: error.reason, ...error.extra };
    return new ApiError(RULE_STATUS[error.kind], detail);
  }
  return error;
}
