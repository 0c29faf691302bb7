import { drizzle } from 'drizzle-orm/d1';
import type { Bindings } from '../env';
import * as schema from './schema';

/** A Drizzle client over this request's D1 binding (never built at module scope). */
export const getDb = (env: Bindings) => drizzle(env.DB, { schema });
export type Db = ReturnType<typeof getDb>;

/**
 * An error as it may be logged: the messages of its cause chain, except that a failed Drizzle
 * query shows its SQL without the bound parameters Drizzle puts into its message (addresses,
 * rendered e-mails with their reset links, password hashes).
 */
export function loggableError(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error; current instanceof Error && parts.length < 5; current = current.cause) {
    const query = (current as { query?: unknown }).query;
    const message = typeof query === 'string' && 'params' in current ? `Failed query: ${query}` : current.message;
    parts.push(`${current.name}: ${message}`);
  }
  return parts.length ? parts.join(' | ') : String(error);
}

/** The D1 error behind a Drizzle error (Drizzle wraps them; the message is on `cause`). */
export function d1ErrorMessage(error: unknown): string {
  let current: unknown = error;
  const messages: string[] = [];
  while (current instanceof Error) {
    messages.push(current.message);
    current = current.cause;
  }
  return messages.join(' | ');
}
