import type { Bindings } from '../env';
import { ApiError } from '../lib/errors';
import { isoNow } from '../lib/time';

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
 * when it still refuses, the client gets a clear 429 with Retry-After instead of a 500.
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
      if (delay === undefined) throw new ApiError(429, 'Too Many Requests', { 'Retry-After': '1' });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export async function deleteCart(env: Bindings, userId: string): Promise<void> {
  await env.CARTS.delete(key(userId));
}
