/**
 * The development pages in headless Chromium (Debian's, driven by playwright-core) against a
 * real local Worker started by wrangler, with every request to anywhere but that Worker
 * aborted: the mailbox page shows an e-mail and its links, the /verify page verifies the
 * account, and the /reset-password page refuses a weak password and sets a good one.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeInBrowser, guardedPage as openGuardedPage } from './harness';

const PASSWORD = 'correct horse battery';

describeInBrowser('the development pages in Chromium, with the network beyond the Worker blocked', (world) => {
  const post = (path: string, body: unknown) =>
    fetch(`${world.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const login = (email: string, password: string) =>
    fetch(`${world.origin}/auth/jwt/login`, { method: 'POST', body: new URLSearchParams({ username: email, password }) });

  const guardedPage = () => openGuardedPage(world);

  /** The e-mail's link of this kind, from the JSON mailbox, moved to this Worker's origin (APP_URL is elsewhere). */
  async function linkTo(email: string, kind: '/verify' | '/reset-password') {
    const mailbox = (await (await fetch(`${world.origin}/dev/mailbox?to=${encodeURIComponent(email)}`)).json()) as { links: string[] }[];
    const link = mailbox.flatMap((m) => m.links).find((l) => new URL(l).pathname === kind);
    expect(link).toBeTruthy();
    const url = new URL(link!);
    return `${world.origin}${url.pathname}${url.search}`;
  }

  const outcome = (page: Page) => page.locator('#result[data-outcome]');

  it('shows the mailbox as a page, and its verification link verifies the account', async () => {
    const email = `pages.${Date.now()}@example.com`;
    expect((await post('/auth/register', { email, password: PASSWORD })).status).toBe(201);
    const { page, blocked, problems } = await guardedPage();

    const mailbox = await page.goto(`${world.origin}/dev/mailbox?to=${encodeURIComponent(email)}`);
    expect(mailbox?.status()).toBe(200);
    expect(mailbox?.headers()['content-type']).toBe('text/html; charset=UTF-8');
    expect(await page.locator('h1').textContent()).toBe(`E-mails to ${email}`);
    expect(await page.locator('article h2').textContent()).toBe('Verify your e-mail address for Ashte');
    expect(await page.locator('article a[href*="/verify?token="]').count()).toBe(1);
    expect(await page.locator('iframe').getAttribute('sandbox')).toBe('');
    const frame = page.frames().find((f) => f !== page.mainFrame());
    await expect.poll(async () => (await frame?.textContent('body')) ?? '').toContain('Please confirm');

    await page.goto(await linkTo(email, '/verify'));
    await outcome(page).waitFor();
    expect(await outcome(page).getAttribute('data-outcome')).toBe('ok');
    expect(await outcome(page).textContent()).toBe(`Verified: ${email} can now use the shop.`);
    const token = ((await (await login(email, PASSWORD)).json()) as { access_token: string }).access_token;
    const me = (await (await fetch(`${world.origin}/users/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as { is_verified: boolean };
    expect(me.is_verified).toBe(true);

    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('sets a new password from the reset link, after refusing a weak one with the API reason', async () => {
    const email = `reset.${Date.now()}@example.com`;
    expect((await post('/auth/register', { email, password: PASSWORD })).status).toBe(201);
    expect((await post('/auth/forgot-password', { email })).status).toBe(202);
    const { page, blocked, problems } = await guardedPage();

    await page.goto(await linkTo(email, '/reset-password'));
    await page.fill('input[name=password]', 'short');
    await page.fill('input[name=repeat]', 'short');
    await page.click('button[type=submit]');
    await outcome(page).waitFor();
    expect(await outcome(page).textContent()).toBe(
      'Not changed: RESET_PASSWORD_INVALID_PASSWORD: Password should be at least 8 characters',
    );

    await page.fill('input[name=password]', `${PASSWORD} renewed`);
    await page.fill('input[name=repeat]', `${PASSWORD} renewed`);
    await page.click('button[type=submit]');
    await page.locator('#result[data-outcome="ok"]').waitFor();
    expect(await outcome(page).textContent()).toBe('Password changed: log in with the new one.');
    expect((await login(email, `${PASSWORD} renewed`)).status).toBe(200);
    expect((await login(email, PASSWORD)).status).toBe(400);

    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
