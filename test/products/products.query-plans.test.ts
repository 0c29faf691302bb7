import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { PRODUCT_SORTS, pageFromQuery, productListingQueries, type ProductFilter } from '../../src/db/products';
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

  for (const [caller, filter] of [['public', publicFilter], ['superuser', {}]] as const) {
    it(`counts the ${caller} catalog from product_counts by its key, reading products only for releases since the counts' date`, async () => {
      for (const extra of [{}, { inStock: true }, { minPrice: 1000, maxPrice: 2000 }, { minPrice: 1000, inStock: false }]) {
        const { countQuery } = productListingQueries(getDb(env), { ...filter, ...extra }, { ...page, sort: 'id' });
        const plan = await planOf(countQuery);
        const searches = plan.filter((step) => !/^((CORRELATED )?SCALAR SUBQUERY \d+|(CO-ROUTINE|MATERIALIZE|SCAN) r|SCAN (\d+ )?CONSTANT ROWS?|SCAN \d+-ROW VALUES CLAUSE)$/.test(step));
        for (const step of searches) {
          expect(step).toMatch(
            /^SEARCH (catalog_counts_as_of USING INTEGER PRIMARY KEY \(rowid=\?\)|(product_counts|c) USING INDEX sqlite_autoindex_product_counts_1 \(scope=\? AND in_stock=\? AND level=\?( AND bucket>\? AND bucket<\?)?\)|products USING (COVERING )?INDEX products_(on_sale|visible_stock_release_date)_idx \(is_visible=\? AND (<expr>=\? AND )?release_date>\? AND release_date<\?\))$/,
          );
        }
        expect(searches.some((step) => step.includes('products USING')), 'reads products').toBe(caller === 'public');
      }
    });
  }

  it('walks the sort index for a price range with another sort, or takes the range from a price index when told it is narrow', async () => {
    const filter = { ...publicFilter, minPrice: 1000, maxPrice: 2000 };
    const walk = productListingQueries(getDb(env), filter, { ...page, sort: 'title' }).pageQuery;
    expect(await planOf(walk)).toEqual(['SEARCH products USING INDEX products_visible_title_idx (is_visible=?)']);
    const lookUp = productListingQueries(getDb(env), filter, { ...page, sort: 'title' }, { lookUpPrice: true }).pageQuery;
    expect(await planOf(lookUp)).toEqual(['SEARCH products USING INDEX products_visible_price_idx (is_visible=? AND price>? AND price<?)', 'USE TEMP B-TREE FOR ORDER BY']);
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

  const START_KEYS = { id: 1234, price: 5000, title: 'Oak Mug 1234', release_date: '2025-01-01' } as const;
  for (const [caller, filter] of [['public', publicFilter], ['superuser', {}]] as const) {
    for (const inStock of [undefined, true, false]) {
      it(`walks a deep ${caller} page from its fence in the requested order, in_stock=${inStock}: index ranges only, no sort`, async () => {
        for (const sort of PRODUCT_SORTS) {
          const k = START_KEYS[sort.replace(/^-/, '') as keyof typeof START_KEYS];
          const query = pageFromQuery(getDb(env), { ...filter, inStock }, { ...page, sort }, { k, id: 1234, skip: 57 });
          const plan = await planOf(query);
          const searches = plan.filter((step) => !/^(MERGE \(UNION ALL\)|LEFT|RIGHT)$/.test(step));
          expect(searches.length, sort).toBeGreaterThan(0);
          for (const step of searches) {
            expect(step, sort).toMatch(inStock === undefined ? /^SEARCH products USING (INDEX|INTEGER PRIMARY KEY)/ : /^SEARCH products USING INDEX products_(visible_)?stock_\w*idx \((is_visible=\? AND )?<expr>=\?/);
          }
          expect(plan.join('\n'), sort).not.toContain('TEMP B-TREE');
        }
      });
    }
  }
});
