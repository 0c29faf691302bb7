import type { Context, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../app-env';
import { ifNoneMatchHits } from '../lib/conditional';
import { loggableError } from '../lib/error-cause';
import { log } from '../lib/log';
import { today } from '../lib/time';

/** What the edge cache did for a request, in its log line. */
export type CacheOutcome = 'hit' | 'miss' | 'bypass';

/**
 * The headers an entry keeps: what the answer says about the catalog, the same for every caller.
 * Everything else (X-Request-Id, CORS, X-D1-Bookmark, whatever is added later) belongs to one
 * request and is never stored, so it can never be served to another caller.
 */
const STORED_HEADERS = ['content-type', 'etag', 'cache-control', 'vary', 'x-total-count', 'link'];
/** When the entry was stored (ms), kept with it to answer `Age`; never shown to a caller. */
const STORED_AT = 'x-edge-stored-at';
/** The generation token outlives any entry (they live `max-age`): a lost token only costs misses. */
const GENERATION_LIFETIME_SECONDS = 86_400;

/**
 * Entries live under a token per data centre, replaced by every change to the catalog made
 * there, so a change shows at once where it was made. The Cache API cannot list or purge keys,
 * and other data centres keep their tokens: their entries die of `max-age`. Keys use the
 * request's own host, as the Cache API asks.
 */
const generationKey = (origin: string) => `${origin}/.edge-cache/generation`;

/**
 * The token, and the D1 bookmark of the change that made it: an entry computed under the token
 * reads at least that change, even from a replica that lags (API.md 7.1).
 */
interface Generation {
  token: string;
  bookmark: string | null;
}

async function currentGeneration(cache: Cache, origin: string): Promise<Generation> {
  const stored = await cache.match(generationKey(origin));
  // No token yet (or evicted): a fixed one, never written here, so a read can never put back a
  // token that a concurrent change has just replaced.
  return stored ? ((await stored.json()) as Generation) : { token: 'initial', bookmark: null };
}

/** Entries made so far in this data centre are no longer served (a change to the catalog, or a test that wrote to D1 itself). */
export async function renewCatalogGeneration(origin: string, bookmark: string | null = null): Promise<void> {
  const headers = { 'Cache-Control': `public, max-age=${GENERATION_LIFETIME_SECONDS}` };
  const generation: Generation = { token: crypto.randomUUID(), bookmark };
  await caches.default.put(generationKey(origin), Response.json(generation, { headers }));
}

/** `Cache-Control: no-cache` or `no-store` on a request (a browser's hard reload, `npm run bench`): an answer from D1, not stored. */
const asksForFresh = (header: string | undefined) => header !== undefined && /(^|,)\s*no-(cache|store)\s*(,|$)/i.test(header);

/** The request's query as Hono's validator sees it: a repeated parameter becomes a list. */
const queryOf = (c: Context) =>
  Object.fromEntries(Object.entries(c.req.queries()).map(([name, values]) => [name, values.length === 1 ? values[0] : values]));

function storedHeaders(from: Headers): Headers {
  const headers = new Headers();
  for (const name of STORED_HEADERS) {
    const value = from.get(name);
    if (value !== null) headers.set(name, value);
  }
  return headers;
}

/** A stored entry as this caller's answer: 304 when it already has it, `Age` so downstream caches keep it no longer than `max-age` in all. */
function fromEntry(c: Context<AppEnv>, entry: Response): Response {
  const headers = storedHeaders(entry.headers);
  const storedAt = Number(entry.headers.get(STORED_AT));
  headers.set('Age', String(Math.max(0, Math.floor((Date.now() - storedAt) / 1000))));
  if (ifNoneMatchHits(c.req.header('if-none-match'), headers.get('etag') ?? '')) {
    headers.delete('content-type');
    return new Response(null, { status: 304, headers });
  }
  return new Response(entry.body, { status: 200, headers });
}

/**
 * Serves an anonymous GET from this data centre's Workers cache (`caches.default`) and stores
 * the 200s it had to compute, for their `max-age`: a hit answers without D1. `path` gives the
 * canonical path and query of the parsed request (defaults applied, unknown parameters gone),
 * so equivalent requests share an entry. A request with an `Authorization` header (valid or
 * not: a superuser sees more), with `Cache-Control: no-cache`, or that its schemas refuse (the
 * route answers 422/404) bypasses the cache; other answers than 200 are never stored. The key
 * also holds today's date (UTC), so nothing cached before midnight is served after it, when
 * products are released. A cache that fails is skipped: the answer then comes from D1.
 */
export function edgeCache<Q = undefined, P = undefined>(spec: {
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  path: (request: { query: Q; params: P }) => string;
}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const query = spec.query?.safeParse(queryOf(c));
    const params = spec.params?.safeParse(c.req.param());
    const refused = query?.success === false || params?.success === false;
    if (c.req.header('authorization') !== undefined || asksForFresh(c.req.header('cache-control')) || refused) {
      c.set('cache', 'bypass');
      return next();
    }
    const path = spec.path({ query: query?.data as Q, params: params?.data as P });
    const cache = caches.default;
    const origin = new URL(c.req.url).origin;
    let key: string;
    let entry: Response | undefined;
    let generation: Generation;
    try {
      generation = await currentGeneration(cache, origin);
      key = `${origin}/.edge-cache/${generation.token}/${today()}${path}`;
      entry = await cache.match(key);
    } catch (error) {
      // The cache is an optimisation: without it the answer comes from D1.
      log('warn', 'edge cache lookup failed', { request_id: c.get('requestId'), error: loggableError(error) });
      c.set('cache', 'bypass');
      return next();
    }
    if (entry) {
      c.set('cache', 'hit');
      return fromEntry(c, entry);
    }
    c.set('cache', 'miss');
    if (generation.bookmark) c.get('d1').readAtLeast(generation.bookmark);
    await next();
    if (c.res.status !== 200) return;
    const body = await c.res.arrayBuffer();
    const headers = storedHeaders(c.res.headers);
    headers.set(STORED_AT, String(Date.now()));
    // Awaited, not left to waitUntil: the next request here finds it (the write is local and small).
    await cache.put(key, new Response(body, { status: 200, headers })).catch((error: unknown) => {
      log('warn', 'edge cache store failed', { request_id: c.get('requestId'), error: loggableError(error) });
    });
    c.res = new Response(body, c.res);
  };
}

/**
 * On a route whose success changes what anonymous readers of the catalog see (a product's
 * fields, its stock): once the change has succeeded, entries made before it in this data
 * centre are no longer served. Elsewhere they live out their `max-age`.
 */
export const changesCatalog: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.res.status >= 400) return;
  // The change is made: failing its answer now would make the caller repeat it.
  await renewCatalogGeneration(new URL(c.req.url).origin, c.get('d1').bookmark()).catch((error: unknown) => {
    log('error', 'edge cache not renewed after a catalog change: it shows within max-age', {
      request_id: c.get('requestId'),
      error: loggableError(error),
    });
  });
};
