import type { Bindings } from './env';

function int(value: string | undefined, fallback: number, min = 0): number {
  const parsed = Number.parseInt(value ?? '', 10);
  return Number.isFinite(parsed) && parsed >= min ? parsed : fallback;
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

/** Typed view of the configuration variables, with the documented defaults. */
export function getConfig(env: Bindings) {
  return {
    environment: env.ENVIRONMENT ?? 'production',
    isDevelopment: env.ENVIRONMENT === 'development',
    appUrl: (env.APP_URL ?? 'http://localhost:8787').replace(/\/+$/, ''),
    shopName: env.SHOP_NAME ?? 'Ashte',
    currency: (env.CURRENCY ?? 'INR').toUpperCase(),
    emailProvider: env.EMAIL_PROVIDER ?? 'mailbox',
    emailFrom: env.EMAIL_FROM ?? 'Ashte <no-reply@example.com>',
    emailReplyTo: env.EMAIL_REPLY_TO || undefined,
    resendApiUrl: (env.RESEND_API_URL ?? 'https://api.resend.com').replace(/\/+$/, ''),
    resendApiKey: env.RESEND_API_KEY || undefined,
    accessTokenLifetime: int(env.ACCESS_TOKEN_LIFETIME_SECONDS, 3600, 1),
    resetTokenLifetime: int(env.RESET_TOKEN_LIFETIME_SECONDS, 3600, 1),
    verifyTokenLifetime: int(env.VERIFY_TOKEN_LIFETIME_SECONDS, 3600, 1),
    checkoutTtlMinutes: int(env.CHECKOUT_TTL_MINUTES, 30, 1),
    requireVerifiedLogin: bool(env.REQUIRE_VERIFIED_LOGIN, false),
    passwordMinLength: int(env.PASSWORD_MIN_LENGTH, 8, 1),
    passwordMaxLength: int(env.PASSWORD_MAX_LENGTH, 128, 1),
  };
}

export type Config = ReturnType<typeof getConfig>;
