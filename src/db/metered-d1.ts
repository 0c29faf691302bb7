import type { D1Database, D1DatabaseSession, D1ExecResult, D1PreparedStatement, D1Result } from '@cloudflare/workers-types';

/** What one request cost in D1, as its log line reports it (API.md 7.1). */
export interface D1Usage {
  /** Round trips to D1; a batch is one. */
  calls: number;
  /** Round trips that reached the primary. */
  primary_calls: number;
  /** Summed from D1's own result metadata (`meta.rows_read`/`meta.rows_written`). */
  rows_read: number;
  rows_written: number;
}

export const emptyD1Usage = (): D1Usage => ({ calls: 0, primary_calls: 0, rows_read: 0, rows_written: 0 });

type D1Source = Pick<D1Database, 'prepare' | 'batch'> | D1DatabaseSession;

interface Meter {
  usage: D1Usage;
  /** Whether a round trip whose metadata does not say where it ran counts as one to the primary. */
  assumePrimary: boolean;
}

function count(meter: Meter, results: readonly D1Result[] | undefined): void {
  meter.usage.calls += 1;
  // D1 in production says which instance answered; without read replication it is always the primary.
  const servedByPrimary = results?.[0]?.meta?.served_by_primary;
  if (servedByPrimary ?? meter.assumePrimary) meter.usage.primary_calls += 1;
  for (const result of results ?? []) {
    meter.usage.rows_read += result.meta?.rows_read ?? 0;
    meter.usage.rows_written += result.meta?.rows_written ?? 0;
  }
}

/** Runs one round trip and counts it, failed ones too (they cost a round trip, their metadata is lost). */
async function metered<T extends D1Result>(meter: Meter, call: () => Promise<T[]>): Promise<T[]> {
  let results: T[] | undefined;
  try {
    results = await call();
    return results;
  } finally {
    count(meter, results);
  }
}

/**
 * A statement that counts what it costs. `first()` and `raw()` do not return D1's metadata, so
 * they run as `all()` (the same query, the same rows read: D1 does not stop `first()` early)
 * and shape its rows. `raw()` takes each row's values in column order, exactly as Drizzle's own
 * `batch()` does (d1ToRawMapping); like it, a result with two columns of the same name would
 * keep only one of them, so queries name joined columns apart (none in this code base joins).
 */
class MeteredStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    private readonly meter: Meter,
  ) {}

  bind(...values: unknown[]): D1PreparedStatement {
    return new MeteredStatement(this.inner.bind(...values), this.meter) as unknown as D1PreparedStatement;
  }

  async run<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    const [result] = await metered(this.meter, async () => [await this.inner.run<T>()]);
    return result!;
  }

  async all<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    const [result] = await metered(this.meter, async () => [await this.inner.all<T>()]);
    return result!;
  }

  async first<T = unknown>(column?: string): Promise<T | null> {
    const { results } = await this.all<Record<string, unknown>>();
    const row = results[0];
    if (row === undefined) return null;
    if (column === undefined) return row as T;
    if (!(column in row)) throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${column})`);
    return row[column] as T;
  }

  async raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<T[]> {
    const { results } = await this.all<Record<string, unknown>>();
    const rows = results.map((row) => Object.values(row) as T);
    if (options?.columnNames) return [Object.keys(results[0] ?? {}) as T, ...rows];
    return rows;
  }
}

/**
 * `source` (the D1 binding, or a session of it) as the `D1Database` that Drizzle is given, adding
 * what each round trip costs to `usage`. Every query of a request goes through one of these,
 * so the request's log line can say what it cost (src/middleware/request-context.ts).
 */
export function meteredD1(source: D1Source, usage: D1Usage, options: { assumePrimary: boolean } = { assumePrimary: true }): D1Database {
  const meter: Meter = { usage, assumePrimary: options.assumePrimary };
  const database = {
    prepare: (query: string) => new MeteredStatement(source.prepare(query), meter) as unknown as D1PreparedStatement,
    batch: <T = unknown>(statements: D1PreparedStatement[]) =>
      metered(meter, () => source.batch<T>(statements.map((statement) => (statement instanceof MeteredStatement ? statement.inner : statement)))),
    exec: async (query: string): Promise<D1ExecResult> => {
      const { exec } = source as Partial<D1Database>;
      if (!exec) throw new Error('exec() is not available on a D1 session');
      try {
        return await exec.call(source, query);
      } finally {
        count(meter, undefined);
      }
    },
    withSession: () => {
      throw new Error('Sessions are opened on the binding, before metering');
    },
    dump: () => Promise.reject(new Error('dump() is not supported')),
  };
  return database as unknown as D1Database;
}
