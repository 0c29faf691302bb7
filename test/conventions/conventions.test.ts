import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { loggableError } from '../../src/lib/error-cause';
import { api, } from '../support';

describe('conventions every route shares', () => {
  it('answers unknown routes with 404 Not Found', async () => {
    const res = await api('GET', '/no/such/route');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Not Found' });
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const res = await api('DELETE', '/health');
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ detail: 'Method Not Allowed' });
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('accepts a trailing slash', async () => {
    const res = await api('GET', '/health/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('echoes a sane X-Request-Id and replaces a hostile one', async () => {
    const sane = await api('GET', '/health', { headers: { 'x-request-id': 'abc-123' } });
    expect(sane.headers.get('x-request-id')).toBe('abc-123');
    const hostile = await api('GET', '/health', { headers: { 'x-request-id': 'a b<script>' } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const long = await api('GET', '/health', { headers: { 'x-request-id': 'x'.repeat(129) } });
    expect(long.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('puts X-Request-Id on error responses too', async () => {
    const res = await api('GET', '/nope', { headers: { 'x-request-id': 'trace-1' } });
    expect(res.headers.get('x-request-id')).toBe('trace-1');
  });

  it('refuses a body over 64 KiB with 413, whatever Content-Length says', async () => {
    const big = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(70_000) });
    const res = await api('POST', '/health', { raw: big, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ detail: 'Request body too large' });
  });

  it('refuses a body over 64 KiB sent as a stream with no Content-Length', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await api('POST', '/health', { raw: stream, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
  });

  it.each([
    ['{"email": ', 10, 'Expecting value'],
    ['{email: 1}', 1, 'Expecting property name enclosed in double quotes'],
    ['{"a":1 "b":2}', 7, "Expecting ',' delimiter"],
    ['{"a" 1}', 5, "Expecting ':' delimiter"],
    ['[1] x', 4, 'Extra data'],
  ])('reports malformed JSON %j at offset %i with Python\'s message', async (raw, offset, error) => {
    const res = await api('POST', '/auth/register', { raw, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: [{ type: 'json_invalid', loc: ['body', offset], msg: 'JSON decode error', input: {}, ctx: { error } }] });
  });

  it('refuses JSON nested deeper than 32 levels with 422 json_invalid at the first bracket too deep', async () => {
    const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
    // Brackets inside strings do not count: level 33 is the 32nd bracket of the array.
    const raw = `{"x":"[[[[{{{{\\"","y":${nested(32)}}`;
    const arrayStart = raw.indexOf('"y":') + 4;
    const res = await api('POST', '/auth/register', { raw, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      detail: [{ type: 'json_invalid', loc: ['body', arrayStart + 31], msg: 'JSON decode error', input: {}, ctx: { error: 'Nesting deeper than 32 levels' } }],
    });
    const deepest = await api('POST', '/auth/register', { raw: `{"y":${nested(31)}}`, headers: { 'content-type': 'application/json' } });
    expect(deepest.status).toBe(422);
    expect(deepest.body.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'email'] });
  });

  it('answers malformed JSON with 422 json_invalid', async () => {
    const res = await api('POST', '/health', { raw: '{"email": ', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ type: 'json_invalid', loc: ['body', expect.any(Number)], msg: 'JSON decode error' });
  });

  it('serves an OpenAPI 3.1 document and a docs page', async () => {
    const doc = await api('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.paths['/health'].get).toBeDefined();
    const page = await api('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('/docs/swagger-initializer.js'); // which loads /openapi.json (test/docs)
  });

  it('answers a form body on a JSON route with 422, as FastAPI does', async () => {
    const res = await api('POST', '/auth/register', { form: { email: 'a@example.com', password: 'long enough pw' } });
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ type: 'model_attributes_type', loc: ['body'] });
  });

  it('answers CORS preflights and exposes the paging headers to browsers', async () => {
    const res = await api('OPTIONS', '/health', {
      headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const get = await api('GET', '/health', { headers: { origin: 'https://shop.example.com' } });
    expect(get.headers.get('access-control-expose-headers')).toContain('X-Total-Count');
    expect(get.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('logs a failed query by its SQL and D1 message, never its bound values', async () => {
    const secret = 'reset-token-that-must-not-be-logged';
    const error = await getDb(env)
      .run(sql`select * from no_such_table where x = ${secret}`)
      .then(() => undefined, (e: unknown) => e);
    // Drizzle's own message carries the parameters, which is why it is not what gets logged.
    expect((error as Error).message).toContain(secret);
    const logged = loggableError(error);
    expect(logged).toContain('select * from no_such_table where x = ?');
    expect(logged).toContain('no such table');
    expect(logged).not.toContain(secret);
  });
});
