import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { advanceCatalogCounts, priceBuckets } from '../../src/db/products';
import { today } from '../../src/lib/time';
import { apiWithLog, daysFromToday, forgetCachedCatalog, seedCatalog, seedSuperuser } from '../support';

/** As many products as stay quick to seed in workerd: one INSERT … SELECT over a recursive CTE. */
const CATALOG = 5_000;

/** The WHERE clause of `params`, the slow way: straight from products, no index hints. */
function naiveWhere(params: URLSearchParams, superuser: boolean): { where: string; binds: unknown[] } {
  const where = ['1 = 1'];
  const binds: unknown[] = [];
  if (!superuser) {
    where.push('is_visible = 1 AND release_date <= ?');
    binds.push(today());
  }
  if (params.has('min_price')) {
    where.push('price >= ?');
    binds.push(Number(params.get('min_price')));
  }
  if (params.has('max_price')) {
    where.push('price <= ?');
    binds.push(Number(params.get('max_price')));
  }
  if (params.get('in_stock') === 'true') where.push('quantity > 0');
  if (params.get('in_stock') === 'false') where.push('quantity = 0');
  return { where: where.join(' AND '), binds };
}

/** What X-Total-Count must say, counted the slow way straight from products. */
async function expectedTotal(params: URLSearchParams, superuser: boolean): Promise<number> {
  const { where, binds } = naiveWhere(params, superuser);
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM products WHERE ${where}`)
    .bind(...binds)
    .first<{ n: number }>();
  return row!.n;
}

const SORTS = ['id', '-id', 'price', '-price', 'title', '-title', 'release_date', '-release_date'];
const FILTERS = [
  '',
  'in_stock=true',
  'in_stock=false',
  'min_price=1000',
  'max_price=250000',
  'min_price=12345&max_price=98765',
  'min_price=12345&max_price=98765&in_stock=true',
  'min_price=0&max_price=0',
  'min_price=500&max_price=400',
  'min_price=499999',
];
/** The list shapes: every sort and filter, and offsets into the first pages. */
const SHAPES = [
  ...SORTS.map((sort) => `sort=${sort}`),
  ...FILTERS.map((filter) => filter),
  ...SORTS.flatMap((sort) => ['in_stock=true', 'min_price=1000&max_price=200000'].map((filter) => `sort=${sort}&${filter}`)),
  'offset=100',
  'sort=-price&in_stock=true&offset=200&limit=100',
];

/** The ids the page must hold: the naive query, sorted by the key and then the id in the same direction. */
async function expectedIds(params: URLSearchParams, superuser: boolean): Promise<number[]> {
  const { where, binds } = naiveWhere(params, superuser);
  const sort = params.get('sort') ?? 'id';
  const direction = sort.startsWith('-') ? 'DESC' : 'ASC';
  const key = sort.replace(/^-/, '');
  const order = key === 'id' ? `id ${direction}` : `${key} ${direction}, id ${direction}`;
  const { results } = await env.DB.prepare(`SELECT id FROM products WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
    .bind(...binds, Number(params.get('limit') ?? 20), Number(params.get('offset') ?? 0))
    .all<{ id: number }>();
  return results.map((row) => row.id);
}

/** Deep pages: every sort and stock state, price ranges on the price sorts, near the start, the middle and the end. */
const DEEP_SHAPES = [
  ...SORTS.flatMap((sort) =>
    ['', '&in_stock=true', '&in_stock=false'].flatMap((stock) => [201, 2_222, 3_500].map((offset) => `sort=${sort}${stock}&offset=${offset}`)),
  ),
  ...['price', '-price'].flatMap((sort) =>
    ['min_price=12345&max_price=398765', 'min_price=100000', 'max_price=300000&in_stock=false'].flatMap((range) =>
      [250, 1_500].map((offset) => `sort=${sort}&${range}&offset=${offset}`),
    ),
  ),
  'sort=title&offset=4400&limit=100',
  'sort=-release_date&offset=4000&limit=100',
  'offset=4600',
  'offset=9999',
];

let adminToken: string;
beforeAll(async () => {
  await seedCatalog(1, CATALOG);
  adminToken = (await seedSuperuser()).token;
});

