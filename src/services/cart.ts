import type { Db } from '../db/client';
import type { ErrorDetail } from '../lib/errors';
import type { StoredCart } from '../db/carts';
import { findProductsByIds, isOnSale } from '../db/products';

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

/** Prices a stored cart from the catalog as it is now: KV holds only ids and quantities. */
export async function priceCart(db: Db, cart: StoredCart): Promise<PricedCart> {
  const catalog = await findProductsByIds(db, cart.items.map((item) => item.product_id));
  const lines = cart.items.map((item): PricedLine => {
    const product = catalog.get(item.product_id);
    const available = product !== undefined && isOnSale(product);
    const unitPrice = product?.price ?? 0;
    return {
      item_id: item.item_id,
      product_id: item.product_id,
      title: product?.title ?? null,
      unit_price: unitPrice,
      quantity: item.quantity,
      line_total: available ? unitPrice * item.quantity : 0,
      available,
      stock: product?.quantity ?? 0,
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
export type LineProblem = Extract<ErrorDetail, { code: string }> & { code: 'PRODUCT_UNAVAILABLE' | 'INSUFFICIENT_STOCK'; product_id: number };

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
