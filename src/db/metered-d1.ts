import type { D1Database, D1DatabaseSession, D1ExecResult, D1PreparedStatement, D1Result } from '@cloudflare/workers-types';
import { recallBookmark } from './bookmarks';

/** What one request cost in D1, as its log line reports it (API.md 7.1). */
export interface D1Usage {
  /** Round trips to D1; a batch is one. */
  calls: number;
  /**
   * Round trips that had to reach the primary: writes, the first round trip of a session
   * constrained to the primary, and any round trip D1 itself reports as served by the primary
   * (`meta.served_by_primary` with its `served_by_region`: production D1 says where it answered;
   * local miniflare stamps `served_by_primary: true` on every result and names no region, so
   * there the flag is no evidence and the session's constraint and the statement decide).
   */
  primary_calls: number;
  /** Summed from D1's own result metadata (`meta.rows_read`/`meta.rows_written`). */
  rows_read: number;
  rows_written: number;
}

export const emptyD1Usage = (): D1Usage => ({ calls: 0, primary_calls: 0, rows_read: 0, rows_written: 0 });

type D1Source = Pick<D1Database, 'prepare' | 'batch'> | D1DatabaseSession;

interface Meter {
  usage: D1Usage;
  /** Where statements run; a request's session is opened by its first round trip (see RequestD1). */
  source: () => D1Source | Promise<D1Source>;
  /** Whether this round trip is bound for the primary whatever it does (asked once per round trip, in order). */
  constrained: () => boolean;
  /** Told of every round trip that wrote (or tried to). */
  wrote?: () => void;
  /** A fresh `first-primary` session, metered alike (`withSession()` on the request's database). */
  withSession?: () => D1Database;
}

const READ_ONLY = /^\s*(?:select|explain|pragma|values)\b/i;
const CHANGES_ROWS = /\b(?:insert|update|delete|replace)\b/i;

/**
 * Whether a statement must run on the primary: everything but a read. D1 sends writes to the
 * primary whatever the session; a guarded UPDATE that matches nothing went there too, so this
 * reads the SQL rather than `rows_written`. A `with` query is a read unless it changes rows.
 */
export function isWriteStatement(query: string): boolean {
  if (READ_ONLY.test(query)) return false;
  if (/^\s*with\b/i.test(query)) return CHANGES_ROWS.test(query);
  return true;
}

const reportedByPrimary = (results: readonly D1Result[] | undefined) =>
  (results ?? []).some((result) => result.meta?.served_by_primary === true && result.meta.served_by_region !== undefined);

/** Runs one round trip and counts it, failed ones too (they cost a round trip, their metadata is lost). */
async function roundTrip<T extends D1Result>(
  meter: Meter,
  statements: readonly MeteredStatement[],
  call: (prepared: D1PreparedStatement[], source: D1Source) => Promise<T[]>,
): Promise<T[]> {
  const write = statements.some((statement) => isWriteStatement(statement.query));
  const constrained = meter.constrained();
  let results: T[] | undefined;
  try {
    const source = await meter.source();
    results = await call(
      statements.map((statement) => statement.on(source)),
      source,
    );
    return results;
  } finally {
    meter.usage.calls += 1;
    if (write || constrained || reportedByPrimary(results)) meter.usage.primary_calls += 1;
    if (write) meter.wrote?.();
    for (const result of results ?? []) {
      meter.usage.rows_read += result.meta?.rows_read ?? 0;
      meter.usage.rows_written += result.meta?.rows_written ?? 0;
    }
  }
}

/**
 * A statement that counts what it costs. It keeps its SQL and values and is prepared on the
 * source when it runs, so a request's session can open at its first round trip. `first()` and
 * `raw()` do not return D1's metadata, so they run as `all()` (the same query, the same rows
 * read: D1 does not stop `first()` early) and shape its rows. `raw()` takes each row's values in
 * column order, exactly as Drizzle's own `batch()` does (d1ToRawMapping); like it, a result with
 * two columns of the same name would keep only one of them, so queries name joined columns apart
 * (none in this code base joins).
 */
