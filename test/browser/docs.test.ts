/**
 * GET /docs in headless Chromium (Debian's, driven by playwright-core) against a real local
 * Worker started by wrangler, with every request to anywhere but that Worker aborted: the page
 * lists the operations, authorises with a real login and runs a request.
 */
import { expect, it } from 'vitest';
import { describeInBrowser, guardedPage } from './harness';

const PASSWORD = 'correct horse battery';

describeInBrowser('GET /docs in Chromium, with the network beyond the Worker blocked', (world) => {
  it('lists the operations, authorises with a login and runs GET /users/me from the page', async () => {
    const email = `docs.${Date.now()}@example.com`;
    const registered = await fetch(`${world.origin}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(registered.status).toBe(201);

    const { page, blocked, problems } = await guardedPage(world, { consoleErrors: true });

    const response = await page.goto(`${world.origin}/docs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['x-request-id']).toBeTruthy();

    // Every operation of the document is listed.
    const document = (await (await fetch(`${world.origin}/openapi.json`)).json()) as { paths: Record<string, object> };
    const operationCount = Object.values(document.paths).reduce((sum, item) => sum + Object.keys(item).length, 0);
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBe(operationCount);
    const me = page.locator('.opblock-get:has([data-path="/users/me"])');
    await expect.poll(() => me.count()).toBe(1);

    // Authorise through the OAuth2 password flow: the page posts the form to POST /auth/jwt/login.
    await page.locator('.auth-wrapper button.authorize').click();
    await page.locator('#oauth_username').fill(email);
    await page.locator('#oauth_password').fill(PASSWORD);
    const login = page.waitForResponse((r) => r.url() === `${world.origin}/auth/jwt/login`);
    await page.locator('.auth-btn-wrapper button.authorize').click();
    expect((await login).status()).toBe(200);
    await page.locator('.auth-btn-wrapper button:has-text("Logout")').waitFor();
    await page.locator('.auth-btn-wrapper button.btn-done').click();

    // Try it out → Execute on GET /users/me: a 200 with the user, sent with the token.
    await me.locator('.opblock-summary').click();
    await me.locator('button.try-out__btn').click();
    const call = page.waitForResponse((r) => r.url() === `${world.origin}/users/me`);
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
