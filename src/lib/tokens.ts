import { sign, verify } from 'hono/jwt';
import type { JWTPayload } from 'hono/utils/jwt/types';

export const AUTH_AUDIENCE = 'fastapi-users:auth';
export const RESET_AUDIENCE = 'fastapi-users:reset';
export const VERIFY_AUDIENCE = 'fastapi-users:verify';

const ALG = 'HS256';
const encoder = new TextEncoder();

const nowSeconds = () => Math.floor(Date.now() / 1000);

function base64Url(bytes: ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export async function sha256(value: string): Promise<string> {
  return base64Url(await crypto.subtle.digest('SHA-256', encoder.encode(value)));
}

export async function hmac(secret: string, value: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return base64Url(await crypto.subtle.sign('HMAC', key, encoder.encode(value)));
}

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

/**
 * Canonical lower-case hyphenated UUID, parsed as leniently as Python's `uuid.UUID`
 * (braces, `urn:uuid:` prefix, any hyphens, any case), or null.
 */
export function parseUuid(value: string): string | null {
  let hex = value.trim();
  if (hex.toLowerCase().startsWith('urn:uuid:')) hex = hex.slice(9);
  hex = hex.replace(/^\{(.*)\}$/, '$1').replaceAll('-', '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  hex = hex.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
