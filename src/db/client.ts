import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Bindings } from '../env';
import * as schema from './schema';

/** A Drizzle client over this request's D1 binding (never built at module scope). */
export const getDb = (env: Bindings) => drizzle(env.DB, { schema });
export type Db = ReturnType<typeof getDb>;

/** D1 binds at most 100 parameters per statement; id lists are cut well below that. */
export const IDS_PER_STATEMENT = 90;

/** Does D1 answer? Throws when it does not. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.run(sql`select 1`);
}
