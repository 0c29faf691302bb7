import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { getConfig } from '../config';
import { notFound } from '../lib/errors';

/**
 * Outside development the whole `/dev` tree and the stand-in pages for e-mail links do not
 * exist, for every method.
 */
export const developmentOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!getConfig(c.env).isDevelopment) throw notFound();
  await next();
});
