import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiWithLog, seedCatalog, seedSuperuser } from '../support';

/** Most of the seeded catalog shares one release date: a run of equal keys holding most release_date fences. */
const CATALOG = 5_000;
/**
 * What one product write may read in D1, request and triggers together. With 0007's triggers, which
 * sought a fence by row value (its first column only), a stock flip of product 5 read 648 rows here
 * (every release_date fence of the run before it, several times over); it reads about 280 now.
 */
const MOST_ROWS_READ = 450;
/** An insert that splits a segment of the run: 0007 compared each product recounted with the next fence, about 28,000 rows. */
const MOST_ROWS_READ_SPLITTING = 1_000;

let token: string;
beforeAll(async () => {
  await seedCatalog(1, CATALOG);
  token = (await seedSuperuser()).token;
});

/**
 * Fences whose counts differ from a naive count of their segment: the products from the fence up
 * to the next fence of its sort and level, counted straight from products (row values, no fences
 * trusted but their positions).
 */
async function inexactFences(): Promise<unknown[]> {
  const wrong: unknown[] = [];
  for (const sort of ['id', 'price', 'title', 'release_date']) {
    const { results } = await env.DB.prepare(
      `SELECT f.level, f.k, f.id, f.all_out || ',' || f.all_in || ',' || f.sale_out || ',' || f.sale_in AS counted,
         (SELECT coalesce(sum(p.quantity = 0), 0) || ',' || coalesce(sum(p.quantity > 0), 0) || ','
             || coalesce(sum(p.quantity = 0 AND p.is_visible = 1 AND p.release_date <= a.released_by), 0) || ','
             || coalesce(sum(p.quantity > 0 AND p.is_visible = 1 AND p.release_date <= a.released_by), 0)
           FROM products p, catalog_counts_as_of a
           WHERE (p.${sort}, p.id) >= (f.k, f.id)
             AND (p.${sort}, p.id) < (SELECT n.k, n.id FROM catalog_fences n WHERE n.sort = f.sort AND n.level = f.level AND (n.k, n.id) > (f.k, f.id) ORDER BY n.k, n.id LIMIT 1)) AS naive
       FROM catalog_fences f WHERE f.sort = ?1 AND typeof(f.k) != 'blob'`,
    )
      .bind(sort)
      .all<{ counted: string; naive: string }>();
    wrong.push(...results.filter((row) => row.counted !== row.naive).map((row) => ({ sort, ...row })));
    // Not vacuous: every sort has its fences.
    expect(results.length, sort).toBeGreaterThan(20);
  }
  return wrong;
}

describe('a product write in a long run of equal keys', () => {
  it(`reads fewer than ${MOST_ROWS_READ} rows wherever the product lies in the run, and leaves every fence exact`, async () => {
    const auth = { token };
    const late = CATALOG - 10;
    // Products 5, 12 and 4,990 are all released on the catalog's one long-run date, in stock.
    const writes: [string, number, Record<string, unknown>][] = [
      ['stock flip, early in the run', 5, { quantity: 0 }],
      ['back in stock, early in the run', 5, { quantity: 5 }],
      ['stock flip, late in the run', late, { quantity: 0 }],
      ['price change, early in the run', 12, { price: 123_456 }],
      ['release date moved, early in the run', 14, { release_date: '2025-01-02' }],
    ];
    const read: Record<string, number> = {};
    for (const [what, id, change] of writes) {
      const res = await apiWithLog('PATCH', `/products/${id}`, { ...auth, json: change });
      expect(res.status, what).toBe(200);
      read[what] = res.log.d1.rows_read;
    }
    for (const [what, rows] of Object.entries(read)) expect(rows, `${what}: ${JSON.stringify(read)}`).toBeLessThan(MOST_ROWS_READ);
    expect(await inexactFences()).toEqual([]);
  });

  it(`splits segments of the run on insert reading fewer than ${MOST_ROWS_READ_SPLITTING} rows, and keeps every fence exact through inserts and deletes`, async () => {
    const auth = { token };
    const insertReads: number[] = [];
    // Released on the run's date: each lands at the run's end and, every hundred or so, splits its last segment.
    for (let i = 0; i < 120; i++) {
      const res = await apiWithLog('POST', '/products/add', {
        ...auth,
        json: { title: `Oak Mug added ${i}`, price: (i * 4111) % 500_000, quantity: i % 3, is_visible: true, release_date: '2025-01-01' },
      });
      expect(res.status).toBe(201);
      insertReads.push(res.log.d1.rows_read);
    }
    // A split recounts two segments (up to 300 products, index and table) and finds the middle product.
    expect(Math.max(...insertReads), insertReads.join(' ')).toBeLessThan(MOST_ROWS_READ_SPLITTING);
    expect(insertReads.filter((rows) => rows < MOST_ROWS_READ).length).toBeGreaterThan(100);
    for (const id of [21, 2_500, 4_980]) expect((await apiWithLog('DELETE', `/products/${id}`, auth)).status).toBe(204);
    expect(await inexactFences()).toEqual([]);
    const largest = await env.DB.prepare(
      `SELECT max(all_out + all_in) AS n FROM catalog_fences WHERE level = 0 AND typeof(k) != 'blob'`,
    ).first<{ n: number }>('n');
    expect(largest).toBeLessThanOrEqual(200);
  });
});
