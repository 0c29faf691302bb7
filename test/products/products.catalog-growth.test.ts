import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { apiWithLog, forgetCachedCatalog, seedCatalog } from '../support';

const SORTS = ['id', '-id', 'price', '-price', 'title', '-title', 'release_date', '-release_date'];
const STOCK_STATES = ['', '&in_stock=true', '&in_stock=false'];
const PRICE_RANGE = '&min_price=100000&max_price=400000';
/**
 * Pages at the same relative depth (a fifth, the middle, near the end) of every sort and stock
 * state, and of a price range on the price sorts (a run of their order that the fences seek into).
 */
const SHAPES = [
  ...SORTS.flatMap((sort) => STOCK_STATES.map((stock) => `sort=${sort}${stock}`)),
  ...['price', '-price'].flatMap((sort) => ['', '&in_stock=true'].map((stock) => `sort=${sort}${PRICE_RANGE}${stock}`)),
].flatMap((shape) => [0.2, 0.5, 0.9].map((depth) => ({ shape, depth })));

/** What each shape reads (D1 rows, from its request log line) on the catalog as it is. */
async function rowsPerShape(): Promise<Map<string, number>> {
  // The products were written straight to D1: what D1 reads is measured, not what the edge cache answers.
  await forgetCachedCatalog();
  const rows = new Map<string, number>();
  for (const { shape, depth } of SHAPES) {
    const total = Number((await apiWithLog('GET', `/products?limit=1&${shape}`)).headers.get('x-total-count'));
    const res = await apiWithLog('GET', `/products?${shape}&offset=${Math.floor(total * depth)}`);
    expect(res.body.length, `${shape} at ${depth}`).toBeGreaterThan(0);
    rows.set(`${shape} at ${depth}`, res.log.d1.rows_read);
  }
  return rows;
}

/** Per sort: the fences of each level and the most products one of them counts (sentinels left out). */
async function fenceShape() {
  const { results } = await env.DB.prepare(
    `SELECT sort, level, count(*) AS fences, max(all_out + all_in) AS largest FROM catalog_fences WHERE typeof(k) != 'blob' GROUP BY sort, level`,
  ).all<{ sort: string; level: number; fences: number; largest: number }>();
  return results;
}

const worst = (rows: Map<string, number>) => Math.max(...rows.values());
/** The costliest shapes, for the failure message. */
const costliest = (rows: Map<string, number>) => [...rows].sort(([, a], [, b]) => b - a).slice(0, 5).map(([shape, n]) => `${shape}: ${n}`).join('; ');

describe("a deep page's D1 cost does not grow with the catalog", () => {
  it(
    'reads about as many rows at 100,000 products as at 1,000, at the same depth, for every sort, stock state and a price range on the price sorts',
    async () => {
      await seedCatalog(1, 1_000);
      const small = await rowsPerShape();
      // In parts, so no one statement runs for long; the groups of every sort split along the way.
      // Nearly every product shares one release date (seedCatalog): the fences of that sort are one run of equal keys.
      for (let from = 1_001; from <= 100_000; from += 11_000) await seedCatalog(from, Math.min(100_000, from + 10_999));
      const large = await rowsPerShape();

      // The catalog grew past a group's limit (8,000 products) many times over: every sort holds several
      // groups now, and the triggers kept every segment and group within its limits.
      for (const { sort, level, fences, largest } of await fenceShape()) {
        if (level === 1) expect(fences, `${sort}: level-1 fences`).toBeGreaterThanOrEqual(12);
        expect(largest, `${sort}: products of the largest level-${level} fence`).toBeLessThanOrEqual(level === 0 ? 200 : 8_000);
      }
      // Where a page starts within its segment varies (0–200 products to walk), so shapes are
      // compared by their worst case. Within a group the level-0 fences summed before the page grow
      // by one per 100–200 products (a few rows each) until the group splits at 8,000; beyond, only
      // the number of groups (one per 4,000–8,000 products) grows.
      expect(worst(large), `at 1,000: ${costliest(small)}; at 100,000: ${costliest(large)}`).toBeLessThanOrEqual(worst(small) + 300);
      for (const [shape, rows] of large) expect(rows, shape).toBeLessThan(1_000);
    },
    240_000,
  );
});