describe(`the catalog's D1 cost at ${CATALOG.toLocaleString('en')} products`, () => {
  // What D1 reads is measured, not what the edge cache answers.
  beforeEach(forgetCachedCatalog);

  for (const [caller, superuser] of [
    ['anonymous', false],
    ['superuser', true],
  ] as const) {
    it(`answers every list shape with an exact X-Total-Count, reading fewer than 500 rows (${caller})`, async () => {
      for (const shape of SHAPES) {
        const res = await apiWithLog('GET', `/products?${shape}`, superuser ? { token: adminToken } : {});
        expect(res.status, shape).toBe(200);
        expect(Number(res.headers.get('x-total-count')), shape).toBe(await expectedTotal(new URLSearchParams(shape), superuser));
        expect(res.log.d1.rows_read, shape).toBeLessThan(500);
      }
    });
  }

  for (const [caller, superuser] of [
    ['anonymous', false],
    ['superuser', true],
  ] as const) {
    it(`answers deep pages of every sort and stock state with the naive query's products, reading fewer than 600 rows (${caller})`, async () => {
      for (const shape of DEEP_SHAPES) {
        const params = new URLSearchParams(shape);
        const res = await apiWithLog('GET', `/products?${shape}`, superuser ? { token: adminToken } : {});
        expect(res.status, shape).toBe(200);
        expect(
          res.body.map((product: { id: number }) => product.id),
          shape,
        ).toEqual(await expectedIds(params, superuser));
        expect(Number(res.headers.get('x-total-count')), shape).toBe(await expectedTotal(params, superuser));
        expect(res.log.d1.rows_read, shape).toBeLessThan(600);
      }
    });
  }

  it('reads fewer than 200 rows for the default catalog page', async () => {
    const res = await apiWithLog('GET', '/products');
    expect(res.body).toHaveLength(20);
    expect(res.log.d1).toMatchObject({ calls: 1, rows_written: 0 });
    expect(res.log.d1.rows_read).toBeLessThan(200);
  });

  it('reads no more than the matches plus the page for a text search', async () => {
    const res = await apiWithLog('GET', '/products?q=mug%20123');
    // "mug 123" matches Oak Mug 123 and 1230–1239 (11 products), not all on sale.
    expect(Number(res.headers.get('x-total-count'))).toBe(await countMatching('mug 123'));
    expect(res.log.d1.rows_read).toBeLessThan(200);
  });
});

async function countMatching(text: string): Promise<number> {
  const row = await env.DB.prepare(
    `SELECT count(*) AS n FROM products WHERE is_visible = 1 AND release_date <= ?1 AND (instr(lower(title), ?2) > 0 OR instr(lower(description), ?2) > 0)`,
  )
    .bind(today(), text)
    .first<{ n: number }>();
  return row!.n;
}

