import committedDocument from '../../openapi.json?raw';
import { describe, expect, it } from 'vitest';
import { api, } from '../support';

type Operation = { operationId?: string; summary?: string; tags?: string[]; security?: Record<string, string[]>[] };
type Document = { tags: { name: string }[]; paths: Record<string, Record<string, Operation>> };

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

async function servedDocument() {
  const res = await api<Document>('GET', '/openapi.json');
  expect(res.status).toBe(200);
  return res;
}

async function operations() {
  const { body } = await servedDocument();
  return Object.entries(body.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}

/** A concrete URL for a templated path: `1` fits every id (a malformed one would be a 404 too). */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, '1');

describe('the OpenAPI document', () => {
  it('is the committed openapi.json, byte for byte (run `npm run openapi:write` after changing a route)', async () => {
    const { body } = await servedDocument();
    expect(`${JSON.stringify(body, null, 2)}\n`).toBe(committedDocument);
  });

  it('gives every operation a unique camelCase operationId, a summary and declared tags', async () => {
    const { body } = await servedDocument();
    const declaredTags = body.tags.map((tag) => tag.name);
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(30);
    for (const { method, path, operation } of ops) {
      const where = `${method} ${path}`;
      expect(operation.operationId, where).toMatch(/^[a-z][a-zA-Z0-9]*$/);
      expect(operation.summary, where).toBeTruthy();
      expect(operation.tags?.length, where).toBeGreaterThan(0);
      for (const tag of operation.tags!) expect(declaredTags, where).toContain(tag);
    }
    const ids = ops.map((op) => op.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('names stable operationIds for the contract’s examples', async () => {
    const byId = new Map((await operations()).map((op) => [op.operation.operationId, `${op.method} ${op.path}`]));
    expect(byId.get('authJwtLogin')).toBe('POST /auth/jwt/login');
    expect(byId.get('listProducts')).toBe('GET /products');
    expect(byId.get('getProduct')).toBe('GET /products/{product_id}');
    expect(byId.get('createOrder')).toBe('POST /orders/create');
  });

  it('says on every operation whether it needs a token, and the worker agrees', async () => {
    for (const { method, path, operation } of await operations()) {
      const where = `${method} ${path}`;
      const security = operation.security;
      expect(security, `${where} declares its security`).toBeDefined();
      const anonymousAllowed = security!.length === 0 || security!.some((requirement) => Object.keys(requirement).length === 0);
      const tokenSchemes = security!.flatMap((requirement) => Object.keys(requirement));
      // Public operations say so with `security: []`; the catalog reads, open to all but richer for a
      // superuser, list the anonymous requirement `{}` next to the bearer token.
      expect(tokenSchemes.every((scheme) => scheme === 'OAuth2PasswordBearer'), where).toBe(true);
      if (!anonymousAllowed) expect(tokenSchemes, where).toContain('OAuth2PasswordBearer');
      const res = await api(method, concrete(path));
      if (anonymousAllowed) expect(res.status, `${where} without a token`).not.toBe(401);
      else expect(res.status, `${where} without a token`).toBe(401);
    }
  });
});
