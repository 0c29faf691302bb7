import type { Bindings } from '../env';
import type { AccessClaims } from '../app-env';
import type { User } from '../db/schema';
import { getConfig } from '../config';
import { sha256, toBase64Url } from '../lib/crypto';
import { AUTH_AUDIENCE, checkToken, expiresIn, signToken } from '../lib/jwt';
import { parseUuid } from '../lib/uuid';

/**
 * Access tokens: `sub`, `aud: ["fastapi-users:auth"]`, `exp` as fastapi-users writes them,
 * plus `iat`, `jti` (so logout revokes exactly this token) and `ver`, the user's
 * auth_version (so a password change ends every earlier token).
 */
export async function issueAccessToken(env: Bindings, user: User): Promise<string> {
  const { accessTokenLifetime } = getConfig(env);
  return signToken(
    { sub: user.id, aud: [AUTH_AUDIENCE], jti: crypto.randomUUID(), ver: user.authVersion },
    env.JWT_SECRET,
    accessTokenLifetime,
  );
}

/** The key a token is revoked under: its jti, or for FastAPI-issued tokens its hash. */
const revocationKey = async (raw: string, claims: AccessClaims) =>
  `revoked:${typeof claims.jti === 'string' ? claims.jti : `sha256:${toBase64Url(await sha256(raw))}`}`;

/** A usable access token's claims, or why it is refused (for the request log). */
export type AccessTokenRead = { claims: AccessClaims } | { refused: string };

export async function readAccessToken(env: Bindings, raw: string): Promise<AccessTokenRead> {
  const checked = await checkToken(raw, env.JWT_SECRET, AUTH_AUDIENCE);
  if ('refused' in checked) return checked;
  const { payload } = checked;
  const sub = parseUuid(payload.sub);
  if (!sub) return { refused: 'invalid token' };
  const claims: AccessClaims = { sub, exp: payload.exp };
  if (typeof payload.jti === 'string') claims.jti = payload.jti;
  if (typeof payload.ver === 'number') claims.ver = payload.ver;
  if (await env.AUTH.get(await revocationKey(raw, claims))) return { refused: 'revoked token (logged out)' };
  return { claims };
}

/**
 * Is the token still valid for this user's password? FastAPI-issued tokens have no `ver`;
 * they count as version 0, so they die with the first password change here.
 */
export const matchesAuthVersion = (claims: AccessClaims, user: User) => (claims.ver ?? 0) === user.authVersion;

/** Revokes one token until it would have expired anyway (KV needs a TTL of at least 60 s). */
export async function revokeAccessToken(env: Bindings, raw: string, claims: AccessClaims): Promise<void> {
  await env.AUTH.put(await revocationKey(raw, claims), '1', { expirationTtl: Math.max(60, expiresIn(claims.exp) + 1) });
}
