import type { Context } from 'hono';
import type { AppEnv } from '../../app-env';
import { ifNoneMatchHits } from '../../lib/conditional';
import { sha256, toHex } from '../../lib/crypto';
import type { CatalogQuery } from '../../services/products';

/** Cache-Control for catalog reads: shared caches may keep anonymous answers for a short while only. */
const catalogCacheControl = (anonymous: boolean) => (anonymous ? 'public, max-age=30' : 'private, no-store');

/** The parameters of a catalog query in a fixed order (filters, sort, page), each only when it is not its default. */
const CANONICAL_ORDER = ['q', 'min_price', 'max_price', 'in_stock', 'sort', 'limit', 'offset'] as const;
const DEFAULTS: Partial<CatalogQuery> = { sort: 'id', limit: 20, offset: 0 };

/**
 * The one spelling of a parsed catalog query (`?q=mug&sort=price&limit=5`, or `` for the
 * defaults): equivalent requests (parameters in another order, defaults spelt out, `in_stock=1`,
 * unknown parameters, an empty `q`) share it, so they share an edge-cache entry and their
 * `Link` URLs.
 */
export function catalogSearch(query: CatalogQuery): string {
  const search = new URLSearchParams();
  for (const name of CANONICAL_ORDER) {
    const value = query[name];
    if (value !== undefined && value !== '' && value !== DEFAULTS[name]) search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A strong ETag: SHA-256 of everything the answer says (body plus any headers that carry data). */
async function strongEtag(representation: string): Promise<string> {
  return `"${toHex(await sha256(representation)).slice(0, 32)}"`;
}

/**
 * The validators and cache headers of a catalog answer, and whether the caller already has it
 * (then the route answers 304 with these headers and no body).
 */
export async function conditionalHeaders(
  c: Context<AppEnv>,
  body: unknown,
  options: { anonymous: boolean; dataHeaders?: Record<string, string> },
): Promise<{ headers: Record<string, string>; notModified: boolean }> {
  const dataHeaders = options.dataHeaders ?? {};
  const etag = await strongEtag(JSON.stringify([body, dataHeaders]));
  const headers = {
    ...dataHeaders,
    ETag: etag,
    'Cache-Control': catalogCacheControl(options.anonymous),
    // The answer depends on who asks (a superuser sees more).
    Vary: 'Authorization',
  };
  return { headers, notModified: ifNoneMatchHits(c.req.header('if-none-match'), etag) };
}
