/** How deep a cause chain is followed (Drizzle wraps D1's error once; a cycle must not hang). */
const MAX_DEPTH = 8;

/** The error and the errors behind it (`cause`), outermost first. */
export function causeChain(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let current: unknown = error; current instanceof Error && chain.length < MAX_DEPTH; current = current.cause) {
    chain.push(current);
  }
  return chain;
}

/** Every message of the chain: D1's message is on the `cause` of Drizzle's error. */
export const causeMessages = (error: unknown): string =>
  causeChain(error)
    .map((e) => e.message)
    .join(' | ');

/**
 * An error as it may be logged: the messages of its cause chain, except that a failed Drizzle
 * query shows its SQL without the bound parameters Drizzle puts into its message (addresses,
 * rendered e-mails with their reset links, password hashes).
 */
export function loggableError(error: unknown): string {
  const parts = causeChain(error)
    .slice(0, 5)
    .map((current) => {
      const query = (current as { query?: unknown }).query;
      const message = typeof query === 'string' && 'params' in current ? `Failed query: ${query}` : current.message;
      return `${current.name}: ${message}`;
    });
  return parts.length ? parts.join(' | ') : String(error);
}
