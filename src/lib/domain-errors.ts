/**
 * Errors of the domain, below HTTP: db/ throws these (never ApiError), and `app.onError` maps
 * each kind to its HTTP answer in one place.
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
