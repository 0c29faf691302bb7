import { z } from 'zod';
import type { PaymentProviderName } from './db/schema';

// A type-only import: vitest.config.ts loads this file natively, before any bundler.
const PAYMENT_PROVIDERS = ['manual', 'stripe', 'razorpay'] as const satisfies readonly PaymentProviderName[];

/**
 * The default of every configuration variable, written as it would be in wrangler.toml `[vars]`;
 * `undefined` means none (the variable is optional). This is the only place defaults live:
 * wrangler.toml sets only what a deployment must change, vitest.config.ts pins these for the
 * tests, and a test checks the README's table against this list.
 */
export const CONFIG_DEFAULTS = {
  ENVIRONMENT: 'production',
  APP_URL: 'https://shop.example.com',
  SHOP_NAME: 'Ashte',
  CURRENCY: 'INR',
  EMAIL_PROVIDER: 'resend',
  EMAIL_FROM: 'Ashte <no-reply@shop.example.com>',
  EMAIL_REPLY_TO: undefined,
  RESEND_API_URL: 'https://api.resend.com',
  RESEND_API_KEY: undefined,
  ACCESS_TOKEN_LIFETIME_SECONDS: '3600',
  RESET_TOKEN_LIFETIME_SECONDS: '3600',
  VERIFY_TOKEN_LIFETIME_SECONDS: '3600',
  REQUIRE_VERIFIED_LOGIN: 'false',
  PASSWORD_MIN_LENGTH: '8',
  PASSWORD_MAX_LENGTH: '128',
  CHECKOUT_TTL_MINUTES: '30',
  CORS_ORIGINS: '*',
  PAYMENT_PROVIDER: 'manual',
  UNPAID_ORDER_TTL_MINUTES: '30',
  PAYMENT_PROVIDER_TIMEOUT_SECONDS: '10',
  STRIPE_API_URL: 'https://api.stripe.com',
  STRIPE_SECRET_KEY: undefined,
  STRIPE_WEBHOOK_SECRET: undefined,
  RAZORPAY_API_URL: 'https://api.razorpay.com',
  RAZORPAY_KEY_ID: undefined,
  RAZORPAY_KEY_SECRET: undefined,
  RAZORPAY_WEBHOOK_SECRET: undefined,
} as const satisfies Record<string, string | undefined>;

export type ConfigVariable = keyof typeof CONFIG_DEFAULTS;

/** The configuration variables as the Worker receives them (see `Bindings`). */
export type ConfigVariables = { [K in ConfigVariable]?: string };

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

const wholeNumber = (min: number) =>
  z.string().transform((text, ctx) => {
    const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
    if (Number.isSafeInteger(value) && value >= min) return value;
    ctx.addIssue({ code: 'custom', message: `must be a whole number of at least ${min}` });
    return z.NEVER;
  });

const flag = () =>
  z.string().transform((text, ctx) => {
    const word = text.trim().toLowerCase();
    if (TRUE_WORDS.includes(word)) return true;
    if (FALSE_WORDS.includes(word)) return false;
    ctx.addIssue({ code: 'custom', message: `must be one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')}` });
    return z.NEVER;
  });

/** An http(s) URL; trailing slashes are dropped, so paths can be appended. */
const baseUrl = () =>
  z
    .string()
    .trim()
    .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), 'must be an http(s) URL')
    .transform((text) => text.replace(/\/+$/, ''));

const optionalText = () => z.string().optional();

