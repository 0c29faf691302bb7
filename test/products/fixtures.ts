import { env } from 'cloudflare:workers';
import { getDb } from '../../src/db/client';
import { products } from '../../src/db/schema';
import { today } from '../../src/lib/time';

let tagCounter = 0;
/** A marker no other test uses: put it in titles and filter listings by it (`q=`). */
export const uniqueTag = () => `tag${Date.now().toString(36)}${(tagCounter++).toString(36)}${Math.random().toString(36).slice(2, 7)}`;

/** A date `days` from today (UTC), `YYYY-MM-DD`. */
export const daysFromToday = (days: number) => today(new Date(Date.now() + days * 86_400_000));

/** A product straight in D1 (on sale unless told otherwise). */
export async function seedProduct(fields: Partial<typeof products.$inferInsert> = {}) {
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

/** The contract's product object for a stored row. */
export const productJson = (row: typeof products.$inferSelect) => ({
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
