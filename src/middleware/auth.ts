import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { matchesAuthVersion, readAccessToken } from '../services/access-tokens';
import { getConfig } from '../config';
import { getDb } from '../db/client';
import type { User } from '../db/schema';
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
 * Sets the user and token when the bearer token is valid, unrevoked and its user active and
 * unchanged; otherwise says why not, for the request log (the answer is a plain 401 either way).
 */
async function authenticate(c: Context<AppEnv>): Promise<string | null> {
  const header = c.req.header('authorization');
  const raw = bearerToken(header);
  if (!raw) return header ? 'not a Bearer token' : 'no Authorization header';
  const read = await readAccessToken(c.env, raw);
  if ('refused' in read) return read.refused;
  const { claims } = read;
  // Before the first query: a replica session starts from this user's last write (read your own writes).
  c.get('d1').startFor(claims.sub);
  const user = await findUserById(getDb(c.env), claims.sub);
  if (!user) return 'user no longer exists';
  if (!user.isActive) return 'user inactive';
  if (!matchesAuthVersion(claims, user)) return 'token predates a password change';
  c.set('user', user);
  c.set('token', { raw, claims });
  return null;
}

/**
 * 401 unless the request carries a valid, unrevoked access token of an existing active
 * user whose password has not changed since. The user row is read on every request, so
 * deactivation and deletion take effect at once.
 */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const refused = await authenticate(c);
  if (refused) throw unauthorized(refused);
  await next();
});

/**
 * For routes open to everyone that show more to some users (the catalog to a superuser):
 * a valid token sets the user, an absent or invalid one leaves the request anonymous.
 */
export const optionalUser = createMiddleware<AppEnv>(async (c, next) => {
  await authenticate(c);
  await next();
});

/** The user `optionalUser` found, or undefined for an anonymous request. */
export const optionalCurrentUser = (c: Context<AppEnv>): User | undefined => c.get('user') as User | undefined;

/** `requireUser`, then 403 unless the user is a superuser. */
export const requireSuperuser = createMiddleware<AppEnv>(async (c, next) =>
  requireUser(c, async () => {
    if (!c.get('user').isSuperuser) throw forbidden();
    await next();
  }),
);

/**
 * fastapi-users' own routers with `requires_verification=True` (here `REQUIRE_VERIFIED_LOGIN`):
 * logout, `/users/me` and `/users/{id}` answer 403 to an active but unverified user (one whose
 * token predates the setting, or who changed their e-mail). The shop's own routes use
 * `requireUser`/`requireSuperuser` and do not ask for a verified e-mail, as the original's
 * `current_user(active=True)` did not.
 */
export const requireAccountUser = createMiddleware<AppEnv>(async (c, next) =>
  requireUser(c, async () => {
    if (getConfig(c.env).requireVerifiedLogin && !c.get('user').isVerified) throw forbidden();
    await next();
  }),
);

/** `requireAccountUser`, then 403 unless the user is a superuser (the `/users/{id}` routes). */
export const requireAccountSuperuser = createMiddleware<AppEnv>(async (c, next) =>
  requireAccountUser(c, async () => {
    if (!c.get('user').isSuperuser) throw forbidden();
    await next();
  }),
);
