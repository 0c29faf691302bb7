import { checkoutStatus } from '../../db/checkouts';
import type { Checkout } from '../../db/schema';
import { createRouter } from '../../lib/openapi';
import { openCheckout } from '../../services/checkout';
import { createCheckoutRoute } from './routes';

/** The checkout object of the API, in the contract's field order. */
function toCheckoutOut(checkout: Checkout) {
  return {
    checkout_id: checkout.id,
    cart_id: checkout.cartId,
    status: checkoutStatus(checkout),
    amount: checkout.amount,
    currency: checkout.currency,
    items: checkout.items,
    email: checkout.email,
    name: checkout.name,
    phone_no: checkout.phoneNo,
    address: checkout.address,
    postal_code: checkout.postalCode,
    expires_at: checkout.expiresAt,
    created_at: checkout.createdAt,
  };
}

export const checkoutRoutes = createRouter().openapi(createCheckoutRoute, async (c) => {
  const checkout = await openCheckout(c.env, c.get('user').id, c.req.valid('json'));
  return c.json(toCheckoutOut(checkout), 201);
});