describe('the maintained counts', () => {
  const shapes = ['', 'in_stock=true', 'in_stock=false', 'min_price=1000&max_price=200000', 'min_price=7919&max_price=7919&in_stock=true'];
  /** Deep pages, whose start the fences find: they must follow every change too. */
  const deepShapes = ['offset=3000', 'sort=-title&in_stock=false&offset=400', 'sort=release_date&offset=2500', 'sort=-price&min_price=1000&max_price=200000&offset=300'];

  async function expectExactTotals() {
    // The counts are written straight to D1 here: the answers must come from it, not from the edge cache.
    await forgetCachedCatalog();
    for (const shape of [...shapes, ...deepShapes]) {
      for (const superuser of [false, true]) {
        const params = new URLSearchParams(shape);
        const res = await apiWithLog('GET', `/products?${shape}`, superuser ? { token: adminToken } : {});
        expect(Number(res.headers.get('x-total-count')), `${shape} superuser=${superuser}`).toBe(await expectedTotal(params, superuser));
        expect(
          res.body.map((product: { id: number }) => product.id),
          `${shape} superuser=${superuser}`,
        ).toEqual(await expectedIds(params, superuser));
      }
    }
  }

  it('follow every change a superuser makes: price, stock, visibility, release date, new and deleted products', async () => {
    const auth = { token: adminToken };
    const created = await apiWithLog('POST', '/products/add', { ...auth, json: { title: 'Counted', price: 7919, quantity: 1, is_visible: true } });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    await expectExactTotals();
    for (const change of [{ quantity: 0 }, { quantity: 5 }, { price: 150_000 }, { is_visible: false }, { is_visible: true }, { release_date: '2099-12-31' }, { release_date: daysFromToday(-3) }]) {
      expect((await apiWithLog('PATCH', `/products/${id}`, { ...auth, json: change })).status).toBe(200);
      await expectExactTotals();
    }
    expect((await apiWithLog('DELETE', `/products/${id}`, auth)).status).toBe(204);
    await expectExactTotals();
  });

  it('stay exact when selling leaves a product in stock, and write nothing to the counts then', async () => {
    const db = getDb(env);
    const before = await env.DB.prepare('SELECT sum(n) AS n, count(*) AS rows FROM product_counts').first();
    await db.run(`UPDATE products SET quantity = quantity - 1 WHERE id = 8 AND quantity > 1` as never);
    expect(await env.DB.prepare('SELECT sum(n) AS n, count(*) AS rows FROM product_counts').first()).toEqual(before);
    await expectExactTotals();
  });

  it('count products released after the counts were last brought up to date, before and after the cron moves them on', async () => {
    // Counts as of a week ago: everything released since comes from products until the cron runs.
    const weekAgo = daysFromToday(-7);
    await env.DB.batch([
      env.DB.prepare(`UPDATE catalog_counts_as_of SET released_by = ?`).bind(weekAgo),
      env.DB.prepare(`DELETE FROM product_counts WHERE scope = 'on_sale'`),
      env.DB.prepare(
        `INSERT INTO product_counts (scope, in_stock, level, bucket, n)
         SELECT 'on_sale', quantity > 0, level, price >> (3 * level), count(*) FROM products, count_levels
         WHERE is_visible = 1 AND release_date <= ? GROUP BY 1, 2, 3, 4`,
      ).bind(weekAgo),
      // The fences' on-sale counts too: each fence counts its segment, up to the next fence.
      ...['id', 'price', 'title', 'release_date'].map((sort) =>
        env.DB.prepare(
          `UPDATE catalog_fences SET (sale_out, sale_in) = (
             SELECT coalesce(sum(p.quantity = 0), 0), coalesce(sum(p.quantity > 0), 0) FROM products p
             WHERE p.is_visible = 1 AND p.release_date <= ?1 AND (p.${sort}, p.id) >= (catalog_fences.k, catalog_fences.id)
               AND (p.${sort}, p.id) < (SELECT n.k, n.id FROM catalog_fences n WHERE n.sort = catalog_fences.sort AND n.level = catalog_fences.level
                 AND (n.k, n.id) > (catalog_fences.k, catalog_fences.id) ORDER BY n.k, n.id LIMIT 1))
           WHERE sort = ?2`,
        ).bind(weekAgo, sort),
      ),
    ]);
    await expectExactTotals();
    await advanceCatalogCounts(getDb(env), today());
    expect(await env.DB.prepare('SELECT released_by FROM catalog_counts_as_of').first('released_by')).toBe(today());
    await expectExactTotals();
    // Running again, or with an older date, changes nothing.
    await advanceCatalogCounts(getDb(env), today());
    await advanceCatalogCounts(getDb(env), daysFromToday(-30));
    expect(await env.DB.prepare('SELECT released_by FROM catalog_counts_as_of').first('released_by')).toBe(today());
    await expectExactTotals();
  });
});

describe('price buckets', () => {
  it('cover a price range exactly once, with at most 7 buckets a side per level', () => {
    for (const [min, max] of [
      [0, Number.MAX_SAFE_INTEGER],
      [0, 0],
      [1, 1_000_000_000_000],
      [12_345, 98_765],
      [7, 8],
      [999_999_999_999, 1_000_000_000_000],
    ] as const) {
      const runs = priceBuckets(min, max);
      const covered = runs.map(({ level, from, to }) => [from * 8 ** level, (to + 1) * 8 ** level - 1]).sort((a, b) => a[0]! - b[0]!);
      expect(covered[0]![0]).toBe(min);
      expect(covered.at(-1)![1]).toBe(max);
      for (let i = 1; i < covered.length; i++) expect(covered[i]![0]).toBe(covered[i - 1]![1]! + 1);
      for (const { from, to } of runs.slice(0, -1)) expect(to - from).toBeLessThan(7);
      expect(runs.length).toBeLessThanOrEqual(2 * 15);
    }
  });
});
