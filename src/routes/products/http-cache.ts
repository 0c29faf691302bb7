import type { Context } from 'hono';
import type { AppEnv } from '../../app-env';
import { sha256, toHex } from '../../lib/crypto';

/** Cache-Control for catalog reads: shared caches may keep anonymous answers for a short while only. */
const catalogCacheControl = (anonymous: boolean) => (anonymous ? 'public, max-age=30' : 'private, no-store');

/** A strong ETag: SHA-256 of everything the answer says (body plus any headers that carry data). */
async function strongEtag(representation: string): Promise<string> {
  return `"${toHex(await sha256(representation)).slice(0, 32)}"`;
}

/** Does `If-None-Match` (a list of tags, weak or strong, or `*`) match this ETag? Weak comparison, as RFC 9110 asks. */
function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
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
