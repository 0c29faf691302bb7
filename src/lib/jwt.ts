import { sign, verify } from 'hono/jwt';
import type { JWTPayload } from 'hono/utils/jwt/types';

export const AUTH_AUDIENCE = 'fastapi-users:auth';
export const RESET_AUDIENCE = 'fastapi-users:reset';
export const VERIFY_AUDIENCE = 'fastapi-users:verify';

const ALG = 'HS256';

const nowSeconds = () => Math.floor(Date.now() / 1000);

export async function signToken(claims: Record<string, unknown>, secret: string, lifetimeSeconds: number): Promise<string> {
  const iat = nowSeconds();
  return sign({ ...claims, iat, exp: iat + lifetimeSeconds } as JWTPayload, secret, ALG);
}

export type TokenCheck = { payload: JWTPayload & { sub: string; exp: number } } | { refused: 'invalid token' | 'expired token' };

/**
 * Verifies signature, algorithm (HS256 only: `alg: none` and others fail), audience and
 * expiry. A token without a numeric `exp` or a string `sub` is refused, never "eternal".
 * Expiry is checked after the signature, so "expired" is only said of a token this app signed.
 */
export async function checkToken(token: string, secret: string, audience: string): Promise<TokenCheck> {
  try {
    const payload = await verify(token, secret, { alg: ALG, aud: audience, exp: false });
    if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp) || typeof payload.sub !== 'string') {
      return { refused: 'invalid token' };
    }
    if (payload.exp <= nowSeconds()) return { refused: 'expired token' };
    return { payload: payload as JWTPayload & { sub: string; exp: number } };
  } catch {
    return { refused: 'invalid token' };
  }
}

/** `checkToken`'s payload, or null when the token is refused for any reason. */
export async function verifyToken(token: string, secret: string, audience: string): Promise<JWTPayload & { sub: string; exp: number } | null> {
  const checked = await checkToken(token, secret, audience);
  return 'payload' in checked ? checked.payload : null;
}

export const expiresIn = (exp: number) => exp - nowSeconds();
