import { describe, expect, it } from 'vitest';
import { apiWithLog, forgetCachedCatalog, seedCatalog } from '../support';

const SORTS = ['id', '-id', 'price', '-price', 'title', '-title', 'release_date', '-release_date'];
/** Pages at the same relative depth (a fifth, the middle, near the end) of every sort and stock state. */
const SHAPES = SORTS.flatMap((sort) => ['', '&in_stock=true', '&in_stock=false'].flatMap((stock) => [0.2, 0.5, 0.9].map((depth) => ({ sort, stock, depth }))));

/** What each shape reads (D1 rows, from its request log line) on the catalog as it is. */
async function rowsPerShape(): Promise<Map<string, number>> {
  // The products were written straight to D1: what D1 reads is measured, not what the edge cache answers.
  await forgetCachedCatalog();
  const total = Number((await apiWithLog('GET', '/products?limit=1')).headers.get('x-total-count'));
  const rows = new Map<string, number>();
  for (const { sort, stock, depth } of SHAPES) {
    const res = await apiWithLog('GET', `/products?sort=${sort}${stock}&offset=${Math.floor(total * depth * (stock === '&in_stock=false' ? 1 / 7 : 0.8))}`);
    expect(res.body.length, `${sort}${stock} at ${depth}`).toBeGreaterThan(0);
    rows.set(`${sort}${stock} at ${depth}`, res.log.d1.rows_read);
  }
  return rows;
}

describe("a deep page's D1 cost does not grow with the catalog", () => {
  it('reads about as many rows at 5,000 products as at 1,000, at the same depth, for every sort and stock state', async () => {
    await seedCatalog(1, 1_000);
    const small = await rowsPerShape();
    await seedCatalog(1_001, 5_000);
    const large = await rowsPerShape();
    // Where a page starts within its segment varies (0–200 products to walk), so shapes are
    // compared by their worst case. Within one group of fences (up to 8,000 products) the level-0
    // fences summed before the page grow by one per 100–200 products (a few rows each); beyond,
    // groups split and only their number (one per 4,000–8,000 products) grows.
    const worst = (rows: Map<string, number>) => Math.max(...rows.values());
    expect(worst(large), `worst ${worst(small)} rows at 1,000, ${worst(large)} at 5,000`).toBeLessThanOrEqual(worst(small) + 200);
    for (const [shape, rows] of large) expect(rows, shape).toBeLessThan(600);
  });
});
