/**
 * Property-based fuzzing of every operation in GET /openapi.json: valid and hostile requests
 * through the Worker's real fetch handler. Whatever is sent, the answer is below 500, carries
 * X-Request-Id, an error is `{"detail": …}` in the contract's shape, and a 4xx changes nothing
 * in D1 or KV.
 *
 * Seeded (FUZZ_SEED, default fixed; operation i runs with seed FUZZ_SEED + i): a failure prints
 * the command that replays it, fast-check's `path` and the shrunk request. Explore with another
 * FUZZ_SEED and more runs per operation (`FUZZ_RUNS=<n>`).
 */
import { env, exports } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { issueAccessToken } from '../../src/services/access-tokens';
import { getDb } from '../../src/db/client';
import { emails, type User } from '../../src/db/schema';
import { fetchWorker, freshIp, openCheckout, placeOrder, seedProduct, seedSuperuser, seedUser } from '../support';
import { type Auth, examplesFor, type FuzzRequest, type OpenApiDocument, type Operation, requestsFor, type World } from './requests';
import { type Stored, snapshot } from './state';

const SEED = Number(env.FUZZ_SEED || 20261207);
/** Runs per operation: enough to reach every kind of variant, few enough for a loaded 2-core machine. */
const RUNS = Number(env.FUZZ_RUNS || 20);

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

const document = (await (await exports.default.fetch('http://localhost/openapi.json')).json()) as OpenApiDocument;
const operations: Operation[] = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => METHODS.includes(method))
    .map(([method, spec]) => ({ method, path, spec })),
);

interface Actors {
  user: User;
  superuser: User;
  'other-user': User;
}

/** A small shop for each operation: users, products, an order each, an open checkout, e-mails. */
async function seedWorld(): Promise<{ world: World; actors: Actors }> {
  const [user, superuser, other, onSale, second, hidden] = await Promise.all([
    seedUser({ isVerified: true }),
    seedSuperuser(),
    seedUser(),
    seedProduct(),
    seedProduct({ price: 999, quantity: 3 }),
    seedProduct({ isVisible: false }),
  ]);
  const [ownOrder, othersOrder] = await Promise.all([placeOrder(user, [[onSale, 1]]), placeOrder(other, [[second, 1]])]);
  const checkout = await openCheckout(user, [[onSale, 2], [second, 1]]);
  const emailIds = (await getDb(env).select({ id: emails.id }).from(emails).where(eq(emails.userId, user.id))).map((e) => e.id);
  const userIds = [user.id, superuser.id, other.id];
  const world: World = {
    known: {
      product_id: [onSale.id, second.id, hidden.id],
      order_id: [ownOrder.id, othersOrder.id],
      checkout_id: [checkout.checkout_id, ownOrder.checkout_id],
      cart_id: [checkout.cart_id],
      amount: [onSale.price * 2 + second.price],
      item_id: [1, 2],
      user_id: userIds,
      email: [user.email, other.email, superuser.email, user.email.toUpperCase()],
      username: [user.email, superuser.email],
      password: ['correct horse battery'],
      quantity: [1, 2, 3],
      status: ['pending', 'sent', 'failed'],
    },
    pathIds: {
      '/users/{id}:id': userIds,
      '/admin/emails/{id}/resend:id': emailIds,
    },
  };
  return { world, actors: { user, superuser, 'other-user': other } };
}

const base64url = (text: string) => btoa(text).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

/**
 * The Authorization header for a request: a token of the actor as stored now (a password change
 * ends older ones), read from the snapshot taken before it.
 */
async function authorization(auth: Auth, actors: Actors, stored: Stored): Promise<string | undefined> {
  if (auth.as === 'anonymous') return undefined;
  const actor = actors[auth.as];
  const row = stored.d1.users!.find((u) => u.id === actor.id);
  let token = await issueAccessToken(env, { ...actor, authVersion: Number(row?.auth_version ?? actor.authVersion) });
  if (auth.spoil === 'tamper') token = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
  if (auth.spoil === 'truncate') token = token.slice(0, -10);
  if (auth.spoil === 'alg-none') token = `${base64url('{"alg":"none","typ":"JWT"}')}.${token.split('.')[1]}.`;
  if (auth.spoil === 'garbage') token = 'x.y.z';
  if (auth.spoil === 'long') token += 'a'.repeat(10_000);
  return `${auth.scheme ?? 'Bearer'} ${token}`;
}