class MeteredStatement {
  constructor(
    readonly query: string,
    private readonly values: unknown[] | undefined,
    private readonly meter: Meter,
  ) {}

  /** This statement, prepared (and bound) on `source`. */
  on(source: D1Source): D1PreparedStatement {
    const prepared = source.prepare(this.query);
    return this.values ? prepared.bind(...this.values) : prepared;
  }

  bind(...values: unknown[]): D1PreparedStatement {
    return new MeteredStatement(this.query, values, this.meter) as unknown as D1PreparedStatement;
  }

  async run<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    const [result] = await roundTrip(this.meter, [this], async ([statement]) => [await statement!.run<T>()]);
    return result!;
  }

  async all<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    const [result] = await roundTrip(this.meter, [this], async ([statement]) => [await statement!.all<T>()]);
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

function meteredDatabase(meter: Meter): D1Database {
  const database = {
    prepare: (query: string) => new MeteredStatement(query, undefined, meter) as unknown as D1PreparedStatement,
    batch: <T = unknown>(statements: D1PreparedStatement[]) =>
      roundTrip(meter, statements as unknown as MeteredStatement[], (prepared, source) => source.batch<T>(prepared)),
    exec: async (query: string): Promise<D1ExecResult> => {
      const source = await meter.source();
      const { exec } = source as Partial<D1Database>;
      if (!exec) throw new Error('exec() is not available on a D1 session');
      try {
        return await exec.call(source, query);
      } finally {
        meter.usage.calls += 1;
        meter.usage.primary_calls += 1;
      }
    },
    withSession: () => {
      if (!meter.withSession) throw new Error('A session of a session: open it on the request (RequestD1)');
      return meter.withSession();
    },
    dump: () => Promise.reject(new Error('dump() is not supported')),
  };
  return database as unknown as D1Database;
}

/**
 * The D1 binding itself as the `D1Database` that Drizzle is given, adding what each round trip
 * costs to `usage`. Without a session every query reaches the primary.
 */
export function meteredD1(binding: D1Database, usage: D1Usage): D1Database {
  return meteredDatabase({ usage, source: () => binding, constrained: () => true });
}

/**
 * Where a request's session may read: `replica` — the nearest replica that is at least as new
 * as the session's starting bookmark; `primary` — its first round trip goes to the primary, so
 * what it reads is the latest state (D1's `first-primary`). Writes go to the primary either way.
 */
export type D1SessionMode = 'replica' | 'primary';

/** A bookmark as D1 writes them (local: `00000000-00000008-00000000-` and 32 hex digits). */
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32,64}$/;

/** The caller's `X-D1-Bookmark` if it has a bookmark's shape, else null (see README: a malformed one is ignored). */
export const saneBookmark = (offered: string | null | undefined): string | null => (offered && BOOKMARK.test(offered) ? offered : null);

/** The later of two bookmarks: D1 bookmarks sort in commit order (a session keeps the greatest it has seen). */
const later = (a: string | null, b: string | null) => (a === null ? b : b === null || a >= b ? a : b);

/**
 * One request's D1 session (Sessions API) and what it cost. `db` is the D1Database every query
 * of the request goes through: the session opens at its first round trip, so the route can
 * choose the mode first (`onPrimary`) and authentication can name the user first (`startFor`).
 * A replica session starts from the later of the caller's bookmark and the user's last write's
 * (db/bookmarks.ts), so a user reads their own writes without sending a bookmark.
 */
export class RequestD1 {
  readonly usage = emptyD1Usage();
  readonly db: D1Database;
  mode: D1SessionMode = 'replica';
  /** Did a round trip of this request write (so the user's next requests start from its bookmark)? */
  wrote = false;
  /** The bookmark the session started from, for the log line (null: from its constraint). */
  private bookmarkIn: string | null = null;
  private userId: string | undefined;
  /** Where a replica session starts at the earliest, whoever the caller (`readAtLeast`). */
  private floorBookmark: string | null = null;
  /** The users whose later requests must see this request's writes: the caller, and whose account it changed. */
  private readonly concerned = new Set<string>();
  private session: D1DatabaseSession | undefined;
  private opening: Promise<D1DatabaseSession> | undefined;
  /** Sessions opened later for a fresh look at the primary (db/client.ts getPrimaryDb). */
  private readonly freshLooks: D1DatabaseSession[] = [];

