/**
 * GET /docs in headless Chromium (Debian's, driven by playwright-core) against a real local
 * Worker started by wrangler, with every request to anywhere but that Worker aborted: the page
 * lists the operations, authorises with a real login and runs a request.
 * Skipped, saying so, when there is no Chromium, except in CI (`.ci/run` installs it).
 */
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHarness, type TestHarness } from 'wrangler';
import { CONFIG_DEFAULTS } from '../../src/config.ts';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Node's fs through `process` (typed `any` here): the project's types are the Workers', and @types/node is not installed.
const hasChromium: boolean = process.getBuiltinModule('node:fs').existsSync(CHROMIUM);
// In CI (`CI=true`) a missing Chromium fails the test instead: .ci/run installs it, so CI always runs it.
const skip = !hasChromium && !process.env.CI;
if (skip) {
  // Straight to stderr: vitest hides console output of tests that did not fail.
  process.stderr.write(`\ntest/browser skipped: no Chromium at ${CHROMIUM}; install it (apt-get install chromium) or set CHROMIUM_PATH.\n\n`);
}

const PASSWORD = 'correct horse battery';

describe.skipIf(skip)('GET /docs in Chromium, with the network beyond the Worker blocked', () => {
  let server: TestHarness;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    // The app reads nothing from request.cf; without this wrangler looks it up online.
    process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
    const defaults = Object.fromEntries(Object.entries(CONFIG_DEFAULTS).filter(([, value]) => value !== undefined));
    // Storage lives with this server session only, never in .wrangler/state.
    server = createTestHarness({
      workers: [
        {
          configPath: './wrangler.toml',
          vars: { ...defaults, ENVIRONMENT: 'development', EMAIL_PROVIDER: 'mailbox' },
          secrets: { JWT_SECRET: 'browser-test-secret-at-least-32-bytes-long' },
        },
      ],
    });
    origin = (await server.listen()).url.origin;
    await server.getWorker().applyD1Migrations('DB');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists the operations, authorises with a login and runs GET /users/me from the page', async () => {
    const email = `docs.${Date.now()}@example.com`;
    const registered = await fetch(`${origin}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(registered.status).toBe(201);

    const page = await browser.newPage();
    const blocked: string[] = [];
    const problems: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });

    const response = await page.goto(`${origin}/docs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['x-request-id']).toBeTruthy();

    // Every operation of the document is listed.
    const document = (await (await fetch(`${origin}/openapi.json`)).json()) as { paths: Record<string, object> };
    const operationCount = Object.values(document.paths).reduce((sum, item) => sum + Object.keys(item).length, 0);
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBe(operationCount);
    const me = page.locator('.opblock-get:has([data-path="/users/me"])');
    await expect.poll(() => me.count()).toBe(1);

    // Authorise through the OAuth2 password flow: the page posts the form to POST /auth/jwt/login.
    await page.locator('.auth-wrapper button.authorize').click();
    await page.locator('#oauth_username').fill(email);
    await page.locator('#oauth_password').fill(PASSWORD);
    const login = page.waitForResponse((r) => r.url() === `${origin}/auth/jwt/login`);
    await page.locator('.auth-btn-wrapper button.authorize').click();
    expect((await login).status()).toBe(200);
    await page.locator('.auth-btn-wrapper button:has-text("Logout")').waitFor();
    await page.locator('.auth-btn-wrapper button.btn-done').click();

    // Try it out → Execute on GET /users/me: a 200 with the user, sent with the token.
    await me.locator('.opblock-summary').click();
    await me.locator('button.try-out__btn').click();
    const call = page.waitForResponse((r) => r.url() === `${origin}/users/me`);
    await me.locator('button.execute').click();
    const answered = await call;
    expect(answered.status()).toBe(200);
    expect(answered.request().headers().authorization).toMatch(/^Bearer ey/);
    const row = me.locator('.live-responses-table tbody tr').first();
    await expect.poll(() => row.locator('.response-col_status').textContent()).toContain('200');
    await expect.poll(() => row.locator('.response-col_description').textContent()).toContain(email);

    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
