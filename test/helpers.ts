import { env, exports } from 'cloudflare:workers';
import { users } from '../src/db/schema';
import { getDb } from '../src/db/client';
import { hashPassword } from '../src/lib/password';
import { issueAccessToken } from '../src/services/access-tokens';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface RequestOptions {
  /** JSON body (serialised here); use `raw` for a body sent as-is. */
  json?: unknown;
  form?: Record<string, string>;
  raw?: BodyInit;
  token?: string;
  headers?: Record<string, string>;
}

let ipCounter = 0;
/** A fresh client address per call, so rate limits of one test never hit another. */
export const freshIp = () => `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter++ & 255}`;

/** Calls the Worker's real fetch handler (routing, middleware, D1, KV, Queue). */
export async function api<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers = new Headers({ 'cf-connecting-ip': freshIp(), ...options.headers });
  let body: BodyInit | undefined = options.raw;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  if (options.form) {
    body = new URLSearchParams(options.form);
    headers.set('content-type', 'application/x-www-form-urlencoded');
  }
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  const res = await exports.default.fetch(`http://localhost${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

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

/** A registered user with a token. */
export async function newUser(extra: Record<string, unknown> = {}) {
  const email = uniqueEmail();
  const user = await register(email, PASSWORD, extra);
  return { ...user, email, token: await login(email) };
}

let passwordHash: Promise<string> | undefined;

/**
 * A user straight in D1 with an access token from the real token issuer: fast, and
 * independent of the auth routes (whose own tests go through HTTP).
 */
export async function seedUser(fields: Partial<typeof users.$inferInsert> = {}) {
  passwordHash ??= hashPassword(PASSWORD);
  const db = getDb(env);
  const [user] = await db
    .insert(users)
    .values({ id: crypto.randomUUID(), email: uniqueEmail(), hashedPassword: await passwordHash, ...fields })
    .returning();
  return { ...user!, token: await issueAccessToken(env, user!) };
}

/** A superuser, made the way `npm run create-superuser` does: straight in D1. */
export const seedSuperuser = () => seedUser({ isSuperuser: true, isVerified: true, email: uniqueEmail('admin') });
