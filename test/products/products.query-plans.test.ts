import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { PRODUCT_SORTS, productListingQueries, type ProductFilter } from '../../src/db/products';
import { today } from '../../src/lib/time';

/** SQLite's plan for a Drizzle query, one line per step. */
async function planOf(query: { toSQL(): { sql: string; params: unknown[] } }): Promise<string[]> {
  const { sql, params } = query.toSQL();
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((row) => row.detail);
}

const page = { limit: 20, offset: 0 };
const publicFilter: ProductFilter = { onSaleOn: today() };

// The plans were also checked on 100,000 products, with and without ANALYZE statistics; without
// statistics (as here) SQLite plans by its built-in estimates, so the plan does not depend on
// how many rows this test database happens to hold.
describe('catalog listing query plans', () => {
  it('serves the default public page from an index in id order: no table scan, no sort', async () => {
    const { pageQuery } = productListingQueries(getDb(env), publicFilter, { ...page, sort: 'id' });
    const plan = await planOf(pageQuery);
    expect(plan).toEqual(['SEARCH products USING INDEX products_visible_idx (is_visible=?)']);
  });

  for (const sort of PRODUCT_SORTS) {
    it(`walks an index in the requested order for the public sort ${sort}`, async () => {
      const { pageQuery } = productListingQueries(getDb(env), publicFilter, { ...page, sort });
      const plan = await planOf(pageQuery);
      expect(plan).toHaveLength(1);
      expect(plan[0]).toMatch(/^SEARCH products USING INDEX products_(visible|visible_price|visible_title|on_sale)_idx /);
      expect(plan.join('\n')).not.toContain('TEMP B-TREE');
    });

    it(`walks the primary key or an index for the superuser sort ${sort}`, async () => {
      const { pageQuery } = productListingQueries(getDb(env), {}, { ...page, sort });
      const plan = await planOf(pageQuery);
      expect(plan).toHaveLength(1);
      expect(plan[0]).toMatch(sort.endsWith('id') ? /^SCAN products$/ : /^SCAN products USING INDEX products_(price|title|release_date)_idx$/);
    });
  }

  it('counts the public catalog from a covering index', async () => {
    const { countQuery } = productListingQueries(getDb(env), publicFilter, { ...page, sort: 'id' });
    expect(await planOf(countQuery)).toEqual(['SEARCH products USING COVERING INDEX products_on_sale_idx (is_visible=? AND release_date<?)']);
  });

  const SCANS_PRODUCTS = /^SCAN products(?!_fts)/;
  const LOOKS_UP_TEXT = /^SCAN products_fts VIRTUAL TABLE INDEX \d+:M/;
  for (const [caller, filter] of [['public', publicFilter], ['superuser', {}]] as const) {
    it(`looks a q of 3 characters or more up in products_fts, never scanning products, for every ${caller} sort and the count`, async () => {
      for (const sort of PRODUCT_SORTS) {
        const { pageQuery, countQuery } = productListingQueries(getDb(env), { ...filter, q: 'linen mug' }, { ...page, sort });
        for (const plan of [await planOf(pageQuery), await planOf(countQuery)]) {
          expect(plan).toContainEqual(expect.stringMatching(LOOKS_UP_TEXT));
          expect(plan.filter((step) => SCANS_PRODUCTS.test(step))).toEqual([]);
        }
      }
    });
  }

  it('scans for a q of 1 or 2 characters, which no trigram can index', async () => {
    const { pageQuery } = productListingQueries(getDb(env), { q: 'li' }, { ...page, sort: 'id' });
    expect(await planOf(pageQuery)).toEqual(['SCAN products']);
  });

  it('narrows a price range with an index', async () => {
    const filter = { ...publicFilter, minPrice: 1000, maxPrice: 2000 };
    const { pageQuery } = productListingQueries(getDb(env), filter, { ...page, sort: 'price' });
    expect(await planOf(pageQuery)).toEqual(['SEARCH products USING INDEX products_visible_price_idx (is_visible=? AND price>? AND price<?)']);
  });
});
