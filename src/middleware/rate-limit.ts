import type { RateLimit } from '@cloudflare/workers-types';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { tooManyRequests } from '../lib/errors';

/** The caller's address as Cloudflare reports it. */
export const clientIp = (c: Context<AppEnv>) => c.req.header('cf-connecting-ip') ?? 'unknown';

/** 429 with Retry-After once `key` used up its allowance (the bindings' period is 60 s). */
export async function enforceRateLimit(limiter: RateLimit, key: string): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) throw tooManyRequests(60);
}
