import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Bindings } from '../env';
import * as schema from './schema';

/**
 * A Drizzle client over this request's D1 (never built at module scope). During a request
 * `env.DB` is the request's D1 session (src/middleware/request-context.ts): a replica session, or
 * one that starts on the primary when the route declares `onPrimary`. This is the client to use.
 */
export const getDb = (env: Bindings) => drizzle(env.DB, { schema });
export type Db = ReturnType<typeof getDb>;

/**
 * A client whose first query reads the primary, whatever the request's session: for the re-read
 * after a guarded write failed, which must see what the winning request committed.
 */
export const getPrimaryDb = (env: Bindings): Db => drizzle(env.DB.withSession('first-primary') as unknown as Bindings['DB'], { schema });

/** D1 binds at most 100 parameters per statement; id lists are cut well below that. */
export const IDS_PER_STATEMENT = 90;

/** Does D1 answer? Throws when it does not. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.run(sql`select 1`);
}
