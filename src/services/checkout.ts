import type { Bindings } from '../env';
import { getConfig } from '../config';
import { insertCheckout } from '../db/checkouts';
import { getDb } from '../db/client';
import type { Checkout } from '../db/schema';
import { conflictError, invalidError } from '../lib/domain-errors';
import { isoNow } from '../lib/time';
import { assertLineCanBeBought, currentCart, priceCart } from './cart';

/** Where the order goes, as the customer gave it. */
export interface Recipient {
  email: string;
  name: string;
  phone_no: string;
  address: string;
  postal_code: string;
}

/**
 * Opens a checkout: fixes what is bought, for how much and where it goes. Checks, in the
 * contract's order: the caller's current cart (404 CART_NOT_FOUND), not empty (400 CART_EMPTY),
 * every line buyable now (409), and `amount` equal to the server's total (409 AMOUNT_MISMATCH).
 * Nothing is stored unless all pass; the checkout stays open for CHECKOUT_TTL_MINUTES.
 */
export async function openCheckout(
  env: Bindings,
  userId: string,
  request: { cart_id: number; amount: number } & Recipient,
): Promise<Checkout> {
  const config = getConfig(env);
  // From here on the cart's cart_id is request.cart_id.
  const cart = await currentCart(env, userId, request.cart_id);
  if (cart.items.length === 0) throw invalidError('CART_EMPTY', 'Your cart is empty', { cart_id: request.cart_id });

  const priced = await priceCart(env, cart);
  for (const line of priced.lines) assertLineCanBeBought(line);
  if (priced.subtotal !== request.amount) {
    throw conflictError(
      'AMOUNT_MISMATCH',
      `The cart total is ${priced.subtotal} ${config.currency} (minor units), not ${request.amount}; please review your cart`,
      { amount: priced.subtotal, currency: config.currency },
    );
  }

  const now = Date.now();
  return insertCheckout(getDb(env), {
    userId,
    cartId: request.cart_id,
    amount: priced.subtotal,
    currency: config.currency,
    items: priced.lines.map((line) => ({
      product_id: line.product_id,
      title: line.title!,
      unit_price: line.unit_price,
      quantity: line.quantity,
      line_total: line.line_total,
    })),
    email: request.email,
    name: request.name,
    phoneNo: request.phone_no,
    address: request.address,
    postalCode: request.postal_code,
    expiresAt: isoNow(new Date(now + config.checkoutTtlMinutes * 60_000)),
    createdAt: isoNow(new Date(now)),
  });
}