async function send(request: FuzzRequest, actors: Actors, stored: Stored): Promise<Response> {
  const headers = new Headers(request.headers);
  if (!headers.get('cf-connecting-ip')) headers.set('cf-connecting-ip', freshIp());
  const auth = await authorization(request.auth, actors, stored);
  if (auth !== undefined) headers.set('authorization', auth);
  let body: Uint8Array | undefined;
  if (request.body && request.method !== 'GET' && request.method !== 'HEAD') {
    if (request.body.contentType !== undefined) headers.set('content-type', request.body.contentType);
    // Bytes, so that fetch adds no Content-Type of its own.
    body = request.body.bytes ? new Uint8Array(request.body.bytes) : new TextEncoder().encode((request.body.text ?? '').repeat(request.body.repeat ?? 1));
  }
  const url = `http://localhost${request.path}${request.query ? `?${request.query}` : ''}`;
  // Waiting for the work after the answer too: the next request's snapshot must not see it land.
  return fetchWorker(url, { method: request.method, headers, body });
}

const LOCATIONS = ['body', 'query', 'path'];

/** The contract's error bodies (API.md §1): a string code, `{code, reason, …}` or a list of Pydantic items. */
function expectContractError(status: number, text: string, headers: Headers) {
  expect(headers.get('content-type')).toContain('application/json');
  const body = JSON.parse(text);
  expect(Object.keys(body)).toEqual(['detail']);
  const { detail } = body;
  if (Array.isArray(detail)) {
    expect(status).toBe(422);
    expect(detail.length).toBeGreaterThan(0);
    for (const item of detail) {
      expect(item).toMatchObject({ type: expect.any(String), msg: expect.any(String), loc: expect.any(Array) });
      expect(item).toHaveProperty('input');
      expect(LOCATIONS).toContain(item.loc[0]);
    }
  } else if (typeof detail === 'object') {
    expect(detail).toMatchObject({ code: expect.any(String), reason: expect.any(String) });
    expect(Object.keys(detail).slice(0, 2)).toEqual(['code', 'reason']);
  } else {
    expect(typeof detail).toBe('string');
    expect(detail).not.toBe('');
  }
  const plain: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 405: 'Method Not Allowed', 413: 'Request body too large', 429: 'Too Many Requests' };
  if (plain[status]) expect(detail).toBe(plain[status]);
  if (status === 401) expect(headers.has('www-authenticate')).toBe(false);
  if (status === 405) expect(headers.get('allow')).toBeTruthy();
  if (status === 429) expect(headers.get('retry-after')).toBeTruthy();
}

/** Request ids the contract promises to echo (API.md §1); the generator's sane ids are of this form. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

let last: { world: World; actors: Actors; cartKeys: string[]; seeded: Stored } | undefined;

/**
 * The world the previous operation used if its requests left every row and key as seeded
 * (reads, refusals), else a new one: an operation never starts with users, products or orders
 * that an earlier one deleted, deactivated or cancelled.
 */
async function worldFor() {
  if (last && JSON.stringify(await snapshot(last.cartKeys)) === JSON.stringify(last.seeded)) return last;
  const { world, actors } = await seedWorld();
  const cartKeys = Object.values(actors).map((actor) => `cart:${actor.id}`);
  last = { world, actors, cartKeys, seeded: await snapshot(cartKeys) };
  return last;
}

describe('fuzzing every operation of /openapi.json', () => {
  it('finds the operations to fuzz', () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
  });

  it.each(operations.map((operation, index) => [`${operation.method.toUpperCase()} ${operation.path}`, operation, index] as const))(
    '%s: below 500, contract-shaped errors, X-Request-Id, a 4xx changes nothing',
    async (name, operation, index) => {
      const { world, actors, cartKeys, seeded } = await worldFor();
      // What the last request left (only requests change D1 and KV here), so each run takes one snapshot.
      let before = seeded;
      const property = fc.asyncProperty(requestsFor(document, world, operation), async (request) => {
        const response = await send(request, actors, before);
        const text = await response.text();
        const previous = before;
        before = await snapshot(cartKeys);
        const answer = `answered ${response.status} ${text.slice(0, 300)}`;
        expect(response.status, answer).toBeLessThan(500);
        expect(response.headers.get('x-request-id'), answer).toBeTruthy();
        const offered = request.headers['x-request-id'];
        if (offered && SANE_REQUEST_ID.test(offered)) expect(response.headers.get('x-request-id')).toBe(offered);
        if (response.status >= 400) {
          if (request.method !== 'HEAD') expectContractError(response.status, text, response.headers);
          expect(before, `${answer}, and changed stored state`).toEqual(previous);
        }
      });
      // Each operation its own sequence, derived from the one seed a failure tells how to replay.
      try {
        const examples = examplesFor(document, world, operation).map((request) => [request] as [FuzzRequest]);
        await fc.assert(property, { seed: SEED + index, path: env.FUZZ_PATH || undefined, numRuns: RUNS, examples });
      } catch (error) {
        const replay = `Replay: FUZZ_SEED=${SEED} FUZZ_PATH=<the path below> npx vitest run test/fuzz -t '${name}'`;
        if (error instanceof Error) error.message = `${replay}\n${error.message}`;
        throw error;
      }
    },
  );
});
