import { env } from 'cloudflare:workers';
import { eq, sql } from 'drizzle-orm';
import { decode, sign } from 'hono/jwt';
import { getDb } from '../../src/db/client';
import { users } from '../../src/db/schema';
import { hashPassword } from '../../src/lib/password';
import { issueAccessToken } from '../../src/services/access-tokens';
import { api } from './http';

let emailCounter = 0;
export const uniqueEmail = (prefix = 'user') =>
  `${prefix}.${Date.now().toString(36)}.${(emailCounter++).toString(36)}.${Math.random().toString(36).slice(2, 8)}@example.com`;

export const PASSWORD = 'correct horse battery';

/** Registers a user over HTTP and returns the user object. */
export async function register(email = uniqueEmail(), password = PASSWORD, extra: Record<string, unknown> = {}) {
  const res = await api('POST', '/auth/register', { json: { email, password, ...extra } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  return res.body as { id: string; email: string };
}

/** Logs in over HTTP and returns the access token. */
export async function login(email: string, password = PASSWORD): Promise<string> {
  const res = await api('POST', '/auth/jwt/login', { form: { username: email, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return res.body.access_token as string;
}

/** A user registered over HTTP and logged in: `{ id, email, token }`. */
export async function newUser(extra: Record<string, unknown> = {}) {
  const email = uniqueEmail();
  const user = await register(email, PASSWORD, extra);
  return { ...user, email, token: await login(email) };
}

let passwordHash: Promise<string> | undefined;

/**
 * A user straight in D1 (password PASSWORD) with an access token from the real token issuer:
 * fast, and independent of the auth routes (whose own tests go through HTTP).
 */
export async function seedUser(fields: Partial<typeof users.$inferInsert> = {}) {
  passwordHash ??= hashPassword(PASSWORD);
  const [user] = await getDb(env)
    .insert(users)
    .values({ id: crypto.randomUUID(), email: uniqueEmail(), hashedPassword: await passwordHash, ...fields })
    .returning();
  return { ...user!, token: await issueAccessToken(env, user!) };
}

/** A superuser, made the way `npm run create-superuser` does: straight in D1. */
export const seedSuperuser = (fields: Partial<typeof users.$inferInsert> = {}) =>
  seedUser({ isSuperuser: true, isVerified: true, email: uniqueEmail('admin'), ...fields });

/** A user who was deactivated after the token was issued: the token is well-formed and signed, the account is not active. */
export const seedInactiveUser = (fields: Partial<typeof users.$inferInsert> = {}) => seedUser({ ...fields, isActive: false });

/** Deactivates an existing user (their tokens stay well-formed and signed). */
export const deactivate = (userId: string) => getDb(env).update(users).set({ isActive: false }).where(eq(users.id, userId));

export const storedUser = (id: string) => getDb(env).select().from(users).where(eq(users.id, id)).get();

/** The users whose address is this one in any letter case (the uniqueness rule), as D1 holds them. */
export const usersWithEmailInAnyCase = (address: string) =>
  getDb(env)
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${address})`);

export const claimsOf = (token: string) => decode(token).payload as Record<string, unknown>;

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A JWT signed with the test JWT_SECRET (or another secret), for forged and FastAPI tokens. */
export const signJwt = (claims: Record<string, unknown>, secret: string = env.JWT_SECRET) => sign(claims, secret, 'HS256');

/** An unsigned `alg: none` token carrying the given claims. */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}
