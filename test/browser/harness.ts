/**
 * What every browser test shares: Debian's Chromium driven by playwright-core against a real
 * local Worker started by wrangler (its own in-memory storage, a free port), and pages that may
 * load nothing but that Worker.
 * Without Chromium the tests are skipped, saying so, except in CI (`CI=true`), where that is a
 * failure: `.ci/run` installs Chromium, so CI always runs them.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';
import { createTestHarness, type TestHarness } from 'wrangler';
import { CONFIG_DEFAULTS } from '../../src/config.ts';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Node's fs through `process`: the project's types are the Workers', and @types/node is not installed.
const hasChromium: boolean = process.getBuiltinModule('node:fs').existsSync(CHROMIUM);

export const skipBrowserTests = !hasChromium && !process.env.CI;
if (skipBrowserTests) {
  // Straight to stderr: vitest hides console output of tests that did not fail.
  process.stderr.write(`\ntest/browser skipped: no Chromium at ${CHROMIUM}; install it (apt-get install chromium) or set CHROMIUM_PATH.\n\n`);
}

export interface BrowserWorld {
  /** The local Worker's origin, e.g. http://127.0.0.1:PORT. */
  origin: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Starts a development Worker (mailbox e-mail) with migrations applied, and Chromium. */
export async function startBrowserWorld(): Promise<BrowserWorld> {
  // The app reads nothing from request.cf; without this wrangler looks it up online.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  const defaults = Object.fromEntries(Object.entries(CONFIG_DEFAULTS).filter(([, value]) => value !== undefined));
  const server: TestHarness = createTestHarness({
    workers: [
      {
        configPath: './wrangler.toml',
        vars: { ...defaults, ENVIRONMENT: 'development', EMAIL_PROVIDER: 'mailbox' },
        secrets: { JWT_SECRET: 'browser-test-secret-at-least-32-bytes-long' },
      },
    ],
  });
  const origin = (await server.listen()).url.origin;
  await server.getWorker().applyD1Migrations('DB');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  return {
    origin,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

export interface GuardedPage {
  page: Page;
  /** URLs the page tried to load from anywhere but the Worker (each was aborted). */
  blocked: string[];
  /** The page's script errors (and console errors, with `consoleErrors`). */
  problems: string[];
}

/** A page that may load nothing but the Worker; what it tried elsewhere and its errors are collected. */
export async function guardedPage(world: BrowserWorld, options: { consoleErrors?: boolean } = {}): Promise<GuardedPage> {
  const page = await world.browser.newPage();
  const blocked: string[] = [];
  const problems: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === world.origin) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  if (options.consoleErrors) {
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
  }
  return { page, blocked, problems };
}

/**
 * A describe block with one Worker and Chromium for all its tests (skipped without Chromium);
 * `world` is filled in before the first test runs.
 */
export function describeInBrowser(name: string, tests: (world: BrowserWorld) => void): void {
  describe.skipIf(skipBrowserTests)(name, () => {
    const world = {} as BrowserWorld;
    beforeAll(async () => {
      Object.assign(world, await startBrowserWorld());
    });
    afterAll(() => world.close?.());
    tests(world);
  });
}
