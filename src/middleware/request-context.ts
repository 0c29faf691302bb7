import type { MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../app-env';
import { emptyD1Usage, meteredD1 } from '../db/metered-d1';
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
 * writes one JSON log line per request, with what the request cost in D1: every query reaches
 * D1 through `c.env.DB`, which is replaced here by a metered wrapper of the binding. Only the
 * path is logged: query strings and bodies may carry tokens or passwords. A 4xx line also
 * says why (see `refusal`); on the edge-cached routes it says what the cache did (`cache`).
 */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = Date.now();
  const offered = c.req.header('x-request-id');
  const requestId = offered && SANE_REQUEST_ID.test(offered) ? offered : crypto.randomUUID();
  c.set('requestId', requestId);
  const d1 = emptyD1Usage();
  c.env = { ...c.env, DB: meteredD1(c.env.DB, d1) };
  await next();
  c.header('X-Request-Id', requestId);
  const { status } = c.res;
  log(status >= 500 ? 'error' : 'info', 'request', {
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    status,
    duration_ms: Date.now() - started,
    request_id: requestId,
    d1,
    ...(c.get('cache') ? { cache: c.get('cache') } : {}),
    ...(status >= 400 && status < 500 ? refusal(c.error) : {}),
  });
};