  constructor(
    private readonly binding: D1Database,
    private readonly callerBookmark: string | null,
  ) {
    let roundTrips = 0;
    this.db = meteredDatabase({
      usage: this.usage,
      source: () => this.open(),
      constrained: () => this.mode === 'primary' && roundTrips++ === 0,
      wrote: () => {
        this.wrote = true;
      },
      withSession: () => this.freshLook(),
    });
  }

  /**
   * Another session of the request, constrained to the primary from its first round trip: for a
   * re-read that must see what another request just committed (the reason a write failed), which
   * this request's session may not show when it reads a replica. Counted in the same usage.
   */
  private freshLook(): D1Database {
    const session = this.binding.withSession('first-primary');
    this.freshLooks.push(session);
    let roundTrips = 0;
    return meteredDatabase({
      usage: this.usage,
      source: () => session,
      constrained: () => roundTrips++ === 0,
      wrote: () => {
        this.wrote = true;
      },
    });
  }

  private open(): Promise<D1DatabaseSession> {
    this.opening ??= (async () => {
      if (this.mode === 'replica') {
        const remembered = this.userId ? await recallBookmark(this.userId) : null;
        this.bookmarkIn = later(later(this.callerBookmark, remembered), this.floorBookmark);
      }
      this.session = this.binding.withSession(this.bookmarkIn ?? (this.mode === 'primary' ? 'first-primary' : 'first-unconstrained'));
      return this.session;
    })();
    return this.opening;
  }

  private ensureUnopened(what: string): void {
    if (this.opening) throw new Error(`${what} must come before the request's first D1 query`);
  }

  /** This request decides on the primary (money, stock, sign-in): declared by the route, before any query. */
  onPrimary(): void {
    this.ensureUnopened('onPrimary');
    this.mode = 'primary';
  }

  /** The authenticated user, known before their row is read: their last write's bookmark is where a replica session starts. */
  startFor(userId: string): void {
    if (!this.opening) this.userId = userId;
    this.concerned.add(userId);
  }

  /**
   * This request changes `userId`'s account (a reset, a verification, a superuser's edit): their
   * next requests here start from its writes too, so an ended token or a deactivation holds at once.
   */
  changesAccountOf(userId: string): void {
    this.concerned.add(userId);
  }

  /** Whose bookmark to remember after this request: nobody's unless it wrote. */
  usersToRemember(): string[] {
    return this.wrote ? [...this.concerned] : [];
  }

  /**
   * A replica session of this request starts from at least `bookmark`, before any query: the edge
   * cache's computing an entry after a catalog change here, so it never stores what a lagging replica still has.
   */
  readAtLeast(bookmark: string): void {
    if (!this.opening) this.floorBookmark = later(this.floorBookmark, bookmark);
  }

  /** The session's latest bookmark (null when the request never reached D1): the response's `X-D1-Bookmark`. */
  bookmark(): string | null {
    return [this.session, ...this.freshLooks].reduce<string | null>((latest, session) => later(latest, session?.getBookmark() ?? null), null);
  }

  /** What the session cost since `earlier` (a copy of `usage` taken then). */
  since(earlier: D1Usage): D1Usage {
    const { calls, primary_calls, rows_read, rows_written } = this.usage;
    return {
      calls: calls - earlier.calls,
      primary_calls: primary_calls - earlier.primary_calls,
      rows_read: rows_read - earlier.rows_read,
      rows_written: rows_written - earlier.rows_written,
    };
  }

  /** The log line's `d1` object: the cost, and for a request that reached D1 its session's mode and starting bookmark. */
  logged(): D1Usage & { session?: D1SessionMode; bookmark_in?: string | null } {
    return this.session ? { ...this.usage, session: this.mode, bookmark_in: this.bookmarkIn } : { ...this.usage };
  }
}
