import { env } from 'cloudflare:workers';
import { and, eq, sql } from 'drizzle-orm';
import { decode, sign } from 'hono/jwt';
import { getDb } from '../../src/db/client';
import { emails, users, type EmailKind } from '../../src/db/schema';

export const APP_URL = 'http://localhost:8787';

/** The e-mails of one kind sent to an address, newest first, as D1 holds them. */
export function emailsTo(to: string, kind: EmailKind) {
  return getDb(env)
    .select()
    .from(emails)
    .where(and(eq(emails.toAddress, to), eq(emails.kind, kind)))
    .orderBy(sql`${emails}.rowid desc`);
}

/** The users whose address is this one in any letter case (the uniqueness rule), as D1 holds them. */
export const usersWithEmailInAnyCase = (address: string) =>
  getDb(env).select().from(users).where(sql`lower(${users.email}) = lower(${address})`);

/** The e-mails of one kind to this address in any letter case, as D1 holds them. */
export const emailsToAnyCase = (to: string, kind: EmailKind) =>
  getDb(env)
    .select()
    .from(emails)
    .where(and(sql`lower(${emails.toAddress}) = lower(${to})`, eq(emails.kind, kind)));

/**
 * The token in the newest e-mail of a kind, read from its text the way a person reads the
 * link in /dev/mailbox: `<APP_URL>/verify?token=…` or `<APP_URL>/reset-password?token=…`.
 */
export async function tokenFromEmail(to: string, kind: 'verify' | 'reset_password'): Promise<string> {
  const [latest] = await emailsTo(to, kind);
  if (!latest) throw new Error(`no ${kind} e-mail to ${to}`);
  const path = kind === 'verify' ? '/verify' : '/reset-password';
  const escaped = `${APP_URL}${path}`.replace(/[.?]/g, '\\$&');
  const match = new RegExp(`${escaped}\\?token=([A-Za-z0-9._~%-]+)`).exec(latest.text);
  if (!match) throw new Error(`no link in: ${latest.text}`);
  return decodeURIComponent(match[1]!);
}

export const claimsOf = (token: string) => decode(token).payload as Record<string, unknown>;

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A JWT signed with the test JWT_SECRET (or another secret), for forged and FastAPI tokens. */
export const signJwt = (claims: Record<string, unknown>, secret: string = env.JWT_SECRET) => sign(claims, secret, 'HS256');

/** An unsigned `alg: none` token carrying the given claims. */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

export const storedUser = (id: string) => getDb(env).select().from(users).where(eq(users.id, id)).get();

/** A client address of its own, fixed for a test that counts requests against a rate limit. */
export const fixedIp = () => {
  const [a, b] = crypto.getRandomValues(new Uint16Array(2));
  return `2001:db8::${a!.toString(16)}:${b!.toString(16)}`;
};
