/** Byte encodings, digests and comparisons on WebCrypto, for every module that needs them. */

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export const utf8 = (value: string): Uint8Array => encoder.encode(value);

export function toBase64(bytes: Uint8Array | ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Throws on text that is not base64 (`atob`'s InvalidCharacterError). */
export function fromBase64(value: string): Uint8Array {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Unpadded base64url (RFC 4648 §5), as JWTs use it. */
export const toBase64Url = (bytes: Uint8Array | ArrayBuffer): string =>
  toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export const toHex = (bytes: Uint8Array | ArrayBuffer): string =>
  [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, '0')).join('');

/** SHA-256 of a string's UTF-8 bytes. */
export async function sha256(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(value)));
}

/** The HMAC-SHA256 bytes of `value` (text or raw bytes) under `secret`. */
export async function hmacSha256Bytes(secret: string, value: string | Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', utf8(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, typeof value === 'string' ? utf8(value) : value));
}

/** HMAC-SHA256 of `value` under `secret`, base64url. */
export const hmacSha256 = async (secret: string, value: string): Promise<string> => toBase64Url(await hmacSha256Bytes(secret, value));

/** HMAC-SHA256 of `value` under `secret`, lower-case hex (as Stripe and Razorpay sign). */
export const hmacSha256Hex = async (secret: string, value: string | Uint8Array): Promise<string> => toHex(await hmacSha256Bytes(secret, value));

/** Bytes of a hex string, or undefined when it is not one. */
export function fromHex(value: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(value)) return undefined;
  return new Uint8Array(value.match(/../g)?.map((pair) => Number.parseInt(pair, 16)) ?? []);
}

/** Is `signatureHex` the HMAC-SHA256 of `value` under `secret`? Compared in constant time. */
export async function isHmacSha256Hex(secret: string, value: string | Uint8Array, signatureHex: string): Promise<boolean> {
  const given = fromHex(signatureHex.trim());
  return given !== undefined && constantTimeEqual(await hmacSha256Bytes(secret, value), given);
}

/** Compares without an early exit, so timing does not tell how many bytes matched. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
