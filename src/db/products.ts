import { and, asc, count, desc, eq, gt, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { chunks } from '../lib/chunks';
import { type Db, IDS_PER_STATEMENT } from './client';
import { catalogCountsAsOf, products, type Product } from './schema';
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

/** The filters a query may look up in an index; the others are checked on the rows it reaches. */
interface IndexedFilters {
  /** false: not even is_visible (a text search's count). */
  onSale?: boolean;
  releaseDate: boolean;
  price: boolean;
}

function filterConditions(filter: ProductFilter, indexed: IndexedFilters): SQL[] {
  const conditions: SQL[] = [];
  if (filter.onSaleOn !== undefined && indexed.onSale === false) {
    // `+column` keeps the planner off their indexes: a text search's count starts from its matches.
    conditions.push(sql`+${products.isVisible} = 1`, sql`+${products.releaseDate} <= ${filter.onSaleOn}`);
  } else if (filter.onSaleOn !== undefined) {
    conditions.push(eq(products.isVisible, true));
    // Most visible products are already released: telling the planner so lets it walk an
    // index in the requested order (products_visible_*_idx) instead of sorting the range
    // it would otherwise take from products_on_sale_idx.
    conditions.push(
      indexed.releaseDate
        ? lte(products.releaseDate, filter.onSaleOn)
        : sql`likelihood(${products.releaseDate} <= ${filter.onSaleOn}, 0.9)`,
    );
  }
  if (filter.q) conditions.push(matchesText(filter.q));
  // `+price` keeps the planner off the price indexes, so it walks the sort's index instead.
  // With it, the price range is said to be narrow, so the planner takes it from a price index.
  const price = indexed.price ? sql`${products.price}` : sql`+${products.price}`;
  const priceTerm = (term: SQL) => (indexed.price ? sql`likelihood(${term}, 0.01)` : term);
  if (filter.minPrice !== undefined) conditions.push(priceTerm(sql`${price} >= ${filter.minPrice}`));
  if (filter.maxPrice !== undefined) conditions.push(priceTerm(sql`${price} <= ${filter.maxPrice}`));
  // Written as the expression the in-stock indexes hold (migration 0007), so a page of either
  // stock state walks only its own products.
  if (filter.inStock !== undefined) conditions.push(sql`(${products.quantity} > 0) = ${filter.inStock ? 1 : 0}`);
  return conditions;
}

/** product_counts' levels: at level L a bucket holds the prices p with p >> 3L = bucket (migration 0005). */
const COUNT_LEVELS = 15;
const BUCKET_FANOUT = 8;
/** Above every price: 2^53 - 1 sits on a bucket boundary at every level. */
const NO_MAX_PRICE = Number.MAX_SAFE_INTEGER;

/**
 * The price range [min, max] as product_counts buckets: per level, the partial runs at either
 * end (at most 7 buckets each), the whole parents between them left to the level above.
 */
export function priceBuckets(min: number, max: number): { level: number; from: number; to: number }[] {
  const runs: { level: number; from: number; to: number }[] = [];
  let [from, to] = [min, max];
  for (let level = 0; from <= to; level++) {
    const firstWholeParent = Math.ceil(from / BUCKET_FANOUT);
    const lastWholeParent = Math.floor((to + 1) / BUCKET_FANOUT) - 1;
    if (level === COUNT_LEVELS - 1 || firstWholeParent > lastWholeParent) {
      runs.push({ level, from, to });
      break;
    }
    if (from < firstWholeParent * BUCKET_FANOUT) runs.push({ level, from, to: firstWholeParent * BUCKET_FANOUT - 1 });
    if ((lastWholeParent + 1) * BUCKET_FANOUT <= to) runs.push({ level, from: (lastWholeParent + 1) * BUCKET_FANOUT, to });
    [from, to] = [firstWholeParent, lastWholeParent];
  }
  return runs;
}

/**
 * The exact number of products matching a filter without `q`, read from product_counts
 * (at most 7 buckets a side per level and stock state: a few hundred rows at worst, however
 * large the catalog) instead of from the products. The `on_sale` scope holds the products
 * released by catalog_counts_as_of.released_by; the products released since (or, should the
 * clock ever be behind it, not yet released today) are added (taken away) from products.
 */
function maintainedCountQuery(db: Db, filter: ProductFilter) {
  const min = filter.minPrice ?? 0;
  const max = filter.maxPrice ?? NO_MAX_PRICE;
  const scope = filter.onSaleOn === undefined ? 'all' : 'on_sale';
  const stock = filter.inStock === undefined ? '0, 1' : filter.inStock ? '1' : '0';
  // Every number below is a validated integer of this code's own making: inlined, not bound,
  // because up to 2 × 15 bucket runs would pass D1's limit of 100 bound parameters.
  const runs = min > max ? [] : priceBuckets(min, max);
  // One join of the runs (a VALUES list) with product_counts: a range of its primary key per run.
  // A sub-select per run reads the same rows but costs D1 several times as much to prepare.
  // CROSS JOIN keeps the runs outside: SQLite never reorders it into a scan of product_counts.
  const values = runs.map(({ level, from, to }) => `(${level}, ${from}, ${to})`).join(', ');
  const counted = sql.raw(
    runs.length
      ? `(SELECT coalesce(sum(c.n), 0) FROM (VALUES ${values}) AS r CROSS JOIN product_counts c ON c.scope = '${scope}'` +
          ` AND c.in_stock IN (${stock}) AND c.level = r.column1 AND c.bucket BETWEEN r.column2 AND r.column3)`
      : '0',
  );
  // Every product of the scope, which the sort's index walks past: see listProducts.
  const scopeTotal = sql<number>`(SELECT coalesce(sum(n), 0) FROM product_counts WHERE scope = ${scope} AND in_stock IN (0, 1) AND level = ${COUNT_LEVELS - 1})`;
  if (filter.onSaleOn === undefined) {
    return db.select({ total: sql<number>`${counted}`.as('total'), scopeTotal }).from(catalogCountsAsOf).where(eq(catalogCountsAsOf.id, 1));
  }
  const asOf = catalogCountsAsOf.releasedBy;
  const releasedSince = db
    .select({ n: sql<number>`coalesce(sum(CASE WHEN ${products.releaseDate} > ${asOf} THEN 1 ELSE -1 END), 0)` })
    .from(products)
    .where(
      and(
        eq(products.isVisible, true),
        sql`${products.releaseDate} > min(${asOf}, ${filter.onSaleOn})`,
        sql`${products.releaseDate} <= max(${asOf}, ${filter.onSaleOn})`,
        ...filterConditions({ minPrice: filter.minPrice, maxPrice: filter.maxPrice, inStock: filter.inStock }, { releaseDate: true, price: false }),
      ),
    );
  return db
    .select({ total: sql<number>`${counted} + (${releasedSince})`.as('total'), scopeTotal })
    .from(catalogCountsAsOf)
    .where(eq(catalogCountsAsOf.id, 1));
}

/**
 * The two queries behind `GET /products`: the page, ordered by the sort key with the id as
 * tie-breaker in the same direction (so one index walk serves both), and the total count
 * (from product_counts, or, for a text search, from its matches). `lookUpPrice`: the page
 * takes a price range from a price index and sorts it, instead of walking the sort's index
 * (see listProducts). Exposed for the query-plan test.
 */
export function productListingQueries(db: Db, filter: ProductFilter, page: ProductPage, options: { lookUpPrice?: boolean } = {}) {
  const key = page.sort.replace(/^-/, '') as keyof typeof SORT_COLUMNS;
  const direction = page.sort.startsWith('-') ? desc : asc;
  const orderBy = key === 'id' ? [direction(products.id)] : [direction(SORT_COLUMNS[key]), direction(products.id)];
  // A text search starts from its matches (products_fts), whatever the sort.
  const indexed = {
    releaseDate: key === 'release_date' && !filter.q,
    price: key === 'price' || options.lookUpPrice === true,
  };
  const where = and(...filterConditions(filter, indexed));
  const pageQuery = db.select().from(products).where(where).orderBy(...orderBy).limit(page.limit).offset(page.offset);
  const countQuery = filter.q
    ? db
        .select({ total: count(), scopeTotal: sql<number>`null` })
        .from(products)
        .where(and(...filterConditions(filter, { onSale: false, releaseDate: false, price: false })))
    : maintainedCountQuery(db, filter);
  return { pageQuery, countQuery };
}

/** Pages starting deeper than this seek their start in catalog_fences; shallower ones walk from the first match. */
const SEEK_BEYOND = 200;

type SortKey = keyof typeof SORT_COLUMNS;
const sortKeyOf = (sort: ProductSort) => sort.replace(/^-/, '') as SortKey;

/**
 * Where a deep page starts: `k`/`id` bound the walk in the page's direction (from (k, id) on,
 * or, descending, below it; null: from the first product), `skip` is how many matches the walk
 * passes before the page. Null when the page lies past the last match.
 */
interface PageStart {
  k: number | string | null;
  id: number | null;
  skip: number;
}

/** The fence column that counts `filter`'s products: per scope (product_counts' two) and stock state. */
function fenceCount(filter: ProductFilter): SQL {
  const scope = filter.onSaleOn === undefined ? 'all' : 'sale';
  if (filter.inStock === undefined) return sql.raw(`(${scope}_out + ${scope}_in)`);
  return sql.raw(filter.inStock ? `${scope}_in` : `${scope}_out`);
}

/**
 * One statement finding a deep page's start (see catalogFences in schema.ts). Ranks count from
 * the page's end of the order: ascending, a fence's `before` is the matches in the fences below it;
 * descending, its `after` is those in the fences above it. The level-1 fence whose group holds
 * rank `goal`, then the level-0 fence in it whose segment does, then the matches in that segment
 * before the page: at most a segment (200 products) to walk, however deep the page.
 *
 * For the public catalog the fences count what was on sale by catalog_counts_as_of.released_by,
 * as product_counts does: `moved` holds the products whose on-sale state changed since (visible,
 * released between then and today; a few minutes' worth), by which ranks are corrected. The fence
 * is chosen as if all of them lay before it (`ahead`), so the walk never has to go back.
 *
 * A price range on a price sort is a run of the order: its rank 0 is the count of matches below
 * the range (from product_counts), the `edge`.
 */
function pageStartQuery(db: Db, filter: ProductFilter, page: ProductPage) {
  const key = sortKeyOf(page.sort);
  const descending = page.sort.startsWith('-');
  const column = SORT_COLUMNS[key];
  const n = fenceCount(filter);
  const stock = and(...filterConditions({ inStock: filter.inStock }, { releaseDate: true, price: false }));
  const moved =
    filter.onSaleOn === undefined
      ? sql`SELECT NULL AS k, NULL AS id, 0 AS delta WHERE 0`
      : sql`SELECT ${column} AS k, ${products.id} AS id,
          CASE WHEN ${products.releaseDate} > (SELECT released_by FROM catalog_counts_as_of WHERE id = 1) THEN 1 ELSE -1 END AS delta
        FROM ${products}
        WHERE ${products.isVisible} = 1
          AND ${products.releaseDate} > min((SELECT released_by FROM catalog_counts_as_of WHERE id = 1), ${filter.onSaleOn})
          AND ${products.releaseDate} <= max((SELECT released_by FROM catalog_counts_as_of WHERE id = 1), ${filter.onSaleOn})
          ${stock ? sql`AND ${stock}` : sql``}`;
  const outside = descending
    ? key === 'price' && filter.maxPrice !== undefined && { minPrice: filter.maxPrice + 1 }
    : key === 'price' && filter.minPrice !== undefined && filter.minPrice > 0 && { maxPrice: filter.minPrice - 1 };
  const edge = outside
    ? sql`(SELECT total FROM (${maintainedCountQuery(db, { onSaleOn: filter.onSaleOn, inStock: filter.inStock, ...outside })}))`
    : sql`0`;
  // Ranks are counted upwards: descending, the page's rank t is rank total - 1 - t upwards. The
  // fence wanted is the one whose segment holds that rank (before <= rank < before + n): the
  // windows run in the primary key's order (a group's level-0 fences come in three ranges, which
  // SQLite sorts and merges: at most 80 rows). `goal` is read once, by l1, and its
  // figures travel on as columns: SQLite expands a CTE again for every reference, which costs D1
  // more to prepare than the statement costs to run.
  const rank = descending ? sql`total - 1 - (t - ahead)` : sql`t - ahead`;
  const start = descending
    ? sql`SELECT f.nk AS k, f.nid AS id,
        f.t - (f.total - f.before - f.n) - (SELECT coalesce(sum(delta), 0) FROM moved WHERE moved.k > f.nk OR (moved.k = f.nk AND moved.id >= f.nid)) AS skip
      FROM f`
    : sql`SELECT f.k AS k, f.id AS id,
        f.t - f.before - (SELECT coalesce(sum(delta), 0) FROM moved WHERE moved.k < f.k OR (moved.k = f.k AND moved.id < f.id)) AS skip
      FROM f`;
  // SQLite seeks a row value on its first column only, and a run of equal keys (one release
  // date) can hold every fence of a sort: each (k, id) range below is index ranges of one key
  // (from its id) and of the keys beyond, so it reads only the fences it returns. (Window
  // functions that buffer their rows, lead() or sum() OVER (), would read each row again.)
  // The fence after the chosen one: the next of its key's run, else the first of a greater key
  // (there always is one: the sentinel above every key).
  const next = (level: number, of: string) => {
    const fences = `catalog_fences n WHERE n.sort = '${key}' AND n.level = ${level}`;
    const pick = (column: string) =>
      `coalesce((SELECT n.${column} FROM ${fences} AND n.k = ${of}.k AND n.id > ${of}.id ORDER BY n.id LIMIT 1),` +
      ` (SELECT n.${column} FROM ${fences} AND n.k > ${of}.k ORDER BY n.k, n.id LIMIT 1)) AS n${column}`;
    return sql.raw(['k', 'id'].map(pick).join(', '));
  };
  // The level-0 fences of group g: from (g.k, g.id) up to, not including, (g.nk, g.nid). Every
  // bound is one the index range can use (a CASE, not an OR), so a group inside one key's run
  // reads only its own fences of the run.
  const groupFences = (where: string) =>
    sql`SELECT c.k AS k, c.id AS id, ${n} AS n, g.before AS g_before, g.total AS total, g.t AS t, g.rank AS rank
      FROM g CROSS JOIN catalog_fences c WHERE c.sort = ${key} AND c.level = 0 AND ${sql.raw(where)}`;
  const statement = sql`WITH
    moved AS MATERIALIZED (${moved}),
    goal AS MATERIALIZED (SELECT ${page.offset} + ${edge} AS t, (SELECT count(*) FROM moved WHERE delta = 1) AS ahead),
    l1 AS (SELECT k, id, ${n} AS n, sum(${n}) OVER up - ${n} AS before,
        (SELECT sum(${n}) FROM catalog_fences WHERE sort = ${key} AND level = 1) AS total, goal.t AS t, goal.ahead AS ahead
      FROM goal CROSS JOIN catalog_fences WHERE sort = ${key} AND level = 1 WINDOW up AS (ORDER BY k, id ROWS UNBOUNDED PRECEDING)),
    g0 AS MATERIALIZED (SELECT *, ${rank} AS rank FROM l1 WHERE before <= ${rank} AND before + n > ${rank} LIMIT 1),
    g AS MATERIALIZED (SELECT g0.*, ${next(1, 'g0')} FROM g0),
    l0 AS (SELECT k, id, n, g_before + sum(n) OVER up - n AS before, total, t, rank
      FROM (${groupFences(`c.k = g.k AND c.id >= g.id AND c.id < CASE WHEN g.k < g.nk THEN ${Number.MAX_SAFE_INTEGER} ELSE g.nid END`)}
        UNION ALL ${groupFences('c.k > g.k AND c.k < g.nk')}
        UNION ALL ${groupFences('c.k = CASE WHEN g.nk > g.k THEN g.nk END AND c.id < g.nid')})
      WINDOW up AS (ORDER BY k, id ROWS UNBOUNDED PRECEDING)),
    f0 AS MATERIALIZED (SELECT * FROM l0 WHERE before <= rank AND before + n > rank LIMIT 1),
    f AS MATERIALIZED (SELECT f0.*, ${next(0, 'f0')} FROM f0)
  ${start}`;
  // A select over the statement rather than db.all(): Drizzle's D1 batch cannot bind a raw query's parameters.
  return db.select({ k: sql<PageStart['k']>`k`, id: sql<number | null>`id`, skip: sql<number>`skip` }).from(sql`(${statement}) AS start`);
}

/** The sentinels (k = -1 below every key, a blob above) bound nothing: the walk starts at the first or the last product. */
const isBound = (k: unknown): k is number | string => (typeof k === 'number' && k >= 0) || typeof k === 'string';

/**
 * The page from its start: two index ranges in the page's order (the run of the start key from
 * its id, then the keys beyond it), merged by SQLite, skipping `skip` matches. A price bound of
 * the filter that the start already passes is left out, so the price index range starts at the
 * start key rather than at the bound.
 */
export function pageFromQuery(db: Db, filter: ProductFilter, page: ProductPage, start: PageStart) {
  const key = sortKeyOf(page.sort);
  const descending = page.sort.startsWith('-');
  const column = SORT_COLUMNS[key];
  const direction = descending ? desc : asc;
  const orderBy = key === 'id' ? [direction(products.id)] : [direction(column), direction(products.id)];
  const indexed = { releaseDate: key === 'release_date', price: key === 'price' };
  let bound = isBound(start.k) && start.id !== null ? { k: start.k, id: start.id } : undefined;
  let skip = start.skip;
  let rest = filter;
  if (key === 'price') {
    const priceBound = descending ? filter.maxPrice : filter.minPrice;
    if (priceBound !== undefined && (!bound || (descending ? Number(bound.k) > priceBound : Number(bound.k) < priceBound))) {
      // The start lies outside the range: the range's own end is nearer, and the page starts at its rank 0.
      bound = undefined;
      skip = page.offset;
    } else if (bound) {
      rest = descending ? { ...filter, maxPrice: undefined } : { ...filter, minPrice: undefined };
    }
  }
  const extra: SQL[] = [];
  if (key === 'release_date' && descending && bound && filter.onSaleOn !== undefined) {
    // Two upper bounds on release_date would leave SQLite to pick one, perhaps today's, above
    // the start: keep the lower of the two.
    if (String(bound.k) > filter.onSaleOn) bound = undefined;
    else {
      rest = { ...rest, onSaleOn: undefined };
      extra.push(eq(products.isVisible, true));
    }
  }
  const where = (...more: SQL[]) => and(...filterConditions(rest, indexed), ...extra, ...more);
  if (!bound) return db.select().from(products).where(where()).orderBy(...orderBy).limit(page.limit).offset(skip);
  const [sameKey, beyond] = descending ? [lt, lt] : [gte, gt];
  if (key === 'id') {
    return db.select().from(products).where(where(sameKey(products.id, bound.id))).orderBy(...orderBy).limit(page.limit).offset(skip);
  }
  return db
    .select()
    .from(products)
    .where(where(eq(column, bound.k), sameKey(products.id, bound.id)))
    .unionAll(db.select().from(products).where(where(beyond(column, bound.k))))
    .orderBy(...orderBy)
    .limit(page.limit)
    .offset(skip);
}

/**
 * One page of products and the number of products matching the filter. Usually one batch.
 *
 * A page deeper than SEEK_BEYOND (any sort, stock state and scope, and a price range on a price
 * sort) first finds its start in catalog_fences, in the batch that counts, then walks at most a
 * segment to it: two round trips, a few hundred rows, at any depth.
 *
 * A price range with another sort has two ways to the page: walk the sort's index, checking
 * prices, until offset + limit matches are found (about (offset + limit) × scope / matches
 * rows), or take the range from a price index and sort it (about matches rows). The count,
 * read first, says which reads fewer: the worst case is about √((offset + limit) × scope).
 */
export async function listProducts(db: Db, filter: ProductFilter, page: ProductPage): Promise<{ rows: Product[]; total: number }> {
  const { pageQuery, countQuery } = productListingQueries(db, filter, page);
  const priceRange = filter.minPrice !== undefined || filter.maxPrice !== undefined;
  const priceSort = sortKeyOf(page.sort) === 'price';
  if (!filter.q && (!priceRange || priceSort) && page.offset > SEEK_BEYOND) {
    const [totals, starts] = await db.batch([countQuery, pageStartQuery(db, filter, page)]);
    const total = totals[0]?.total ?? 0;
    const start = starts[0];
    if (page.offset >= total || !start) return { rows: [], total };
    return { rows: await pageFromQuery(db, filter, page, start), total };
  }
  if (!priceRange || filter.q || priceSort) {
    const [rows, totals] = await db.batch([pageQuery, countQuery]);
    return { rows, total: totals[0]?.total ?? 0 };
  }
  const counted = await countQuery.get();
  const total = counted?.total ?? 0;
  const end = page.offset + page.limit;
  const lookUpPrice = total * total <= end * (counted?.scopeTotal ?? 0);
  const rows = await productListingQueries(db, filter, page, { lookUpPrice }).pageQuery;
  return { rows, total };
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

/**
 * Moves catalog_counts_as_of.released_by on to `date` (never back); its trigger (migration
 * 0005) adds the visible products released since to product_counts' `on_sale` scope in the same
 * statement. The cron runs it every few minutes, so a count never has more than a few minutes'
 * releases to add from products.
 */
export async function advanceCatalogCounts(db: Db, date: string): Promise<void> {
  await db.update(catalogCountsAsOf).set({ releasedBy: date }).where(and(eq(catalogCountsAsOf.id, 1), lt(catalogCountsAsOf.releasedBy, date)));
}

