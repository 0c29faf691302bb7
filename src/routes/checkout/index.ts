import { toCheckoutOut } from '../../db/checkouts';
import { createRouter } from '../../lib/openapi';
import { openCheckout } from '../../services/checkout';
import { createCheckoutRoute } from './routes';

export const checkoutRoutes = createRouter().openapi(createCheckoutRoute, async (c) => {
  const checkout = await openCheckout(c.env, c.get('user').id, c.req.valid('json'));
  return c.json(toCheckoutOut(checkout), 201);
});
