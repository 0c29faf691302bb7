import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../app-env';
import { rememberBookmark } from '../db/bookmarks';
import { RequestD1, saneBookmark } from '../db/metered-d1';
import { runInBackground } from '../lib/background';
import { ApiError, toApiError } from '../lib/errors';
import { log } from '../lib/log';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;
const MAX_LOCATIONS = 10;

/**
 * Why a request was refused, for its log line: the error code (and reason, or the locations
 * of the fields a 422 names), so a client's developer can read why from the log. Never the
 * values: no inputs, tokens or bodies.
 */
function refusal(thrown: Error | undefined): Record<string, unknown> {
  const error = toApiError(thrown);
  if (error instanceof ApiError) {
    const { detail, why } = error;
    if (typeof detail === 'string') return why ? { error: detail, reason: why } : { error: detail };
    if (!Array.isArray(detail)) return { error: detail.code, reason: detail.reason };
    return {
      error: [...new Set(detail.map((issue) => issue.type))].join(','),
      loc: detail.slice(0, MAX_LOCATIONS).map((issue) => issue.loc.join('.').slice(0, 100)),
    };
  }
  if (error instanceof HTTPException) return { error: error.message || `HTTP ${error.status}` };
  return {};
}

/**
 * Gives every request an id (the caller's when it is sane), puts it on the response and
 * writes one JSON log line per request, with what the request cost in D1. Every query reaches
 * D1 through `c.env.DB`, which is replaced here by the request's D1 session (RequestD1): a
 * replica session unless the route declared `onPrimary`, starting from the caller's
 * `X-D1-Bookmark` (a malformed one is ignored) or the user's last write, and metered. The
 * response carries the session's latest bookmark; after a user's write it is remembered for
 * their next requests. Work handed to `c.env.afterAnswer` (lib/background.ts) runs after the
 * answer, and the line is written after it: `d1` is what the request cost before its answer,
 * `d1_after_answer` what that work cost. Only the path is logged: query strings and bodies may
 * carry tokens or passwords. A 4xx line also says why (see `refusal`); on the edge-cached
 * routes it says what the cache did (`cache`).
 */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = Date.now();
  const offered = c.req.header('x-request-id');
  const requestId = offered && SANE_REQUEST_ID.test(offered) ? offered : crypto.randomUUID();
  c.set('requestId', requestId);
  const d1 = new RequestD1(c.env.DB, saneBookmark(c.req.header('x-d1-bookmark')));
  c.set('d1', d1);
  const afterAnswer: (() => Promise<void>)[] = [];
  c.env = { ...c.env, DB: d1.db, afterAnswer: (work) => afterAnswer.push(work) };
  await next();
  c.header('X-Request-Id', requestId);
  const bookmark = d1.bookmark();
  if (bookmark) {
    c.header('X-D1-Bookmark', bookmark);
    for (const userId of d1.usersToRemember()) {
      await runInBackground(c.env, 'remember the D1 bookmark', () => rememberBookmark(userId, bookmark));
    }
  }
  const { status } = c.res;
  const line = {
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    status,
    duration_ms: Date.now() - started,
    request_id: requestId,
    d1: d1.logged(),
    ...(c.get('cache') ? { cache: c.get('cache') } : {}),
    ...(status >= 400 && status < 500 ? refusal(c.error) : {}),
  };
  const finish = async () => {
    for (const work of afterAnswer) await work();
    const after = d1.since(line.d1);
    log(status >= 500 ? 'error' : 'info', 'request', after.calls ? { ...line, d1_after_answer: after } : line);
  };
  const executionCtx = executionContextOf(c);
  if (executionCtx && afterAnswer.length) executionCtx.waitUntil(finish());
  else await finish();
};

/** Hono's `c.executionCtx` throws when there is none (app.request() in a script); then work runs before the answer. */
function executionContextOf(c: Parameters<MiddlewareHandler<AppEnv>>[0]) {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

/**
 * Route middleware, first in a route's list: this route decides on the primary (what guards money,
 * stock and sign-in), so its session is D1's `first-primary` and what it reads is the latest state.
 * Without it a route reads from the nearest replica. Writes reach the primary either way.
 */
export const onPrimary = createMiddleware<AppEnv>(async (c, next) => {
  c.get('d1').onPrimary();
  await next();
});
