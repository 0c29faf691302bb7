import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            ENVIRONMENT: 'development',
            EMAIL_PROVIDER: 'mailbox',
            APP_URL: 'http://localhost:8787',
            JWT_SECRET: 'test-secret-that-is-at-least-32-bytes-long!!',
            RESEND_API_KEY: 're_test_key',
            // The documented defaults, so a developer's .dev.vars never changes what tests see.
            RESEND_API_URL: 'https://api.resend.com',
            REQUIRE_VERIFIED_LOGIN: 'false',
            PASSWORD_MIN_LENGTH: '8',
            PASSWORD_MAX_LENGTH: '128',
            ACCESS_TOKEN_LIFETIME_SECONDS: '3600',
            RESET_TOKEN_LIFETIME_SECONDS: '3600',
            VERIFY_TOKEN_LIFETIME_SECONDS: '3600',
            CHECKOUT_TTL_MINUTES: '30',
            CURRENCY: 'INR',
            SHOP_NAME: 'Ashte',
            CORS_ORIGINS: '*',
          },
        },
      }),
    ],
    test: {
      include: ['test/**/*.test.ts'],
      setupFiles: ['./test/apply-migrations.ts'],
      testTimeout: 30_000,
      silent: 'passed-only' as const,
      reporters: ['default', './test/summary-reporter.ts'],
    },
  };
});
