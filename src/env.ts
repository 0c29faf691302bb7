import type { D1Database, Fetcher, KVNamespace, Queue, RateLimit } from '@cloudflare/workers-types';
import type { ConfigVariables } from './config';

/**
 * Bindings of the Worker, as declared in wrangler.toml, and its variables: the configuration
 * variables (read only through `getConfig`, src/config.ts) and the JWT_SECRET secret.
 */
export interface Bindings extends ConfigVariables {
  DB: D1Database;
  CARTS: KVNamespace;
  AUTH: KVNamespace;
  EMAIL_QUEUE: Queue<EmailQueueMessage>;
  LOGIN_LIMITER: RateLimit;
  REGISTER_LIMITER: RateLimit;
  SIGNUP_LIMITER: RateLimit;
  EMAIL_LIMITER: RateLimit;
  RESET_LIMITER: RateLimit;
  /** swagger-ui-dist's files, for GET /docs (src/routes/docs). */
  ASSETS: Fetcher;

  JWT_SECRET: string;

  /**
   * Not a binding: set per request by src/middleware/request-context.ts, which runs the work
   * handed to it after the answer (`ExecutionContext.waitUntil`); see lib/background.ts.
   */
  afterAnswer?: (work: () => Promise<void>) => void;
}

/**
 * What travels through the e-mail queue: the id (the row in D1 is the truth) and the
 * idempotency key the row had when it was queued, so a dead letter from before a resend is
 * recognised as stale.
 */
export interface EmailQueueMessage {
  email_id: string;
  idempotency_key?: string;
}

/** An e-mail to queue: a freshly recorded one by id (its key is its id), or a row with its key. */
export type QueuedEmailRef = string | { id: string; idempotencyKey: string };

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {}
  }
}
