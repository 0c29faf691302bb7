import type { Db } from '../db/client';
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
