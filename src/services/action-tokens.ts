import type { Bindings } from '../env';
import type { User } from '../db/schema';
import { getConfig } from '../config';
import { constantTimeEqual, hmacSha256, utf8 } from '../lib/crypto';
import { RESET_AUDIENCE, signToken, VERIFY_AUDIENCE, verifyToken } from '../lib/jwt';

/*
 * The one-off tokens e-mailed to users, shaped as fastapi-users writes them:
 * reset `{sub, password_fgpt, aud: "fastapi-users:reset", exp}` and
 * verify `{sub, email, aud: "fastapi-users:verify", exp}` (plus `iat`). Each is checked
 * against its own audience, so neither is ever accepted as an access token or as the other.
 */

/**
 * A keyed digest of the stored password hash: any change of the hash (reset, PATCH, rehash at
 * login) changes it, which makes every outstanding reset token single-use.
 */
const passwordFingerprint = (env: Bindings, hashedPassword: string) => hmacSha256(env.JWT_SECRET, hashedPassword);

export async function issueResetToken(env: Bindings, user: User): Promise<string> {
  const claims = { sub: user.id, password_fgpt: await passwordFingerprint(env, user.hashedPassword), aud: RESET_AUDIENCE };
  return signToken(claims, env.JWT_SECRET, getConfig(env).resetTokenLifetime);
}

/** The claims of a valid reset token (signature, HS256, audience, unexpired `exp`), or null. */
export async function readResetToken(env: Bindings, token: string): Promise<{ sub: string; fingerprint: string } | null> {
  const payload = await verifyToken(token, env.JWT_SECRET, RESET_AUDIENCE);
  if (!payload || typeof payload.password_fgpt !== 'string') return null;
  return { sub: payload.sub, fingerprint: payload.password_fgpt };
}

/** Does a reset token's fingerprint belong to the user's current password hash? */
export async function fingerprintMatches(env: Bindings, fingerprint: string, user: User): Promise<boolean> {
  const current = await passwordFingerprint(env, user.hashedPassword);
  return constantTimeEqual(utf8(fingerprint), utf8(current));
}

export function issueVerifyToken(env: Bindings, user: Pick<User, 'id' | 'email'>): Promise<string> {
  const claims = { sub: user.id, email: user.email, aud: VERIFY_AUDIENCE };
  return signToken(claims, env.JWT_SECRET, getConfig(env).verifyTokenLifetime);
}

/** The claims of a valid verify token, or null. */
export async function readVerifyToken(env: Bindings, token: string): Promise<{ sub: string; email: string } | null> {
  const payload = await verifyToken(token, env.JWT_SECRET, VERIFY_AUDIENCE);
  if (!payload || typeof payload.email !== 'string') return null;
  return { sub: payload.sub, email: payload.email };
}
