import type { KVNamespace, RateLimit } from '@cloudflare/workers-types';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { ApiError, toApiError, tooManyRequests } from '../lib/errors';

/** The period of every limiter binding in wrangler.toml, in seconds. */
const PERIOD_SECONDS = 60;

/** The caller's address as Cloudflare reports it. */
export const clientIp = (c: Context<AppEnv>) => c.req.header('cf-connecting-ip') ?? 'unknown';

/** 429 with Retry-After once `key` used up its allowance of attempts. */
export async function enforceRateLimit(limiter: RateLimit, key: string): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) throw tooManyRequests(PERIOD_SECONDS);
}

/**
 * Limits failed attempts, not attempts: `attempt` runs unless `key` is locked, and only an
 * attempt that fails with a 400 counts against the limiter. The failure past the allowance
 * is a 429 and locks the key for a period, during which every attempt, a right one too, is
 * a 429, so a brute force cannot tell a right guess from a throttled wrong one. People and
 * test suites that get it right are never slowed down, however often they log in.
 */
export async function limitFailures<T>(
  locks: KVNamespace,
  limiter: RateLimit,
  key: string,
  attempt: () => Promise<T>,
): Promise<T> {
  const lock = `lockout:${key}`;
  if (await locks.get(lock)) throw tooManyRequests(PERIOD_SECONDS);
  try {
    return await attempt();
  } catch (error) {
    const answer = toApiError(error);
    if (answer instanceof ApiError && answer.status === 400 && !(await limiter.limit({ key })).success) {
      await locks.put(lock, '1', { expirationTtl: PERIOD_SECONDS });
      throw tooManyRequests(PERIOD_SECONDS);
    }
    throw error;
  }
}
