import type { Context } from 'hono';
import type { AppEnv } from '../../app-env';
import { getConfig } from '../../config';
import {
  loadCart,
  MAX_CART_LINES,
  MAX_LINE_QUANTITY,
  updateCart,
  withAddedQuantities,
  withLineQuantity,
  type StoredCart,
} from '../../db/carts';
import { getDb } from '../../db/client';
import { findProductById, findProductsByIds, isOnSale } from '../../db/products';
import { ApiError, coded } from '../../lib/errors';
import { createRouter } from '../../lib/openapi';
import { lineProblem, priceCart } from '../../services/cart';
import { addToCart, cartSummary, itemNotFound, removeCartItem, showCart, updateCartItem } from './routes';

/** The cart object of the contract, priced from the catalog as it is now. */
async function cartOut(c: Context<AppEnv>, cart: StoredCart) {
  const priced = await priceCart(getDb(c.env), cart);
  return {
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
    currency: getConfig(c.env).currency,
    updated_at: priced.updated_at,
  };
}

export const cartRoutes = createRouter()
  .openapi(showCart, async (c) => {
    const cart = await loadCart(c.env, c.get('user').id);
    return c.json(await cartOut(c, cart), 200);
  })
  .openapi(addToCart, async (c) => {
    const body = c.req.valid('json');
    const user = c.get('user');
    const additions = new Map<number, number>();
    for (const line of Array.isArray(body) ? body : body.items) {
      additions.set(line.product_id, (additions.get(line.product_id) ?? 0) + line.quantity);
    }

    const catalog = await findProductsByIds(getDb(c.env), [...additions.keys()]);
    for (const productId of additions.keys()) {
      const product = catalog.get(productId);
      if (!product || !isOnSale(product)) {
        throw coded(404, 'PRODUCT_NOT_FOUND', `Product ${productId} not found`, { product_id: productId });
      }
    }

    const updated = await updateCart(c.env, user.id, (current) => {
      const cart = withAddedQuantities(current, additions);
      if (cart.items.length > MAX_CART_LINES) {
        throw coded(409, 'CART_FULL', `A cart holds at most ${MAX_CART_LINES} different products`, {
          requested: cart.items.length,
          max_items: MAX_CART_LINES,
        });
      }
      for (const productId of additions.keys()) {
        const product = catalog.get(productId)!;
        const quantity = cart.items.find((item) => item.product_id === productId)!.quantity;
        if (quantity > MAX_LINE_QUANTITY) {
          throw coded(409, 'MAX_QUANTITY_EXCEEDED', `At most ${MAX_LINE_QUANTITY} units of one product fit in a cart`, {
            product_id: productId,
            requested: quantity,
            max_quantity: MAX_LINE_QUANTITY,
          });
        }
        const problem = lineProblem({ product_id: productId, title: product.title, quantity, available: true, stock: product.quantity });
        if (problem) throw new ApiError(409, problem);
      }
      return cart;
    });
    return c.json(await cartOut(c, updated), 200);
  })
  .openapi(updateCartItem, async (c) => {
    const { item_id } = c.req.valid('param');
    const { quantity } = c.req.valid('json');
    const user = c.get('user');
    const updated = await updateCart(c.env, user.id, async (cart) => {
      const line = cart.items.find((item) => item.item_id === item_id);
      if (!line) throw itemNotFound(item_id);
      if (quantity > 0) {
        const product = await findProductById(getDb(c.env), line.product_id);
        const problem = lineProblem({
          product_id: line.product_id,
          title: product?.title ?? null,
          quantity,
          available: product !== undefined && isOnSale(product),
          stock: product?.quantity ?? 0,
        });
        if (problem) throw new ApiError(409, problem);
      }
      return withLineQuantity(cart, item_id, quantity);
    });
    return c.json(await cartOut(c, updated), 200);
  })
  .openapi(removeCartItem, async (c) => {
    const { item_id } = c.req.valid('param');
    const user = c.get('user');
    const updated = await updateCart(c.env, user.id, (cart) => {
      if (!cart.items.some((item) => item.item_id === item_id)) throw itemNotFound(item_id);
      return withLineQuantity(cart, item_id, 0);
    });
    return c.json(await cartOut(c, updated), 200);
  })
  .openapi(cartSummary, async (c) => {
    const { cart_id } = c.req.valid('query');
    const cart = await loadCart(c.env, c.get('user').id);
    if (cart_id !== undefined && cart_id !== cart.cart_id) {
      throw coded(404, 'CART_NOT_FOUND', 'This is not your current cart', { cart_id });
    }
    const priced = await priceCart(getDb(c.env), cart);
    const issues = priced.lines.flatMap((line) => {
      const problem = lineProblem(line);
      return problem ? [{ item_id: line.item_id, product_id: line.product_id, code: problem.code, reason: problem.reason }] : [];
    });
    return c.json(
      {
        cart_id: priced.cart_id,
        item_count: priced.lines.length,
        total_quantity: priced.total_quantity,
        subtotal: priced.subtotal,
        currency: getConfig(c.env).currency,
        ready_for_checkout: priced.lines.length > 0 && issues.length === 0,
        issues,
      },
      200,
    );
  });
