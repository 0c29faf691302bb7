import { env } from 'cloudflare:workers';
import { eq, inArray } from 'drizzle-orm';
import { newCartId, saveCart } from '../../src/db/carts';
import { getDb } from '../../src/db/client';
import { checkouts, orderItems, orders, type Product } from '../../src/db/schema';
import type { Bindings } from '../../src/env';
import { api } from './http';
import { uniqueEmail } from './users';

export const db = () => getDb(env);

/** Puts a cart with these lines into KV (the way the cart routes store it) and returns its id. */
export async function seedCart(userId: string, lines: [Product, number][]): Promise<number> {
  const cartId = newCartId();
  await saveCart(env, userId, {
    cart_id: cartId,
    next_item_id: lines.length + 1,
    items: lines.map(([product, quantity], i) => ({ item_id: i + 1, product_id: product.id, quantity })),
    updated_at: null,
  });
  return cartId;
}

export const contact = () => ({
  email: uniqueEmail('buyer'),
  name: 'Arthur Pendragon',
  phone_no: '+91 98765-43210',
  address: '1 Round Table, Camelot',
  postal_code: '560001',
});

export const totalOf = (lines: [Product, number][]) => lines.reduce((sum, [product, quantity]) => sum + product.price * quantity, 0);

/** A cart with these lines and an open checkout of it, through `POST /checkout`. */
export async function openCheckout(user: { id: string; token: string }, lines: [Product, number][], overrides: Record<string, unknown> = {}) {
  const cartId = await seedCart(user.id, lines);
  const res = await api('POST', '/checkout', {
    token: user.token,
    json: { cart_id: cartId, amount: totalOf(lines), ...contact(), ...overrides },
  });
  if (res.status !== 201) throw new Error(`checkout failed: ${res.status} ${res.text}`);
  return res.body as { checkout_id: number; cart_id: number; email: string; [key: string]: unknown };
}

/** An order of these lines, through `POST /checkout` and `POST /orders/create` (with other bindings, e.g. a payment provider, if given). */
export async function placeOrder(user: { id: string; token: string }, lines: [Product, number][], options: { env?: Bindings } = {}) {
  const checkout = await openCheckout(user, lines);
  const res = await api('POST', '/orders/create', { token: user.token, json: { checkout_id: checkout.checkout_id }, env: options.env });
  if (res.status !== 201) throw new Error(`order failed: ${res.status} ${res.text}`);
  return res.body as { id: number; checkout_id: number; email: string; [key: string]: unknown };
}

export const checkoutRow = (id: number) => db().select().from(checkouts).where(eq(checkouts.id, id)).get();
export const checkoutsOfUser = (userId: string) => db().select().from(checkouts).where(eq(checkouts.userId, userId));
export const ordersOfUser = (userId: string) => db().select().from(orders).where(eq(orders.userId, userId));
export const ordersOfCheckout = (checkoutId: number) => db().select().from(orders).where(eq(orders.checkoutId, checkoutId));
export const orderLines = (orderIds: number[]) =>
  orderIds.length ? db().select().from(orderItems).where(inArray(orderItems.orderId, orderIds)) : Promise.resolve([]);
