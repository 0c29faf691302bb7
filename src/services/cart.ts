import type { Bindings } from '../env';
import { loadCart, newCartId, updateCart, type StoredCart } from '../db/carts';
import { getDb } from '../db/client';
import { findProductById, findProductsByIds, isOnSale } from '../db/products';
import type { Product } from '../db/schema';
import { conflictError, missingError } from '../lib/domain-errors';

/*
 * The cart's rules: what may be added and in what quantity, and what the catalog says about
 * each line now. KV (db/carts) keeps only ids and quantities; every answer re-prices the cart.
 */

/** At most this many units of one product in a cart. */
export const MAX_LINE_QUANTITY = 99;

/**
 * At most this many lines (different products) in a cart. Every answer re-prices the whole
 * cart from D1, so an unbounded cart would make every cart, summary and checkout request
 * slower; and 50 lines of 99 units at the highest catalog price stay a safe integer.
 */
export const MAX_CART_LINES = 50;

export interface PricedLine {
  item_id: number;
  product_id: number;
  /** The catalog's title, or null when the product is gone. */
  title: string | null;
  unit_price: number;
  quantity: number;
  line_total: number;
  /** On sale right now (a missing or hidden product is not). */
  available: boolean;
  /** Units in stock right now (0 when the product is gone). */
  stock: number;
}

export interface PricedCart {
  cart_id: number | null;
  lines: PricedLine[];
  total_quantity: number;
  /** Sum of the available lines. */
  subtotal: number;
  updated_at: string | null;
}

/** Quantities per product: lines of one product count together (a checkout has one line per product, an add may not). */
export function quantitiesByProduct(lines: readonly { product_id: number; quantity: number }[]): Map<number, number> {
  const quantities = new Map<number, number>();
  for (const line of lines) quantities.set(line.product_id, (quantities.get(line.product_id) ?? 0) + line.quantity);
  return quantities;
}

/**
 * What `lineProblem` needs to know about `quantity` units of a product as the catalog has it
 * now (undefined: the product is gone); `title` is the name to use in the wording.
 */
export function lineAvailability(productId: number, product: Product | undefined, quantity: number, title = product?.title ?? null) {
  return {
    product_id: productId,
    title,
    quantity,
    available: product !== undefined && isOnSale(product),
    stock: product?.quantity ?? 0,
  };
}

/** Prices a stored cart from the catalog as it is now: KV holds only ids and quantities. */
export async function priceCart(env: Bindings, cart: StoredCart): Promise<PricedCart> {
  const catalog = await findProductsByIds(getDb(env), cart.items.map((item) => item.product_id));
  const lines = cart.items.map((item): PricedLine => {
    const product = catalog.get(item.product_id);
    const { available, stock } = lineAvailability(item.product_id, product, item.quantity);
    const unitPrice = product?.price ?? 0;
    return {
      item_id: item.item_id,
      product_id: item.product_id,
      title: product?.title ?? null,
      unit_price: unitPrice,
      quantity: item.quantity,
      line_total: available ? unitPrice * item.quantity : 0,
      available,
      stock,
    };
  });
  return {
    cart_id: cart.cart_id,
    lines,
    total_quantity: lines.reduce((sum, line) => sum + line.quantity, 0),
    subtotal: lines.reduce((sum, line) => sum + line.line_total, 0),
    updated_at: cart.updated_at,
  };
}

/** What keeps a line from being bought, if anything. */
export type LineProblem = { code: 'PRODUCT_UNAVAILABLE' | 'INSUFFICIENT_STOCK'; reason: string; product_id: number } & Record<string, unknown>;

/**
 * Why this quantity of a product cannot be bought now: gone or off sale (PRODUCT_UNAVAILABLE),
 * or more than is in stock (INSUFFICIENT_STOCK, with `requested` and `available`); null when
 * it can. One wording for the cart summary, the cart's own 409s and checkout.
 */
export function lineProblem(line: Pick<PricedLine, 'product_id' | 'title' | 'quantity' | 'available' | 'stock'>): LineProblem | null {
  const name = line.title === null ? `product ${line.product_id}` : `'${line.title}'`;
  if (!line.available) {
    return { code: 'PRODUCT_UNAVAILABLE', reason: `Sorry, ${name} is no longer available`, product_id: line.product_id };
  }
  if (line.quantity > line.stock) {
    return {
      code: 'INSUFFICIENT_STOCK',
      reason: `Only ${line.stock} left of ${name}`,
      product_id: line.product_id,
      requested: line.quantity,
      available: line.stock,
    };
  }
  return null;
}

/** 409 PRODUCT_UNAVAILABLE or INSUFFICIENT_STOCK (the cart's own wording) for a line that cannot be bought. */
export function assertLineCanBeBought(line: Parameters<typeof lineProblem>[0]): void {
  const problem = lineProblem(line);
  if (problem) {
    const { code, reason, ...extra } = problem;
    throw conflictError(code, reason, extra);
  }
}

export const cartItemNotFound = (itemId: number) =>
  missingError('CART_ITEM_NOT_FOUND', `There is no item ${itemId} in your cart`, { item_id: itemId });

