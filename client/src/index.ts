// A typed client for the Ashte API: the types in schema.d.ts are generated from openapi.json by
// openapi-typescript (`npm run openapi:write` at the repository root); openapi-fetch makes the calls.
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema';

export type { components, operations, paths } from './schema';

export interface AshteClientOptions {
  /** Where the API is served, e.g. `https://shop.example.com` (the document's server is `/`). */
  baseUrl: string;
  /** A fetch to call instead of the global one (a test's worker, a service binding). */
  fetch?: (request: Request) => Promise<Response>;
  /** An access token from `POST /auth/jwt/login`, sent on every request as `Authorization: Bearer …`. */
  token?: string;
}

export type AshteClient = Client<paths>;

/**
 * `client.GET('/products/{product_id}', { params: { path: { product_id: 1 } } })` and so on:
 * paths, parameters, bodies and answers are typed by the OpenAPI document. The one form-encoded
 * route, `POST /auth/jwt/login`, needs `headers: { 'Content-Type': 'application/x-www-form-urlencoded' }`.
 */
export function createAshteClient({ baseUrl, fetch, token }: AshteClientOptions): AshteClient {
  return createClient<paths>({
    baseUrl,
    ...(fetch && { fetch }),
    ...(token && { headers: { Authorization: `Bearer ${token}` } }),
  });
}
