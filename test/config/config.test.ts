import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import readme from '../../README.md?raw';
import { createApp } from '../../src/app';
import { CONFIG_DEFAULTS, ConfigError, getConfig, parseConfig } from '../../src/config';

/** Secrets read straight from the bindings, not through the configuration schema. */
const BINDING_SECRETS = ['JWT_SECRET'];

/** The README's configuration table: each variable named in a row, with the default the row gives it. */
function documentedDefaults(): Map<string, string | undefined> {
  const section = readme.split(/^## /m).find((part) => part.startsWith('Configuration\n'));
  if (!section) throw new Error('README has no "## Configuration" section');
  const lines = section.split('\n');
  const header = lines.findIndex((line) => line.startsWith('| Name | Default |'));
  const end = lines.findIndex((line, i) => i > header && !line.startsWith('|'));
  const rows = lines.slice(header + 2, end);
  const documented = new Map<string, string | undefined>();
  for (const row of rows) {
    const [names = '', defaults = ''] = row.split('|').slice(1, 3);
    const variables = [...names.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!);
    // What a deployment gets: the values outside parentheses (those say what is used locally).
    const values = [...defaults.replace(/\([^)]*\)/g, '').matchAll(/`([^`]*)`/g)].map((m) => m[1]!);
    for (const [i, name] of variables.entries()) documented.set(name, defaults.trim().startsWith('—') ? undefined : values[i]);
  }
  return documented;
}

describe('configuration', () => {
  it('the README table lists every variable with the default the schema has, and nothing else', () => {
    const documented = documentedDefaults();
    for (const secret of BINDING_SECRETS) documented.delete(secret);
    expect(Object.fromEntries(documented)).toEqual(CONFIG_DEFAULTS);
  });

  it('gives every unset or empty variable its default', () => {
    const config = parseConfig({ PASSWORD_MIN_LENGTH: '', APP_URL: 'https://shop.example.com/' });
    expect(config).toMatchObject({
      environment: 'production',
      isDevelopment: false,
      appUrl: 'https://shop.example.com',
      emailProvider: 'resend',
      passwordMinLength: 8,
      passwordMaxLength: 128,
      requireVerifiedLogin: false,
      corsOrigins: '*',
      emailReplyTo: undefined,
    });
  });

  it('reads numbers, flags, currency codes and origin lists', () => {
    const config = parseConfig({
      CHECKOUT_TTL_MINUTES: ' 45 ',
      REQUIRE_VERIFIED_LOGIN: 'Yes',
      CURRENCY: 'eur',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config).toMatchObject({
      checkoutTtlMinutes: 45,
      requireVerifiedLogin: true,
      currency: 'EUR',
      corsOrigins: ['https://a.example', 'https://b.example'],
    });
  });

  it('reads the payment settings: provider in any letter case, minutes, a timeout in seconds, base URLs without trailing slashes', () => {
    const config = parseConfig({ PAYMENT_PROVIDER: ' Stripe ', UNPAID_ORDER_TTL_MINUTES: '15', PAYMENT_PROVIDER_TIMEOUT_SECONDS: '3', STRIPE_API_URL: 'http://localhost:12111/' });
    expect(config).toMatchObject({ paymentProvider: 'stripe', unpaidOrderTtlMinutes: 15, paymentProviderTimeoutMs: 3000, stripe: { apiUrl: 'http://localhost:12111' } });
    expect(parseConfig({})).toMatchObject({ paymentProvider: 'manual', unpaidOrderTtlMinutes: 30, razorpay: { apiUrl: 'https://api.razorpay.com', keyId: undefined } });
  });

  it.each([
    ['PASSWORD_MIN_LENGTH', 'eight'],
    ['ACCESS_TOKEN_LIFETIME_SECONDS', '0'],
    ['CHECKOUT_TTL_MINUTES', '30 minutes'],
    ['CHECKOUT_TTL_MINUTES', '1.5'],
    ['REQUIRE_VERIFIED_LOGIN', 'maybe'],
    ['APP_URL', 'shop.example.com'],
    ['CURRENCY', 'RUPEES'],
    ['PAYMENT_PROVIDER', 'paypal'],
    ['UNPAID_ORDER_TTL_MINUTES', '0'],
    ['STRIPE_API_URL', 'api.stripe.com'],
  ])('refuses %s=%j with an error naming it, never falling back to the default', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrowError(ConfigError);
    expect(() => parseConfig({ [name]: value })).toThrowError(new RegExp(`${name} must .*\\(it is "${value}"\\)`));
  });

  it('refuses a minimum password length above the maximum', () => {
    expect(() => parseConfig({ PASSWORD_MIN_LENGTH: '20', PASSWORD_MAX_LENGTH: '10' })).toThrowError(
      /PASSWORD_MIN_LENGTH must not be greater than PASSWORD_MAX_LENGTH/,
    );
  });

  it('parses an env object once and keeps the result for it', () => {
    const bindings = { ...env };
    expect(getConfig(bindings)).toBe(getConfig(bindings));
    expect(getConfig({ ...env, CURRENCY: 'USD' }).currency).toBe('USD');
  });

  it('answers 500 and logs the variable when the configuration is malformed', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await createApp().request('/health', {}, { ...env, PASSWORD_MAX_LENGTH: 'lots' });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ detail: 'Internal Server Error' });
    expect(errors.mock.calls.flat().join('\n')).toContain('PASSWORD_MAX_LENGTH must be a whole number');
    errors.mockRestore();
  });
});
