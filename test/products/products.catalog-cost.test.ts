import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { advanceCatalogCounts, priceBuckets } from '../../src/db/products';
import { today } from '../../src/lib/time';
import { apiWithLog, daysFromToday, forgetCachedCatalog, seedSuperuser } from '../support';

/** As many products as stay quick to seed in workerd: one INSERT … SELECT over a recursive CTE. */
const CATALOG = 5_000;

/**
 * The catalog: prices spread over 0–499,999, a seventh out of stock, a tenth hidden, a
 * twentieth released in 2099, a few released today or yesterday. Every test file has its own
 * D1, so these are the only products.
 */
async function seedCatalog() {
  await env.DB.prepare(
    `INSERT INTO products (title, description, price, release_date, quantity, is_visible)
     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
     SELECT 'Oak Mug ' || i, 'Handmade oak mug ' || i, (i * 7919) % 500000,
       CASE WHEN i % 20 = 0 THEN '2099-01-01' WHEN i % 97 = 0 THEN ?2 WHEN i % 89 = 0 THEN ?3 ELSE '2025-01-01' END,
       i % 7, i % 10 != 0
     FROM n`,
  )
    .bind(CATALOG, today(), daysFromToday(-1))
    .run();
}

/** What X-Total-Count must say, counted the slow way straight from products. */
async function expectedTotal(params: URLSearchParams, superuser: boolean): Promise<number> {
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
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM products WHERE ${where.join(' AND ')}`)
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

let adminToken: string;
beforeAll(async () => {
  await seedCatalog();
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

  async function expectExactTotals() {
    // The counts are written straight to D1 here: the answers must come from it, not from the edge cache.
    await forgetCachedCatalog();
    for (const shape of shapes) {
      for (const superuser of [false, true]) {
        const res = await apiWithLog('GET', `/products?${shape}`, superuser ? { token: adminToken } : {});
        expect(Number(res.headers.get('x-total-count')), `${shape} superuser=${superuser}`).toBe(await expectedTotal(new URLSearchParams(shape), superuser));
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
    await env.DB.batch([
      env.DB.prepare(`UPDATE catalog_counts_as_of SET released_by = ?`).bind(daysFromToday(-7)),
      env.DB.prepare(`DELETE FROM product_counts WHERE scope = 'on_sale'`),
      env.DB.prepare(
        `INSERT INTO product_counts (scope, in_stock, level, bucket, n)
         SELECT 'on_sale', quantity > 0, level, price >> (3 * level), count(*) FROM products, count_levels
         WHERE is_visible = 1 AND release_date <= ? GROUP BY 1, 2, 3, 4`,
      ).bind(daysFromToday(-7)),
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
