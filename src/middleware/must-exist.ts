import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { z } from 'zod';
import type { AppEnv } from '../app-env';
import type { RuleError } from '../lib/domain-errors';
import { notFound } from '../lib/errors';

/**
 * Route middleware that answers 404 for a path naming something that does not exist, before
 * the body is validated: FastAPI resolves path dependencies first, so the order of answers is
 * 401 → 403 → 404 → 422. `params` parses the path (a malformed id is a 404 too), `find` looks
 * the thing up through a service (undefined or false: there is none), `missing` is the 404 to answer (the plain one by default), and
 * `as` names the request variable that hands what was found to the handler.
 */
export function mustExist<P, T, K extends string = never>(spec: {
  params: z.ZodType<P>;
  find: (params: P, c: Context<AppEnv>) => Promise<T | undefined | false>;
  missing?: (params: P) => RuleError;
  as?: K;
}) {
  return createMiddleware<AppEnv & { Variables: Record<K, T> }>(async (c, next) => {
    const parsed = spec.params.safeParse(c.req.param());
    if (!parsed.success) throw notFound();
    const found = await spec.find(parsed.data, c as unknown as Context<AppEnv>);
    if (found === undefined || found === false) throw spec.missing ? spec.missing(parsed.data) : notFound();
    if (spec.as !== undefined) (c as unknown as Context<{ Variables: Record<string, unknown> }>).set(spec.as, found);
    await next();
  });
}