const ConfigSchema = z
  .object({
    ENVIRONMENT: z.string().trim(),
    APP_URL: baseUrl(),
    SHOP_NAME: z.string().trim().min(1, 'must not be blank'),
    CURRENCY: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{3}$/, 'must be a three-letter ISO 4217 code')
      .transform((code) => code.toUpperCase()),
    // Any name: an unknown provider holds e-mails back and says so in the log (email/providers).
    EMAIL_PROVIDER: z.string().trim(),
    EMAIL_FROM: z.string().trim().min(1, 'must not be blank'),
    EMAIL_REPLY_TO: optionalText(),
    RESEND_API_URL: baseUrl(),
    RESEND_API_KEY: optionalText(),
    ACCESS_TOKEN_LIFETIME_SECONDS: wholeNumber(1),
    RESET_TOKEN_LIFETIME_SECONDS: wholeNumber(1),
    VERIFY_TOKEN_LIFETIME_SECONDS: wholeNumber(1),
    REQUIRE_VERIFIED_LOGIN: flag(),
    PASSWORD_MIN_LENGTH: wholeNumber(1),
    PASSWORD_MAX_LENGTH: wholeNumber(1),
    CHECKOUT_TTL_MINUTES: wholeNumber(1),
    CORS_ORIGINS: z
      .string()
      .transform((text): '*' | string[] => (text.trim() === '*' ? '*' : text.split(',').map((origin) => origin.trim()))),
    // Unlike EMAIL_PROVIDER, a misspelt payment provider must not quietly take orders unpaid.
    PAYMENT_PROVIDER: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(PAYMENT_PROVIDERS, { message: `must be one of ${PAYMENT_PROVIDERS.join(', ')}` })),
    UNPAID_ORDER_TTL_MINUTES: wholeNumber(1),
    PAYMENT_PROVIDER_TIMEOUT_SECONDS: wholeNumber(1),
    STRIPE_API_URL: baseUrl(),
    STRIPE_SECRET_KEY: optionalText(),
    STRIPE_WEBHOOK_SECRET: optionalText(),
    RAZORPAY_API_URL: baseUrl(),
    RAZORPAY_KEY_ID: optionalText(),
    RAZORPAY_KEY_SECRET: optionalText(),
    RAZORPAY_WEBHOOK_SECRET: optionalText(),
  } satisfies Record<ConfigVariable, z.ZodType>)
  .refine((vars) => vars.PASSWORD_MIN_LENGTH <= vars.PASSWORD_MAX_LENGTH, {
    path: ['PASSWORD_MIN_LENGTH'],
    message: 'must not be greater than PASSWORD_MAX_LENGTH',
  })
  .transform((vars) => ({
    environment: vars.ENVIRONMENT,
    isDevelopment: vars.ENVIRONMENT === 'development',
    appUrl: vars.APP_URL,
    shopName: vars.SHOP_NAME,
    currency: vars.CURRENCY,
    emailProvider: vars.EMAIL_PROVIDER,
    emailFrom: vars.EMAIL_FROM,
    emailReplyTo: vars.EMAIL_REPLY_TO,
    resendApiUrl: vars.RESEND_API_URL,
    resendApiKey: vars.RESEND_API_KEY,
    accessTokenLifetime: vars.ACCESS_TOKEN_LIFETIME_SECONDS,
    resetTokenLifetime: vars.RESET_TOKEN_LIFETIME_SECONDS,
    verifyTokenLifetime: vars.VERIFY_TOKEN_LIFETIME_SECONDS,
    requireVerifiedLogin: vars.REQUIRE_VERIFIED_LOGIN,
    passwordMinLength: vars.PASSWORD_MIN_LENGTH,
    passwordMaxLength: vars.PASSWORD_MAX_LENGTH,
    checkoutTtlMinutes: vars.CHECKOUT_TTL_MINUTES,
    corsOrigins: vars.CORS_ORIGINS,
    paymentProvider: vars.PAYMENT_PROVIDER,
    unpaidOrderTtlMinutes: vars.UNPAID_ORDER_TTL_MINUTES,
    paymentProviderTimeoutMs: vars.PAYMENT_PROVIDER_TIMEOUT_SECONDS * 1000,
    stripe: {
      apiUrl: vars.STRIPE_API_URL,
      secretKey: vars.STRIPE_SECRET_KEY,
      webhookSecret: vars.STRIPE_WEBHOOK_SECRET,
    },
    razorpay: {
      apiUrl: vars.RAZORPAY_API_URL,
      keyId: vars.RAZORPAY_KEY_ID,
      keySecret: vars.RAZORPAY_KEY_SECRET,
      webhookSecret: vars.RAZORPAY_WEBHOOK_SECRET,
    },
  }));

export type Config = z.output<typeof ConfigSchema>;

/** A configuration variable that cannot be used; the message names it and says what it must be. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const shown = (value: unknown) => JSON.stringify(String(value).slice(0, 100));

/**
 * Reads the configuration from the Worker's variables: an unset or empty variable takes its
 * default; a malformed one throws a ConfigError naming it (it never silently becomes the default).
 */
export function parseConfig(env: ConfigVariables): Config {
  const vars: Record<string, string | undefined> = {};
  for (const name of Object.keys(CONFIG_DEFAULTS) as ConfigVariable[]) {
    // wrangler passes an unquoted TOML number or boolean through as one.
    const value: unknown = env[name];
    vars[name] = value === undefined || value === null || value === '' ? CONFIG_DEFAULTS[name] : String(value);
  }
  const result = ConfigSchema.safeParse(vars);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    return `${name} ${issue.message} (it is ${shown(vars[name])})`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

/** Parsed once per `env` object: the Worker's env lives as long as its isolate. */
const parsed = new WeakMap<object, Config>();

/** The configuration of this request's `env`, parsed on first use and cached for the isolate. */
export function getConfig(env: ConfigVariables): Config {
  let config = parsed.get(env);
  if (!config) {
    config = parseConfig(env);
    parsed.set(env, config);
  }
  return config;
}
