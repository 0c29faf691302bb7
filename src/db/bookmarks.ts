import { loggableError } from '../lib/error-cause';
import { log } from '../lib/log';

/*
 * Each user's last write, as a D1 bookmark, kept in the Cache API of the data centre where the
 * write happened: the user's next requests almost always land there, and their sessions start
 * from it, so they read their own writes without sending `X-D1-Bookmark`. Not in KV: KV takes up
 * to 60 s to reach other locations (longer than replicas lag), allows one write per second per
 * key, and would cost a KV read on every authenticated request. A user whose next request lands
 * in another data centre reads what that replica has: at most its replica lag behind (README).
 */

const CACHE_NAME = 'd1-bookmarks';
/** Replicas lag by seconds; after this any replica has the write anyway. */
export const BOOKMARK_TTL_SECONDS = 300;

/** The key is a URL of a host that never resolves: the entry is only ever read from this cache. */
const entry = (userId: string) => `https://d1-bookmarks.invalid/${encodeURIComponent(userId)}`;

/** The bookmark of the user's last write here, or null (none, expired, or the cache failed). */
export async function recallBookmark(userId: string): Promise<string | null> {
  try {
    const hit = await (await caches.open(CACHE_NAME)).match(entry(userId));
    return hit ? await hit.text() : null;
  } catch (error) {
    log('warn', 'bookmark recall failed', { error: loggableError(error) });
    return null;
  }
}

/** Remembers the bookmark of a user's write, for their next requests here. */
export async function rememberBookmark(userId: string, bookmark: string): Promise<void> {
  const cache = await caches.open(CACHE_NAME);
  await cache.put(entry(userId), new Response(bookmark, { headers: { 'Cache-Control': `max-age=${BOOKMARK_TTL_SECONDS}` } }));
}
