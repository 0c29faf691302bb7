import { and, eq, lt } from 'drizzle-orm';
import type { Bindings } from '../env';
import { runInBackground } from '../lib/background';
import { BusyError } from '../lib/domain-errors';
import { loggableError } from '../lib/error-cause';
import { log } from '../lib/log';
import { isoNow } from '../lib/time';
import { getDb, type Db } from './client';
import { cartLocks } from './schema';

/** What KV keeps per user: product ids and quantities only; prices are read from D1. */
export interface StoredCart {
  cart_id: number | null;
  next_item_id: number;
  items: { item_id: number; product_id: number; quantity: number }[];
  updated_at: string | null;
}

const key = (userId: string) => `cart:${userId}`;

export const emptyCart = (): StoredCart => ({ cart_id: null, next_item_id: 1, items: [], updated_at: null });

/** A fresh cart id: random, positive and safe as a JSON number, so no counter is shared. */
export const newCartId = () => {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2));
  return (high! % 0x10000) * 0x100000000 + low! + 1;
};

export async function loadCart(env: Bindings, userId: string): Promise<StoredCart> {
  return (await env.CARTS.get<StoredCart>(key(userId), 'json')) ?? emptyCart();
}

const RETRY_DELAYS_MS = [150, 400, 1000];

/** KV allows one write per second per key in production; a burst answers 429 there. */
function isRateLimited(error: unknown): boolean {
  return /429|too many requests/i.test(String(error instanceof Error ? error.message : error));
}

/**
 * Writes the cart, retrying with a short backoff when KV says the key is written too often;
 * when it still refuses, a BusyError (the client gets a 429 with Retry-After, not a 500).
 */
export async function saveCart(env: Bindings, userId: string, cart: StoredCart): Promise<StoredCart> {
  const stored = { ...cart, updated_at: isoNow() };
  for (let attempt = 0; ; attempt++) {
    try {
      await env.CARTS.put(key(userId), JSON.stringify(stored));
      return stored;
    } catch (error) {
      if (!isRateLimited(error)) throw error;
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) throw new BusyError(1, 'KV refused the cart write: written too often');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Longer than any cart change takes (KV retries included): a lease left by a crashed request lapses after it. */
const LEASE_MS = 15_000;
/** How long a change waits for the user's other cart changes before answering 429. */
const LOCK_WAIT_MS = 5_000;

/**
 * The statement that takes the user's cart lease for `token` if it is free or lapsed; it returns
 * the lease's token, so the lease is `token`'s exactly when that comes back. It can run inside
 * another batch (the order's), sparing a round trip to the primary.
 */
export const takeCartLeaseStatement = (db: Db, userId: string, token: string, now = Date.now()) =>
  db
    .insert(cartLocks)
    .values({ userId, token, expiresAt: now + LEASE_MS })
    .onConflictDoUpdate({
      target: cartLocks.userId,
      set: { token, expiresAt: now + LEASE_MS },
      setWhere: lt(cartLocks.expiresAt, now),
    })
    .returning({ token: cartLocks.token });

/** Takes the user's cart lease if it is free or lapsed; the token to release it, or null. */
async function tryLock(env: Bindings, userId: string): Promise<string | null> {
  const token = crypto.randomUUID();
  const taken = await takeCartLeaseStatement(getDb(env), userId, token);
  return taken[0]?.token === token ? token : null;
}

async function unlock(env: Bindings, userId: string, token: string): Promise<void> {
  await getDb(env)
    .delete(cartLocks)
    .where(and(eq(cartLocks.userId, userId), eq(cartLocks.token, token)));
}

/**
 * Reads, changes and writes back a user's cart, one change at a time per user. KV has no
 * compare-and-set: two concurrent read-modify-writes would start from the same cart and the later
 * write would drop the earlier one's change (three quick adds of one unit leaving one). So every
 * change holds a short lease in D1 while it runs; the others wait for it (a BusyError after
 * LOCK_WAIT_MS). `change` sees the current cart and returns the new one, undefined to leave it
 * as it is, or throws (an error for the client) to change nothing. `heldLease` is a lease the
 * caller already took (takeCartLeaseStatement in its own batch); it is released after the
 * answer, as the caller has no more use for the primary.
 */
export async function updateCart(
  env: Bindings,
  userId: string,
  change: (cart: StoredCart) => StoredCart | undefined | Promise<StoredCart | undefined>,
  heldLease?: string,
): Promise<StoredCart> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let token = heldLease ?? (await tryLock(env, userId));
  for (let delay = 10; !token; delay = Math.min(delay * 2, 100)) {
    if (Date.now() + delay > deadline) throw new BusyError(1, 'the cart is being changed by other requests');
    await new Promise((resolve) => setTimeout(resolve, delay));
    token = await tryLock(env, userId);
  }
  try {
    const cart = await loadCart(env, userId);
    const changed = await change(cart);
    return changed ? await saveCart(env, userId, changed) : cart;
  } finally {
    // A lease that cannot be released lapses on its own; the change itself stands.
    const lease = token;
    if (heldLease) await runInBackground(env, 'cart lease release', () => unlock(env, userId, lease));
    else await unlock(env, userId, lease).catch((error) => log('error', 'cart lease release failed', { error: loggableError(error) }));
  }
}

/** Deletes leases left behind by requests that died holding them (they lapse, but stay as rows). */
export async function deleteLapsedCartLocks(env: Bindings, now = Date.now()): Promise<number> {
  const deleted = await getDb(env).delete(cartLocks).where(lt(cartLocks.expiresAt, now)).returning({ userId: cartLocks.userId });
  return deleted.length;
}

export async function deleteCart(env: Bindings, userId: string): Promise<void> {
  await env.CARTS.delete(key(userId));
}
