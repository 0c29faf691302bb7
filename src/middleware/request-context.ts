import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { log } from '../lib/log';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

/**
 * Gives every request an id (the caller's when it is sane), puts it on the response and
 * writes one JSON log line per request. Only the path is logged: query strings and bodies
 * may carry tokens or passwords.
 */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = Date.now();
  const offered = c.req.header('x-request-id');
  const requestId = offered && SANE_REQUEST_ID.test(offered) ? offered : crypto.randomUUID();
  c.set('requestId', requestId);
  await next();
  c.header('X-Request-Id', requestId);
  log(c.res.status >= 500 ? 'error' : 'info', 'request', {
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    status: c.res.status,
    duration_ms: Date.now() - started,
    request_id: requestId,
  });
};
