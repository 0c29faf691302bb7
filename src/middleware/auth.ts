import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { matchesAuthVersion, readAccessToken } from '../auth/access-tokens';
import { getDb } from '../db/client';
import { findUserById } from '../db/users';
import { forbidden, unauthorized } from '../lib/errors';

/** The bearer token as fastapi-users reads it: scheme compared case-insensitively. */
function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const space = header.indexOf(' ');
  if (space < 0) return null;
  const scheme = header.slice(0, space);
  const token = header.slice(space + 1).trim();
  return scheme.toLowerCase() === 'bearer' && token ? token : null;
}

/**
 * 401 unless the request carries a valid, unrevoked access token of an existing active
 * user whose password has not changed since. The user row is read on every request, so
 * deactivation and deletion take effect at once.
 */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const raw = bearerToken(c.req.header('authorization'));
  if (!raw) throw unauthorized();
  const claims = await readAccessToken(c.env, raw);
  if (!claims) throw unauthorized();
  const user = await findUserById(getDb(c.env), claims.sub);
  if (!user || !user.isActive || !matchesAuthVersion(claims, user)) throw unauthorized();
  c.set('user', user);
  c.set('token', { raw, claims });
  await next();
});

/** `requireUser`, then 403 unless the user is a superuser. */
export const requireSuperuser = createMiddleware<AppEnv>(async (c, next) =>
  requireUser(c, async () => {
    if (!c.get('user').isSuperuser) throw forbidden();
    await next();
  }),
);
