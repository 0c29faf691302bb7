import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { emptyD1Usage, isWriteStatement, meteredD1, RequestD1 } from '../../src/db/metered-d1';
import { apiWithLog, seedProduct, seedSuperuser } from '../support';

describe("the request log line's D1 figures", () => {
  it('counts nothing for a request that does not touch D1', async () => {
    const res = await apiWithLog('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.log.d1).toEqual({ calls: 0, primary_calls: 0, rows_read: 0, rows_written: 0 });
  });

  it('counts one read for GET /products/{id}, reading the one row by its key, on a replica session', async () => {
    const product = await seedProduct();
    const res = await apiWithLog('GET', `/products/${product.id}`);
    expect(res.status).toBe(200);
    expect(res.log.d1).toEqual({ calls: 1, primary_calls: 0, rows_read: 1, rows_written: 0, session: 'replica', bookmark_in: null });
  });

  it('counts the user look-up and the insert of POST /products/add, and the rows it wrote', async () => {
    const admin = await seedSuperuser();
    const res = await apiWithLog('POST', '/products/add', { token: admin.token, json: { title: 'Metered mug', price: 500 } });
    expect(res.status).toBe(201);
    // The row, its index entries and its text-search entries are all written rows; only the insert had to reach the primary.
    expect(res.log.d1).toMatchObject({ calls: 2, primary_calls: 1 });
    expect(res.log.d1.rows_written).toBeGreaterThan(1);
    expect(res.log.d1.rows_read).toBeGreaterThanOrEqual(1);
  });

  it('counts a batch as one call: the catalog page and its count', async () => {
    const res = await apiWithLog('GET', '/products?limit=1');
    expect(res.status).toBe(200);
    expect(res.log.d1).toMatchObject({ calls: 1, primary_calls: 0, rows_written: 0 });
  });
});

describe('the metered D1 binding', () => {
  const query = 'SELECT 1 AS one, 2 AS two UNION ALL SELECT 3, 4';

  it('answers first() and raw() exactly as the binding does, though it runs them as all() for their metadata', async () => {
    const metered = meteredD1(env.DB, emptyD1Usage());
    expect(await metered.prepare(query).first()).toEqual(await env.DB.prepare(query).first());
    expect(await metered.prepare(query).first('two')).toEqual(await env.DB.prepare(query).first('two'));
    expect(await metered.prepare('SELECT 1 WHERE 0').first()).toBeNull();
    expect(await metered.prepare(query).raw()).toEqual(await env.DB.prepare(query).raw());
    expect(await metered.prepare(query).raw({ columnNames: true })).toEqual(await env.DB.prepare(query).raw({ columnNames: true }));
    expect(await metered.prepare('SELECT ?1 AS v').bind(7).raw()).toEqual([[7]]);
  });

  it("sums D1's own rows_read and rows_written over a batch, counted as one call", async () => {
    const usage = emptyD1Usage();
    const metered = meteredD1(env.DB, usage);
    await metered.prepare('CREATE TABLE IF NOT EXISTS meter_probe (n INTEGER)').run();
    const before = { ...usage };
    const results = await metered.batch([
      metered.prepare('INSERT INTO meter_probe (n) VALUES (1), (2), (3)'),
      metered.prepare('SELECT count(*) AS n FROM meter_probe'),
    ]);
    const expected = results.reduce((sum, r) => ({ read: sum.read + r.meta.rows_read, written: sum.written + r.meta.rows_written }), { read: 0, written: 0 });
    expect(usage.calls - before.calls).toBe(1);
    expect(usage.rows_written - before.rows_written).toBe(expected.written);
    expect(usage.rows_read - before.rows_read).toBe(expected.read);
    expect(expected.written).toBe(3);
  });

  it('counts a failed call as a round trip', async () => {
    const usage = emptyD1Usage();
    await expect(meteredD1(env.DB, usage).prepare('SELECT * FROM no_such_table').all()).rejects.toThrow();
    expect(usage).toEqual({ calls: 1, primary_calls: 1, rows_read: 0, rows_written: 0 });
  });
});

describe("a request's D1 session (RequestD1)", () => {
  it('counts a read on a replica session as no primary call, and a write as one even when it changed nothing', async () => {
    const d1 = new RequestD1(env.DB, null);
    await d1.db.prepare('SELECT 1 AS one').all();
    expect(d1.usage).toMatchObject({ calls: 1, primary_calls: 0 });
    expect(d1.wrote).toBe(false);
    // A guarded UPDATE that matches nothing wrote no row, but it went to the primary.
    await d1.db.prepare('UPDATE products SET quantity = quantity WHERE id = -1').run();
    expect(d1.usage).toMatchObject({ calls: 2, primary_calls: 1, rows_written: 0 });
    expect(d1.wrote).toBe(true);
    expect(d1.logged()).toMatchObject({ session: 'replica', bookmark_in: null });
    expect(d1.bookmark()).toMatch(/^[0-9a-f-]+$/);
  });

  it('counts the first round trip of a primary session as a primary call, not the reads after it', async () => {
    const d1 = new RequestD1(env.DB, null);
    d1.onPrimary();
    await d1.db.prepare('SELECT 1').all();
    await d1.db.batch([d1.db.prepare('SELECT 1'), d1.db.prepare('SELECT 2')]);
    expect(d1.usage).toMatchObject({ calls: 2, primary_calls: 1 });
    expect(d1.logged()).toMatchObject({ session: 'primary' });
  });

  it('refuses to change its mode once it has reached D1 (a route declares onPrimary before any query)', async () => {
    const d1 = new RequestD1(env.DB, null);
    await d1.db.prepare('SELECT 1').all();
    expect(() => d1.onPrimary()).toThrow(/before the request's first D1 query/);
  });

  it('tells reads from writes by their SQL', () => {
    for (const read of ['select 1', '  SELECT * FROM products', 'with t as (select 1) select * from t', 'EXPLAIN QUERY PLAN SELECT 1', 'PRAGMA table_info(products)']) {
      expect(isWriteStatement(read), read).toBe(false);
    }
    for (const write of ['insert into users values (1)', 'UPDATE products SET quantity = 0', 'delete from cart_locks', 'with t as (select 1) delete from x', 'CREATE TABLE t (n)']) {
      expect(isWriteStatement(write), write).toBe(true);
    }
  });
});
