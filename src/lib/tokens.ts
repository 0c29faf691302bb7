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

/** White space as Python's `str.isspace` sees it, at either end of a string. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: Python counts these control characters as white space
const PYTHON_SPACE_AT_ENDS = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** The value of a Unicode decimal digit: its distance from the zero that starts its run of ten. */
function decimalValue(digit: string): string {
  const cp = digit.codePointAt(0)!;
  let k = 0;
  while (/\p{Nd}/u.test(String.fromCodePoint(cp - k - 1))) k++;
  return String(k % 10);
}

const PYTHON_HEX_INT = /^([+-]?)(?:0[xX]((?:_?[0-9a-fA-F])+)|([0-9a-fA-F](?:_?[0-9a-fA-F])*))$/;

/** Python's `int(text, 16)`, or null where Python raises ValueError. */
function pythonHexInt(text: string): bigint | null {
  const normalised = text.replace(/\p{Nd}/gu, decimalValue).replace(PYTHON_SPACE_AT_ENDS, '');
  const match = PYTHON_HEX_INT.exec(normalised);
  if (!match) return null;
  const value = BigInt(`0x${(match[2] ?? match[3]!).replaceAll('_', '')}`);
  return match[1] === '-' ? -value : value;
}

/**
 * Canonical lower-case hyphenated UUID, or null: a port of CPython's `uuid.UUID(hex)`, which
 * removes every `urn:` and `uuid:` (case-sensitively), strips braces from both ends, drops
 * every hyphen, wants exactly 32 characters left and reads them with `int(…, 16)` (so any
 * case, a `0x`, a sign, underscores between digits and white space at the ends pass too).
 */
export function parseUuid(value: string): string | null {
  const hex = value.replaceAll('urn:', '').replaceAll('uuid:', '').replace(/^[{}]+|[{}]+$/g, '').replaceAll('-', '');
  if ([...hex].length !== 32) return null;
  const n = pythonHexInt(hex);
  if (n === null || n < 0n || n >= 1n << 128n) return null;
  const h = n.toString(16).padStart(32, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
