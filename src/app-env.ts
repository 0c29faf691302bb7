import type { Bindings } from './env';
import type { RequestD1 } from './db/metered-d1';
import type { User } from './db/schema';
import type { CacheOutcome } from './middleware/edge-cache';

export interface AccessClaims {
  sub: string;
  exp: number;
  jti?: string;
  ver?: number;
}

/** Hono environment shared by every route: bindings plus per-request variables. */
export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    requestId: string;
    /** The request's D1 session and its cost (src/middleware/request-context.ts); `c.env.DB` is its `db`. */
    d1: RequestD1;
    /** Set by `requireUser`/`requireSuperuser`. */
    user: User;
    /** The verified access token and its claims, for logout. */
    token: { raw: string; claims: AccessClaims };
    /** Set by `edgeCache` on the routes it serves, for the request's log line. */
    cache?: CacheOutcome;
    /** The request body's bytes as received, on the payment webhook paths (see readBody). */
    rawBody?: Uint8Array;
  };
}