/** The line `itemId` of the user's cart, or undefined. */
export async function findCartItem(env: Bindings, userId: string, itemId: number) {
  return (await loadCart(env, userId)).items.find((item) => item.item_id === itemId);
}

/** The user's cart, priced (an empty one when they have none). */
export async function showCart(env: Bindings, userId: string): Promise<PricedCart> {
  return priceCart(env, await loadCart(env, userId));
}

/**
 * The cart with these quantities added: one line per product, so a product already in the
 * cart raises its line; a new product gets the next item id. The first add assigns cart_id.
 */
function withAddedQuantities(cart: StoredCart, additions: Map<number, number>): StoredCart {
  const items = cart.items.map((item) => ({ ...item }));
  let nextItemId = cart.next_item_id;
  for (const [productId, quantity] of additions) {
    const line = items.find((item) => item.product_id === productId);
    if (line) line.quantity += quantity;
    else items.push({ item_id: nextItemId++, product_id: productId, quantity });
  }
  return { ...cart, cart_id: cart.cart_id ?? newCartId(), next_item_id: nextItemId, items };
}

/** The cart with one line set to a new quantity; 0 removes the line. */
function withLineQuantity(cart: StoredCart, itemId: number, quantity: number): StoredCart {
  const items = cart.items
    .map((item) => (item.item_id === itemId ? { ...item, quantity } : item))
    .filter((item) => item.quantity > 0);
  return { ...cart, items };
}

/**
 * Adds lines to the cart, all or nothing, checking in the contract's order: every product is on
 * sale (404 PRODUCT_NOT_FOUND), the cart stays within MAX_CART_LINES (409 CART_FULL), and each
 * resulting line within MAX_LINE_QUANTITY (409 MAX_QUANTITY_EXCEEDED) and the stock.
 */
export async function addToCart(env: Bindings, userId: string, lines: { product_id: number; quantity: number }[]): Promise<PricedCart> {
  const additions = quantitiesByProduct(lines);

  const catalog = await findProductsByIds(getDb(env), [...additions.keys()]);
  for (const productId of additions.keys()) {
    const product = catalog.get(productId);
    if (!product || !isOnSale(product)) {
      throw missingError('PRODUCT_NOT_FOUND', `Product ${productId} not found`, { product_id: productId });
    }
  }

  const updated = await updateCart(env, userId, (current) => {
    const cart = withAddedQuantities(current, additions);
    if (cart.items.length > MAX_CART_LINES) {
      throw conflictError('CART_FULL', `A cart holds at most ${MAX_CART_LINES} different products`, {
        requested: cart.items.length,
        max_items: MAX_CART_LINES,
      });
    }
    for (const productId of additions.keys()) {
      const quantity = cart.items.find((item) => item.product_id === productId)!.quantity;
      if (quantity > MAX_LINE_QUANTITY) {
        throw conflictError('MAX_QUANTITY_EXCEEDED', `At most ${MAX_LINE_QUANTITY} units of one product fit in a cart`, {
          product_id: productId,
          requested: quantity,
          max_quantity: MAX_LINE_QUANTITY,
        });
      }
      assertLineCanBeBought(lineAvailability(productId, catalog.get(productId), quantity));
    }
    return cart;
  });
  return priceCart(env, updated);
}

/** Sets a line's quantity (0 removes it); above 0 it must be buyable now (409 otherwise). */
export async function setCartItemQuantity(env: Bindings, userId: string, itemId: number, quantity: number): Promise<PricedCart> {
  const updated = await updateCart(env, userId, async (cart) => {
    const line = cart.items.find((item) => item.item_id === itemId);
    if (!line) throw cartItemNotFound(itemId);
    if (quantity > 0) {
      const product = await findProductById(getDb(env), line.product_id);
      assertLineCanBeBought(lineAvailability(line.product_id, product, quantity));
    }
    return withLineQuantity(cart, itemId, quantity);
  });
  return priceCart(env, updated);
}

export async function removeCartItem(env: Bindings, userId: string, itemId: number): Promise<PricedCart> {
  const updated = await updateCart(env, userId, (cart) => {
    if (!cart.items.some((item) => item.item_id === itemId)) throw cartItemNotFound(itemId);
    return withLineQuantity(cart, itemId, 0);
  });
  return priceCart(env, updated);
}

/** The caller's current cart, or 404 CART_NOT_FOUND when `cartId` names another (an older one, say). */
export async function currentCart(env: Bindings, userId: string, cartId: number | undefined): Promise<StoredCart> {
  const cart = await loadCart(env, userId);
  if (cartId !== undefined && cartId !== cart.cart_id) {
    throw missingError('CART_NOT_FOUND', 'This is not your current cart', { cart_id: cartId });
  }
  return cart;
}

/** The priced cart and one issue per line that cannot be bought now. */
export async function cartSummary(env: Bindings, userId: string, cartId: number | undefined) {
  const priced = await priceCart(env, await currentCart(env, userId, cartId));
  const issues = priced.lines.flatMap((line) => {
    const problem = lineProblem(line);
    return problem ? [{ item_id: line.item_id, product_id: line.product_id, code: problem.code, reason: problem.reason }] : [];
  });
  return { priced, issues, readyForCheckout: priced.lines.length > 0 && issues.length === 0 };
}
