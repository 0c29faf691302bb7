import { drizzle } from 'drizzle-orm/d1';
import type { Bindings } from '../env';
import * as schema from './schema';

/** A Drizzle client over this request's D1 binding (never built at module scope). */
export const getDb = (env: Bindings) => drizzle(env.DB, { schema });
export type Db = ReturnType<typeof getDb>;

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
