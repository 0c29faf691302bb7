import type { D1Database, KVNamespace, Queue, RateLimit } from '@cloudflare/workers-types';

/** Bindings and variables of the Worker, as declared in wrangler.toml. */
export interface Bindings {
  DB: D1Database;
  CARTS: KVNamespace;
  AUTH: KVNamespace;
  EMAIL_QUEUE: Queue<EmailQueueMessage>;
  LOGIN_LIMITER: RateLimit;
  REGISTER_LIMITER: RateLimit;
  SIGNUP_LIMITER: RateLimit;
  EMAIL_LIMITER: RateLimit;
  RESET_LIMITER: RateLimit;

  JWT_SECRET: string;
  ENVIRONMENT?: string;
  APP_URL?: string;
  SHOP_NAME?: string;
  CURRENCY?: string;
  EMAIL_PROVIDER?: string;
  EMAIL_FROM?: string;
  EMAIL_REPLY_TO?: string;
  RESEND_API_URL?: string;
  RESEND_API_KEY?: string;
  ACCESS_TOKEN_LIFETIME_SECONDS?: string;
  RESET_TOKEN_LIFETIME_SECONDS?: string;
  VERIFY_TOKEN_LIFETIME_SECONDS?: string;
  CHECKOUT_TTL_MINUTES?: string;
  REQUIRE_VERIFIED_LOGIN?: string;
  PASSWORD_MIN_LENGTH?: string;
  PASSWORD_MAX_LENGTH?: string;
  CORS_ORIGINS?: string;
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
