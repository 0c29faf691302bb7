import { and, asc, count, desc, eq, gt, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { chunks } from '../lib/chunks';
import { type Db, IDS_PER_STATEMENT } from './client';
import { products, type Product } from './schema';
import { codePoints } from '../lib/text';
import { isoNow, today } from '../lib/time';

/** On sale: visible and released today or earlier. Everyone but a superuser sees only these. */
export const isOnSale = (product: Product, date = today()) => product.isVisible && product.releaseDate <= date;

/** Products by id, in one query per IDS_PER_STATEMENT ids (D1's bound-parameter limit). */
export async function findProductsByIds(db: Db, ids: number[]): Promise<Map<number, Product>> {
  const unique = [...new Set(ids)];
  const found = new Map<number, Product>();
  for (const part of chunks(unique, IDS_PER_STATEMENT)) {
    const rows = await db.select().from(products).where(inArray(products.id, part));
    for (const row of rows) found.set(row.id, row);
  }
  return found;
}

export const findProductById = (db: Db, id: number): Promise<Product | undefined> =>
  db.select().from(products).where(eq(products.id, id)).get();

export const PRODUCT_SORTS = ['id', '-id', 'price', '-price', 'title', '-title', 'release_date', '-release_date'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

export interface ProductFilter {
  /** Only products on sale on this date (everyone but a superuser). */
  onSaleOn?: string;
  /**
   * Case-insensitive substring of the title or the description, every character literal.
   * From 3 characters on, letters beyond ASCII fold too (É finds é), see `matchesText`.
   */
  q?: string;
  minPrice?: number;
  maxPrice?: number;
  /** true: quantity > 0; false: quantity = 0. */
  inStock?: boolean;
}

export interface ProductPage {
  sort: ProductSort;
  limit: number;
  offset: number;
}

const SORT_COLUMNS = { id: products.id, price: products.price, title: products.title, release_date: products.releaseDate };

/**
 * `column` contains `text` literally, ASCII letters compared case-insensitively (as LIKE would).
 * `instr` rather than `LIKE '%…%'`: D1 refuses LIKE patterns over 50 bytes ("pattern too
 * complex"), which a 100-character `q` easily is, and `%`, `_` and `\` need no escaping.
 */
const containsText = (column: SQLiteColumn, text: string) => sql`instr(lower(${column}), lower(${text})) > 0`;

/** The trigram tokenizer indexes 3-character runs: a shorter phrase matches no row at all. */
const TRIGRAM_LENGTH = 3;

/**
 * An FTS5 query matching `text` literally: one quoted phrase (inside which only `"` is special,
 * escaped by doubling), so operators like OR, NEAR( or * are plain text.
 */
const ftsPhrase = (text: string) => `"${text.replaceAll('"', '""')}"`;

/**
 * The product's title or description contains `text`, case-insensitively.
 *
 * From 3 characters on this is a lookup in products_fts (migration 0003), a trigram index,
 * instead of a scan of every product. Its case folding is Unicode's rather than ASCII's, so
 * such a `text` also finds "éclair" in "ÉCLAIR". Shorter text cannot be looked up in trigrams
 * and is scanned for. FTS5 reads its query as a C string, so a NUL would cut the phrase
 * short (an FTS5 syntax error): such text, which no one types, is scanned for too.
 */
function matchesText(text: string): SQL {
  if (codePoints(text) >= TRIGRAM_LENGTH && !text.includes('\0')) {
    return sql`${products.id} IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ${ftsPhrase(text)})`;
  }
  return sql`(${containsText(products.title, text)} OR ${containsText(products.description, text)})`;
}

function filterConditions(filter: ProductFilter, releaseDateIsSortKey: boolean): SQL[] {
  const conditions: SQL[] = [];
  if (filter.onSaleOn !== undefined) {
    conditions.push(eq(products.isVisible, true));
    // Most visible products are already released: telling the planner so lets it walk an
    // index in the requested order (products_visible_*_idx) instead of sorting the range
    // it would otherwise take from products_on_sale_idx.
    conditions.push(
      releaseDateIsSortKey
        ? lte(products.releaseDate, filter.onSaleOn)
        : sql`likelihood(${products.releaseDate} <= ${filter.onSaleOn}, 0.9)`,
    );
  }
  if (filter.q) conditions.push(matchesText(filter.q));
  if (filter.minPrice !== undefined) conditions.push(gte(products.price, filter.minPrice));
  if (filter.maxPrice !== undefined) conditions.push(lte(products.price, filter.maxPrice));
  if (filter.inStock === true) conditions.push(gt(products.quantity, 0));
  if (filter.inStock === false) conditions.push(eq(products.quantity, 0));
  return conditions;
}

/**
 * The two queries behind `GET /products`: the page, ordered by the sort key with the id as
 * tie-breaker in the same direction (so one index walk serves both), and the total count.
 * Exposed for the query-plan test.
 */
export function productListingQueries(db: Db, filter: ProductFilter, page: ProductPage) {
  const key = page.sort.replace(/^-/, '') as keyof typeof SORT_COLUMNS;
  const direction = page.sort.startsWith('-') ? desc : asc;
  const orderBy = key === 'id' ? [direction(products.id)] : [direction(SORT_COLUMNS[key]), direction(products.id)];
  const pageQuery = db
    .select()
    .from(products)
    .where(and(...filterConditions(filter, key === 'release_date')))
    .orderBy(...orderBy)
    .limit(page.limit)
    .offset(page.offset);
  const countQuery = db
    .select({ total: count() })
    .from(products)
    .where(and(...filterConditions(filter, true)));
  return { pageQuery, countQuery };
}

/** One page of products and the number of products matching the filter, read together. */
export async function listProducts(db: Db, filter: ProductFilter, page: ProductPage): Promise<{ rows: Product[]; total: number }> {
  const { pageQuery, countQuery } = productListingQueries(db, filter, page);
  const [rows, totals] = await db.batch([pageQuery, countQuery]);
  return { rows, total: totals[0]?.total ?? 0 };
}

export type NewProduct = Pick<typeof products.$inferInsert, 'title' | 'description' | 'price' | 'releaseDate' | 'quantity' | 'isVisible'>;

export async function insertProduct(db: Db, values: NewProduct): Promise<Product> {
  const now = isoNow();
  const [row] = await db.insert(products).values({ ...values, createdAt: now, updatedAt: now }).returning();
  return row!;
}

/** Applies the given changes and bumps updated_at; undefined when there is no such product. */
export async function updateProduct(db: Db, id: number, changes: Partial<NewProduct>): Promise<Product | undefined> {
  const [row] = await db
    .update(products)
    .set({ ...changes, updatedAt: isoNow() })
    .where(eq(products.id, id))
    .returning();
  return row;
}

/** Deletes a product; false when there was none. Order lines keep their own copies. */
export async function deleteProduct(db: Db, id: number): Promise<boolean> {
  const deleted = await db.delete(products).where(eq(products.id, id)).returning({ id: products.id });
  return deleted.length > 0;
}
