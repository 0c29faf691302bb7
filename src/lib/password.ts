/**
 * PBKDF2-SHA256 password hashing on WebCrypto. The stored string carries its parameters:
 * `pbkdf2_sha256$<iterations>$<salt base64>$<hash base64>`, so the cost can grow later and
 * older hashes are upgraded at the next login (see `needsRehash`).
 */

import { constantTimeEqual, fromBase64, toBase64, utf8 } from './crypto';

/** Production Workers refuse PBKDF2 above 100,000 iterations (local workerd does not). */
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const PREFIX = 'pbkdf2_sha256';

async function derive(password: string, salt: Uint8Array, iterations: number, length: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', utf8(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, length * 8);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations, HASH_BYTES);
  return `${PREFIX}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

interface ParsedHash {
  iterations: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

function parse(stored: string): ParsedHash | null {
  const [prefix, iterations, salt, hash] = stored.split('$');
  const count = Number(iterations);
  if (prefix !== PREFIX || !Number.isInteger(count) || count < 1 || count > PBKDF2_ITERATIONS || !salt || !hash) {
    return null;
  }
  try {
    return { iterations: count, salt: fromBase64(salt), hash: fromBase64(hash) };
  } catch {
    return null;
  }
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.iterations, parsed.hash.length);
  return constantTimeEqual(candidate, parsed.hash);
}

/** True when the stored hash uses weaker parameters than new hashes get. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.iterations < PBKDF2_ITERATIONS || parsed.hash.length < HASH_BYTES;
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same hashing time as a real check, for logins with an unknown e-mail, so the
 * answer time does not reveal whether an account exists.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('ashte-dummy-password');
  await verifyPassword(password, await dummyHash);
}
