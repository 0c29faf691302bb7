import { env } from 'cloudflare:workers';

/**
 * Columns that change after a request has answered, on their own: the queue consumer delivers
 * e-mails in the background, so their delivery state is not the request's doing.
 */
const BACKGROUND_COLUMNS: Record<string, string[]> = {
  emails: ['status', 'attempts', 'last_error', 'provider_message_id', 'updated_at', 'queued_at', 'sent_at'],
};

let tables: Promise<string[]> | undefined;

/** The WITHOUT ROWID tables, which have no rowid to order by: their primary key instead. */
const ORDERED_BY_KEY: Record<string, string> = { catalog_fences: 'sort, level, k, id' };

/** Every application table, and the autoincrement counters (FTS shadow tables follow `products` through triggers). */
function listTables() {
  tables ??= env.DB.prepare(
    `SELECT name FROM sqlite_master WHERE type = 'table'
       AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'
       AND name NOT LIKE 'd1\\_%' ESCAPE '\\' AND name NOT LIKE 'products\\_fts%' ESCAPE '\\'
     ORDER BY name`,
  )
    .all<{ name: string }>()
    .then(({ results }) => [...results.map((r) => r.name), 'sqlite_sequence']);
  return tables;
}

const withoutBackgroundColumns = (table: string, row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).filter(([column]) => !BACKGROUND_COLUMNS[table]?.includes(column)));

async function kvContents(namespace: KVNamespace, valuesOf: string[]) {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await namespace.list({ cursor });
    keys.push(...page.keys.map((k) => k.name));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return { keys, values: await Promise.all(valuesOf.map(async (key) => [key, await namespace.get(key)] as const)) };
}

/**
 * What a request could have changed: every row of every table (in one D1 batch) and every KV
 * key, with the values of the carts named (the world's users' carts).
 */
export async function snapshot(cartKeys: string[]) {
  const names = await listTables();
  const [results, carts, auth] = await Promise.all([
    env.DB.batch<Record<string, unknown>>(names.map((name) => env.DB.prepare(`SELECT * FROM "${name}" ORDER BY ${ORDERED_BY_KEY[name] ?? 'rowid'}`))),
    kvContents(env.CARTS, cartKeys),
    kvContents(env.AUTH, []),
  ]);
  const d1: Record<string, Record<string, unknown>[]> = Object.fromEntries(
    names.map((name, i) => [name, results[i]!.results.map((row) => withoutBackgroundColumns(name, row))]),
  );
  return { d1, carts, auth };
}

export type Stored = Awaited<ReturnType<typeof snapshot>>;
