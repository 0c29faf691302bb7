import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { getDb } from '../../src/db/client';
import { type Product, products } from '../../src/db/schema';
import { today } from '../../src/lib/time';
import { renewCatalogGeneration } from '../../src/middleware/edge-cache';

let tagCounter = 0;
/** A marker no other test uses: put it in titles and filter listings by it (`q=`). */
export const uniqueTag = () => `tag${Date.now().toString(36)}${(tagCounter++).toString(36)}${Math.random().toString(36).slice(2, 7)}`;

/** A date `days` from today (UTC), `YYYY-MM-DD`. */
export const daysFromToday = (days: number) => today(new Date(Date.now() + days * 86_400_000));

/** A product straight in D1, with a unique title: on sale (visible, released yesterday) unless told otherwise. */
export async function seedProduct(fields: Partial<typeof products.$inferInsert> = {}): Promise<Product> {
  const [row] = await getDb(env)
    .insert(products)
    .values({
      title: `Product ${uniqueTag()}`,
      description: 'Seeded for a test',
      price: 10_000,
      releaseDate: daysFromToday(-1),
      quantity: 10,
      isVisible: true,
      ...fields,
    })
    .returning();
  return row!;
}

/**
 * Seeds and other writes straight to D1 go round the API, so the edge cache does not learn of
 * them (it would for up to max-age in production): a test that changes D1 itself and then reads
 * the catalog anonymously, or that measures what a catalog read costs in D1, forgets first.
 */
export const forgetCachedCatalog = () => renewCatalogGeneration('http://localhost');

export const storedProduct = (id: number) => getDb(env).select().from(products).where(eq(products.id, id)).get();

export const stockOf = async (productId: number) => (await storedProduct(productId))?.quantity;

/** The contract's product object for a stored row. */
export const productJson = (row: Product) => ({
  id: row.id,
  title: row.title,
  description: row.description,
  price: row.price,
  currency: 'INR',
  release_date: row.releaseDate,
  quantity: row.quantity,
  is_visible: row.isVisible,
  created_at: row.createdAt,
  updated_at: row.updatedAt,
});

/**
 * Products `from`–`to` of a catalog straight in D1, in one INSERT … SELECT over a recursive CTE:
 * prices spread over 0–499,999, a seventh out of stock, a tenth hidden, a twentieth released in
 * 2099, a few released today or yesterday, the rest on one date (a long run of equal keys).
 */
export async function seedCatalog(from: number, to: number): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO products (title, description, price, release_date, quantity, is_visible)
     WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
     SELECT 'Oak Mug ' || i, 'Handmade oak mug ' || i, (i * 7919) % 500000,
       CASE WHEN i % 20 = 0 THEN '2099-01-01' WHEN i % 97 = 0 THEN ?3 WHEN i % 89 = 0 THEN ?4 ELSE '2025-01-01' END,
       i % 7, i % 10 != 0
     FROM n`,
  )
    .bind(from, to, today(), daysFromToday(-1))
    .run();
}
