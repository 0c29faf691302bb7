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

/**
 * Verifies signature, algorithm (HS256 only: `alg: none` and others fail), audience and
 * expiry. A token without a numeric `exp` or a string `sub` is refused, never "eternal".
 */
export async function verifyToken(token: string, secret: string, audience: string): Promise<JWTPayload & { sub: string; exp: number } | null> {
  try {
    const payload = await verify(token, secret, { alg: ALG, aud: audience });
    if (typeof payload.exp !== 'number' || typeof payload.sub !== 'string') return null;
    return payload as JWTPayload & { sub: string; exp: number };
  } catch {
    return null;
  }
}

export const expiresIn = (exp: number) => exp - nowSeconds();
