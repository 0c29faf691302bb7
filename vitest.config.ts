import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { CONFIG_DEFAULTS } from './src/config.ts';

const configDefaults = Object.fromEntries(Object.entries(CONFIG_DEFAULTS).filter(([, value]) => value !== undefined));

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    test: {
      silent: 'passed-only' as const,
      reporters: ['default', './test/summary-reporter.ts'],
      projects: [
        {
          // Everything but the browser test: inside workerd, against real local D1, KV and Queues.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  // The defaults of src/config.ts, so a .dev.vars (which the plugin reads if present) never changes what tests see,
                  // then what the tests need to differ from them.
                  ...configDefaults,
                  ENVIRONMENT: 'development',
                  EMAIL_PROVIDER: 'mailbox',
                  APP_URL: 'http://localhost:8787',
                  JWT_SECRET: 'test-secret-that-is-at-least-32-bytes-long!!',
                  RESEND_API_KEY: 're_test_key',
                  // Payment providers: addresses only fetchMock answers, and test-only secrets (test/support/payments.ts).
                  STRIPE_API_URL: 'https://stripe.test',
                  STRIPE_SECRET_KEY: 'sk_test_ashte',
                  STRIPE_WEBHOOK_SECRET: 'whsec_test_ashte',
                  RAZORPAY_API_URL: 'https://razorpay.test',
                  RAZORPAY_KEY_ID: 'rzp_test_ashte',
                  RAZORPAY_KEY_SECRET: 'rzp_test_secret_ashte',
                  RAZORPAY_WEBHOOK_SECRET: 'rzp_webhook_secret_ashte',
                  // test/fuzz: replay or explore (see there).
                  FUZZ_SEED: process.env.FUZZ_SEED ?? '',
                  FUZZ_PATH: process.env.FUZZ_PATH ?? '',
                  FUZZ_RUNS: process.env.FUZZ_RUNS ?? '',
                },
              },
            }),
          ],
          test: {
            name: 'workers',
            include: ['test/**/*.test.ts'],
            exclude: ['test/browser/**', 'test/scripts/**'],
            setupFiles: ['./test/apply-migrations.ts'],
            testTimeout: 30_000,
          },
        },
        {
          // A real local Worker (wrangler) and headless Chromium, from Node.
          test: {
            name: 'browser',
            include: ['test/browser/**/*.test.ts'],
            environment: 'node',
            testTimeout: 120_000,
            hookTimeout: 120_000,
          },
        },
        {
          // The npm scripts (scripts/), run as a person or a CI job runs them, from Node.
          test: {
            name: 'scripts',
            include: ['test/scripts/**/*.test.ts'],
            environment: 'node',
            testTimeout: 120_000,
          },
        },
      ],
    },
  };
});
