import { getConfig } from '../../config';
import { loadCart } from '../../db/carts';
import { insertCheckout, toCheckoutOut } from '../../db/checkouts';
import { getDb } from '../../db/client';
import { coded } from '../../lib/errors';
import { createRouter } from '../../lib/openapi';
import { isoNow } from '../../lib/time';
import { assertLineCanBeBought } from '../../services/orders';
import { priceCart } from '../../services/cart';
import { createCheckout } from './routes';

export const checkoutRoutes = createRouter().openapi(createCheckout, async (c) => {
  const body = c.req.valid('json');
  const user = c.get('user');
  const config = getConfig(c.env);
  const db = getDb(c.env);

  const cart = await loadCart(c.env, user.id);
  if (cart.cart_id === null || cart.cart_id !== body.cart_id) {
    throw coded(404, 'CART_NOT_FOUND', 'This is not your current cart', { cart_id: body.cart_id });
  }
  if (cart.items.length === 0) throw coded(400, 'CART_EMPTY', 'Your cart is empty', { cart_id: cart.cart_id });

  const priced = await priceCart(db, cart);
  for (const line of priced.lines) assertLineCanBeBought(line);
  if (priced.subtotal !== body.amount) {
    throw coded(409, 'AMOUNT_MISMATCH', `The cart total is ${priced.subtotal} ${config.currency} (minor units), not ${body.amount}; please review your cart`, {
      amount: priced.subtotal,
      currency: config.currency,
    });
  }

  const expiresAt = isoNow(new Date(Date.now() + config.checkoutTtlMinutes * 60_000));
  const checkout = await insertCheckout(db, {
    userId: user.id,
    cartId: cart.cart_id,
    amount: priced.subtotal,
    currency: config.currency,
    items: priced.lines.map((line) => ({
      product_id: line.product_id,
      title: line.title!,
      unit_price: line.unit_price,
      quantity: line.quantity,
      line_total: line.line_total,
    })),
    email: body.email,
    name: body.name,
    phoneNo: body.phone_no,
    address: body.address,
    postalCode: body.postal_code,
    expiresAt,
    createdAt: isoNow(),
  });
  return c.json(toCheckoutOut(checkout), 201);
});
