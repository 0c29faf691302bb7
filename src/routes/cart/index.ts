import { getConfig } from '../../config';
import { createRouter } from '../../lib/openapi';
import { addToCart, cartSummary, type PricedCart, removeCartItem, setCartItemQuantity, showCart } from '../../services/cart';
import { addToCartRoute, cartSummaryRoute, removeCartItemRoute, showCartRoute, updateCartItemRoute } from './routes';

/** The cart object of the contract. */
const toCartOut = (priced: PricedCart, currency: string) => ({
  cart_id: priced.cart_id,
  items: priced.lines.map((line) => ({
    item_id: line.item_id,
    product_id: line.product_id,
    title: line.title,
    unit_price: line.unit_price,
    quantity: line.quantity,
    line_total: line.line_total,
    available: line.available,
  })),
  total_quantity: priced.total_quantity,
  subtotal: priced.subtotal,
  currency,
  updated_at: priced.updated_at,
});

export const cartRoutes = createRouter()
  .openapi(showCartRoute, async (c) => {
    const priced = await showCart(c.env, c.get('user').id);
    return c.json(toCartOut(priced, getConfig(c.env).currency), 200);
  })
  .openapi(addToCartRoute, async (c) => {
    const body = c.req.valid('json');
    const priced = await addToCart(c.env, c.get('user').id, Array.isArray(body) ? body : body.items);
    return c.json(toCartOut(priced, getConfig(c.env).currency), 200);
  })
  .openapi(updateCartItemRoute, async (c) => {
    const { item_id } = c.req.valid('param');
    const { quantity } = c.req.valid('json');
    const priced = await setCartItemQuantity(c.env, c.get('user').id, item_id, quantity);
    return c.json(toCartOut(priced, getConfig(c.env).currency), 200);
  })
  .openapi(removeCartItemRoute, async (c) => {
    const priced = await removeCartItem(c.env, c.get('user').id, c.req.valid('param').item_id);
    return c.json(toCartOut(priced, getConfig(c.env).currency), 200);
  })
  .openapi(cartSummaryRoute, async (c) => {
    const { priced, issues, readyForCheckout } = await cartSummary(c.env, c.get('user').id, c.req.valid('query').cart_id);
    return c.json(
      {
        cart_id: priced.cart_id,
        item_count: priced.lines.length,
        total_quantity: priced.total_quantity,
        subtotal: priced.subtotal,
        currency: getConfig(c.env).currency,
        ready_for_checkout: readyForCheckout,
        issues,
      },
      200,
    );
  });
