import { env } from 'cloudflare:workers';
import { like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { products } from '../../src/db/schema';
import { api, seedProduct, seedSuperuser, storedProduct, uniqueTag } from '../support';

const productsTitled = (prefix: string) => getDb(env).select().from(products).where(like(products.title, `${prefix}%`));

describe('GET /products: invalid query parameters are 422 in Pydantic shape', () => {
  const cases: [string, object][] = [
    ['limit=0', { type: 'greater_than_equal', loc: ['query', 'limit'], msg: 'Input should be greater than or equal to 1', input: '0', ctx: { ge: 1 } }],
    ['limit=101', { type: 'less_than_equal', loc: ['query', 'limit'], msg: 'Input should be less than or equal to 100', input: '101', ctx: { le: 100 } }],
    ['limit=abc', { type: 'int_parsing', loc: ['query', 'limit'], msg: 'Input should be a valid integer, unable to parse string as an integer', input: 'abc' }],
    ['limit=1.5', { type: 'int_parsing', loc: ['query', 'limit'], input: '1.5' }],
    ['limit=', { type: 'int_parsing', loc: ['query', 'limit'], input: '' }],
    ['offset=-1', { type: 'greater_than_equal', loc: ['query', 'offset'], msg: 'Input should be greater than or equal to 0', input: '-1', ctx: { ge: 0 } }],
    ['min_price=-5', { type: 'greater_than_equal', loc: ['query', 'min_price'] }],
    ['max_price=cheap', { type: 'int_parsing', loc: ['query', 'max_price'], input: 'cheap' }],
    ['in_stock=maybe', { type: 'bool_parsing', loc: ['query', 'in_stock'], msg: 'Input should be a valid boolean, unable to interpret input', input: 'maybe' }],
    [`q=${'x'.repeat(101)}`, { type: 'string_too_long', loc: ['query', 'q'], msg: 'String should have at most 100 characters', ctx: { max_length: 100 } }],
    [
      'sort=name',
      {
        type: 'literal_error',
        loc: ['query', 'sort'],
        msg: "Input should be 'id', '-id', 'price', '-price', 'title', '-title', 'release_date' or '-release_date'",
        input: 'name',
      },
    ],
    ['sort=price;DROP TABLE products', { type: 'literal_error', loc: ['query', 'sort'] }],
  ];
  for (const [query, issue] of cases) {
    it(query.slice(0, 60), async () => {
      const res = await api('GET', `/products?${query}`);
      expect(res.status).toBe(422);
      expect(res.body.detail).toHaveLength(1);
      expect(res.body.detail[0]).toMatchObject(issue);
    });
  }

  it('refuses a limit beyond any integer', async () => {
    const res = await api('GET', '/products?limit=99999999999999999999999');
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ loc: ['query', 'limit'], input: '99999999999999999999999' });
  });

  it('reports a number beyond any integer once, against the field\'s own bound', async () => {
    const res = await api('GET', '/products?limit=99999999999999999999&min_price=-99999999999999999999');
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([
      { type: 'less_than_equal', loc: ['query', 'limit'], msg: 'Input should be less than or equal to 100', input: '99999999999999999999', ctx: { le: 100 } },
      { type: 'greater_than_equal', loc: ['query', 'min_price'], msg: 'Input should be greater than or equal to 0', input: '-99999999999999999999', ctx: { ge: 0 } },
    ]);
  });

  it('reports every bad parameter at once', async () => {
    const res = await api('GET', '/products?limit=0&offset=-1&sort=x');
    expect(res.status).toBe(422);
    expect(res.body.detail.map((d: { loc: string[] }) => d.loc[1]).sort()).toEqual(['limit', 'offset', 'sort']);
  });

  it('counts q in code points: 100 emoji are fine', async () => {
    const res = await api('GET', `/products?q=${encodeURIComponent('🙂'.repeat(100))}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('searches with a q of the full 100 characters against real rows (D1 refuses LIKE patterns over 50 bytes)', async () => {
    const tag = uniqueTag();
    const long = `${tag} ${'Wool 100% _Ñ\\ '.repeat(10)}`.slice(0, 100);
    const product = await seedProduct({ title: `${long} end` });
    const found = await api('GET', `/products?q=${encodeURIComponent(long.toUpperCase())}`);
    expect(found.status).toBe(200);
    expect(found.body.map((p: { id: number }) => p.id)).toEqual([product.id]);
    const emoji = await api('GET', `/products?q=${encodeURIComponent('🙂'.repeat(100))}&limit=1`);
    expect(emoji.status).toBe(200);
    expect(emoji.body).toEqual([]);
  });

  it('takes SQL-looking q as plain text', async () => {
    const tag = uniqueTag();
    const product = await seedProduct({ title: `${tag} it's "quoted"` });
    for (const q of ["' OR 1=1 --", "'; DROP TABLE products; --", '" OR ""="']) {
      const res = await api('GET', `/products?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    }
    const quoted = await api('GET', `/products?q=${encodeURIComponent(`${tag} it's "quoted"`)}`);
    expect(quoted.body.map((p: { id: number }) => p.id)).toEqual([product.id]);
  });

  it('answers a huge offset with an empty page', async () => {
    const res = await api('GET', `/products?offset=${Number.MAX_SAFE_INTEGER}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
    expect(Number(res.headers.get('x-total-count'))).toBeGreaterThanOrEqual(0);
  });
});

describe('GET /products/{product_id}', () => {
  it('is 404 for an unknown id', async () => {
    const res = await api('GET', '/products/999999999');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Not Found' });
  });

  for (const id of ['abc', '0', '-1', '1.5', '1e3', '99999999999999999999', '%27%20OR%201%3D1']) {
    it(`is 404 for the malformed id ${id}`, async () => {
      const res = await api('GET', `/products/${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: 'Not Found' });
    });
  }

  it('is 405 with Allow for a method the path does not have', async () => {
    const res = await api('PUT', '/products/1');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('DELETE, GET, HEAD, PATCH');
  });
});

describe('POST /products/add: invalid bodies are 422 and store nothing', () => {
  const prefix = `Invalid ${uniqueTag()}`;
  const valid = { title: `${prefix} mug`, price: 100 };
  const cases: [string, unknown, object[]][] = [
    ['missing fields', {}, [
      { type: 'missing', loc: ['body', 'title'], msg: 'Field required', input: {} },
      { type: 'missing', loc: ['body', 'price'], msg: 'Field required', input: {} },
    ]],
    ['a blank title', { ...valid, title: '   ' }, [{ type: 'string_too_short', loc: ['body', 'title'], msg: 'String should have at least 1 character', ctx: { min_length: 1 } }]],
    ['a title of 201 characters', { ...valid, title: `${prefix}${'x'.repeat(201)}` }, [{ type: 'string_too_long', loc: ['body', 'title'], msg: 'String should have at most 200 characters', ctx: { max_length: 200 } }]],
    ['a null title', { ...valid, title: null }, [{ type: 'string_type', loc: ['body', 'title'], msg: 'Input should be a valid string', input: null }]],
    ['a number for a title', { ...valid, title: 42 }, [{ type: 'string_type', loc: ['body', 'title'], input: 42 }]],
    ['a description of 5001 characters', { ...valid, description: 'd'.repeat(5001) }, [{ type: 'string_too_long', loc: ['body', 'description'], ctx: { max_length: 5000 } }]],
    ['a negative price', { ...valid, price: -1 }, [{ type: 'greater_than_equal', loc: ['body', 'price'], msg: 'Input should be greater than or equal to 0', input: -1, ctx: { ge: 0 } }]],
    ['a fractional price', { ...valid, price: 10.5 }, [{ type: 'int_from_float', loc: ['body', 'price'], input: 10.5 }]],
    ['a price in words', { ...valid, price: 'ten' }, [{ type: 'int_parsing', loc: ['body', 'price'], input: 'ten' }]],
    ['an absurd price', { ...valid, price: 1e13 }, [{ type: 'less_than_equal', loc: ['body', 'price'], ctx: { le: 1_000_000_000_000 } }]],
    ['a boolean price', { ...valid, price: true }, [{ type: 'int_type', loc: ['body', 'price'], input: true }]],
    ['a negative quantity', { ...valid, quantity: -3 }, [{ type: 'greater_than_equal', loc: ['body', 'quantity'], ctx: { ge: 0 } }]],
    ['an absurd quantity', { ...valid, quantity: 2_000_000_000 }, [{ type: 'less_than_equal', loc: ['body', 'quantity'], ctx: { le: 1_000_000_000 } }]],
    ['an impossible date', { ...valid, release_date: '2026-02-30' }, [{ type: 'date_from_datetime_parsing', loc: ['body', 'release_date'], msg: 'Input should be a valid date or datetime, day value is outside expected range', input: '2026-02-30' }]],
    ['February 29 of a common year', { ...valid, release_date: '2025-02-29' }, [{ type: 'date_from_datetime_parsing', loc: ['body', 'release_date'] }]],
    ['month 13', { ...valid, release_date: '2026-13-01' }, [{ type: 'date_from_datetime_parsing', msg: 'Input should be a valid date or datetime, month value is outside expected range of 1-12' }]],
    ['a date in another format', { ...valid, release_date: '25/11/2026' }, [{ type: 'date_from_datetime_parsing', loc: ['body', 'release_date'], input: '25/11/2026' }]],
    ['a number for a date', { ...valid, release_date: 20261125 }, [{ type: 'string_type', loc: ['body', 'release_date'] }]],
    ['a word for is_visible', { ...valid, is_visible: 'maybe' }, [{ type: 'bool_parsing', loc: ['body', 'is_visible'], input: 'maybe' }]],
    ['a null description', { ...valid, description: null }, [{ type: 'string_type', loc: ['body', 'description'], input: null }]],
    ['a list', [valid], [{ type: 'model_attributes_type', loc: ['body'] }]],
  ];
  for (const [name, body, issues] of cases) {
    it(name, async () => {
      const admin = await seedSuperuser();
      const res = await api('POST', '/products/add', { token: admin.token, json: body });
      expect(res.status).toBe(422);
      expect(res.body.detail).toHaveLength(issues.length);
      for (const [i, issue] of issues.entries()) expect(res.body.detail[i]).toMatchObject(issue);
    });
  }

  it('an empty body is a missing body', async () => {
    const admin = await seedSuperuser();
    const res = await api('POST', '/products/add', { token: admin.token });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] });
  });

  it('malformed JSON is json_invalid', async () => {
    const admin = await seedSuperuser();
    const res = await api('POST', '/products/add', { token: admin.token, raw: '{"title": "x",', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ type: 'json_invalid', msg: 'JSON decode error' });
  });

  it('stored none of the invalid products', async () => {
    expect(await productsTitled(prefix)).toEqual([]);
  });
});

describe('PATCH /products/{product_id}', () => {
  it('refuses null for any field and changes nothing', async () => {
    const admin = await seedSuperuser();
    const product = await seedProduct();
    for (const [field, type] of [['title', 'string_type'], ['price', 'int_type'], ['quantity', 'int_type'], ['is_visible', 'bool_type'], ['release_date', 'string_type'], ['description', 'string_type']]) {
      const res = await api('PATCH', `/products/${product.id}`, { token: admin.token, json: { [field!]: null } });
      expect(res.status, field).toBe(422);
      expect(res.body.detail, field).toEqual([expect.objectContaining({ type, loc: ['body', field], input: null })]);
    }
    expect(await storedProduct(product.id)).toEqual(product);
  });

  it('validates like POST: an empty title, a negative price, an impossible date', async () => {
    const admin = await seedSuperuser();
    const product = await seedProduct();
    const res = await api('PATCH', `/products/${product.id}`, { token: admin.token, json: { title: '', price: -1, release_date: '2026-04-31' } });
    expect(res.status).toBe(422);
    expect(res.body.detail.map((d: { loc: string[] }) => d.loc[1])).toEqual(['title', 'price', 'release_date']);
  });

  it('is 404 for an unknown or malformed id, before looking at the body', async () => {
    const admin = await seedSuperuser();
    for (const id of ['999999999', 'abc', '0']) {
      const res = await api('PATCH', `/products/${id}`, { token: admin.token, json: { price: -1 } });
      expect(res.status, id).toBe(404);
      expect(res.body).toEqual({ detail: 'Not Found' });
    }
  });

  it('a missing body is 422', async () => {
    const admin = await seedSuperuser();
    const product = await seedProduct();
    const res = await api('PATCH', `/products/${product.id}`, { token: admin.token });
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ type: 'missing', loc: ['body'] });
  });
});

describe('DELETE /products/{product_id}', () => {
  it('is 404 for an unknown, malformed or already deleted id', async () => {
    const admin = await seedSuperuser();
    const product = await seedProduct();
    expect((await api('DELETE', `/products/${product.id}`, { token: admin.token })).status).toBe(204);
    for (const id of [String(product.id), 'abc', '-4']) {
      const res = await api('DELETE', `/products/${id}`, { token: admin.token });
      expect(res.status, id).toBe(404);
      expect(res.body).toEqual({ detail: 'Not Found' });
    }
  });
});
