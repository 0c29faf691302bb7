import { inArray } from 'drizzle-orm';
import type { Db } from './client';
import { products, type Product } from './schema';
import { today } from '../lib/time';

/** On sale: visible and released today or earlier. Everyone but a superuser sees only these. */
export const isOnSale = (product: Product, date = today()) => product.isVisible && product.releaseDate <= date;

/** Products by id, in one query per 100 ids (D1's bound-parameter limit). */
export async function findProductsByIds(db: Db, ids: number[]): Promise<Map<number, Product>> {
  const unique = [...new Set(ids)];
  const found = new Map<number, Product>();
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await db.select().from(products).where(inArray(products.id, unique.slice(i, i + 90)));
    for (const row of rows) found.set(row.id, row);
  }
  return found;
}
