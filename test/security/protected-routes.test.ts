import { describe, expect, it } from 'vitest';
import { api, type ApiResponse, nowSeconds, seedInactiveUser, seedSuperuser, seedUser, signJwt } from '../support';

/**
 * Every protected operation of the served OpenAPI document, checked the same way: no token, a
 * bad token or an inactive user's token is a 401; a regular user on a superuser operation is a
 * 403. The list comes from the document's security requirements, so a new route is covered the
 * day it is declared. Which operations are for superusers only is not in the document; the
 * lists below say it, and the test fails until a new operation that documents a 403 is in one.
 */
const SUPERUSER_ONLY = new Set([
  'getUser',
  'updateUser',
  'deleteUser',
  'createProduct',
  'updateProduct',
  'deleteProduct',
  'editOrder',
  'listEmails',
  'resendEmail',
]);
/** Operations whose 403 is for unverified users under REQUIRE_VERIFIED_LOGIN=true (see users.security). */
const FORBIDDEN_WHEN_UNVERIFIED = new Set(['authJwtLogout', 'getCurrentUser', 'updateCurrentUser']);

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

interface Operation {
  operationId: string;
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string; schema?: { type?: string } }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

const document = (await api<{ paths: Record<string, Record<string, Operation>> }>('GET', '/openapi.json')).body;
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => METHODS.includes(method))
    .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
);
/** Needs a token: a security requirement, none of them the anonymous `{}`. */
const isProtected = ({ security = [] }: Operation) => security.length > 0 && security.every((requirement) => Object.keys(requirement).length > 0);
const protectedOperations = operations.filter(({ operation }) => isProtected(operation));
const superuserOperations = protectedOperations.filter(({ operation }) => SUPERUSER_ONLY.has(operation.operationId));

/**
 * Sends the operation with ids of nothing that exists (an integer id of 2000000000, a fresh
 * UUID otherwise) and, where it takes a body, an empty object: authentication and the role
 * come before the id and the body, so only they decide a 401 or 403.
 */
function send({ method, path, operation }: (typeof operations)[number], token?: string): Promise<ApiResponse> {
  const concrete = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const parameter = operation.parameters?.find((p) => p.in === 'path' && p.name === name);
    return parameter?.schema?.type === 'integer' ? '2000000000' : crypto.randomUUID();
  });
  return api(method, concrete, { token, json: operation.requestBody ? {} : undefined });
}

const expectUnauthorized = (res: ApiResponse, why: string) => {
  expect(res.status, why).toBe(401);
  expect(res.body, why).toEqual({ detail: 'Unauthorized' });
  expect(res.headers.get('www-authenticate'), why).toBeNull();
};

const tableName = (op: (typeof operations)[number]) => `${op.method} ${op.path} (${op.operation.operationId})`;

describe('the protected operations, as the OpenAPI document lists them', () => {
  it('are the ones expected, and document their 401 and 403', () => {
    expect(protectedOperations.length).toBeGreaterThan(20);
    const ids = new Set(operations.map(({ operation }) => operation.operationId));
    for (const id of [...SUPERUSER_ONLY, ...FORBIDDEN_WHEN_UNVERIFIED]) expect(ids, `${id} is an operation`).toContain(id);
    for (const { operation } of protectedOperations) {
      const id = operation.operationId;
      expect(Object.keys(operation.responses), `${id} documents 401`).toContain('401');
      const documents403 = '403' in operation.responses;
      expect(documents403, `${id}: a 403 is documented exactly when a list above names it`).toBe(
        SUPERUSER_ONLY.has(id) || FORBIDDEN_WHEN_UNVERIFIED.has(id),
      );
    }
  });

  it.each(protectedOperations.map((op) => [tableName(op), op] as const))(
    '%s: 401 without a token, with a bad, tampered or expired one, and for an inactive user',
    async (_, op) => {
      const user = await seedUser();
      const inactive = await seedInactiveUser();
      const expired = await signJwt({ sub: user.id, aud: ['fastapi-users:auth'], exp: nowSeconds() - 1 });
      const tokens: [string, string | undefined][] = [
        ['no token', undefined],
        ['a token that is no JWT', 'not-a-jwt'],
        ['a token with a broken signature', `${user.token}x`],
        ['an expired token', expired],
        ["an inactive user's token", inactive.token],
      ];
      for (const [why, token] of tokens) expectUnauthorized(await send(op, token), why);
    },
  );

  it.each(protectedOperations.map((op) => [tableName(op), op] as const))(
    '%s: a regular user gets 403 exactly where only a superuser may go',
    async (_, op) => {
      // A user of their own each time: POST /auth/jwt/logout revokes the token it is sent.
      const { token } = await seedUser({ isVerified: true });
      const res = await send(op, token);
      if (SUPERUSER_ONLY.has(op.operation.operationId)) {
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ detail: 'Forbidden' });
      } else {
        expect([401, 403]).not.toContain(res.status);
      }
    },
  );

  it.each(superuserOperations.map((op) => [tableName(op), op] as const))(
    '%s: a superuser passes; an inactive superuser gets 401',
    async (_, op) => {
      const admin = await seedSuperuser();
      expect([401, 403]).not.toContain((await send(op, admin.token)).status);
      const inactiveAdmin = await seedSuperuser({ isActive: false });
      expectUnauthorized(await send(op, inactiveAdmin.token), "an inactive superuser's token");
    },
  );
});
