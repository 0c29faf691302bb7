/**
 * Errors of the domain, below HTTP: db/ and services/ throw these (never ApiError), and
 * toApiError (lib/errors.ts) maps each kind to its HTTP answer in one place.
 */
export class DomainError extends Error {}

/**
 * Too many changes to one thing at once (one cart's changes take turns; KV takes one write per
 * second per key): nothing changed, and the same request may succeed after `retryAfterSeconds`.
 */
export class BusyError extends DomainError {
  override name = 'BusyError';
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
  }
}

/** Which kind of rule a request broke; toApiError (lib/errors.ts) gives each kind its status. */
export type RuleKind = 'invalid' | 'not_found' | 'conflict';

/**
 * A request that breaks a rule of the domain, thrown by services/. `code` is the contract's error
 * code; with a `reason` the answer is `{"detail":{"code","reason",…extra}}`, without one the bare
 * code, as fastapi-users answers (`{"detail":"LOGIN_BAD_CREDENTIALS"}`).
 */
export class RuleError extends DomainError {
  override name = 'RuleError';
  constructor(
    readonly kind: RuleKind,
    readonly code: string,
    readonly reason?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(reason ?? code);
  }
}

/** The request cannot be done as asked (400). */
export const invalidError = (code: string, reason?: string, extra?: Record<string, unknown>) =>
  new RuleError('invalid', code, reason, extra);

/** What the request names does not exist, or not for this caller (404; the plain `Not Found` without a code). */
export const missingError = (code = 'Not Found', reason?: string, extra?: Record<string, unknown>) =>
  new RuleError('not_found', code, reason, extra);

/** The request conflicts with the current state of what it names (409). */
export const conflictError = (code: string, reason: string, extra?: Record<string, unknown>) =>
  new RuleError('conflict', code, reason, extra);

/**
 * The payment provider is down, timed out or refused a call (502 `PAYMENT_PROVIDER_ERROR`):
 * nothing was changed on our side, and the same request is safe to repeat. `reason` says what
 * the provider answered, without credentials.
 */
export class PaymentProviderError extends DomainError {
  override name = 'PaymentProviderError';
  constructor(readonly reason: string) {
    super(reason);
  }
}
