import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getConfig } from '../../src/config';
import type { Bindings } from '../../src/env';
import { renderEmail } from '../../src/email/templates';
import { deliver, jsonResponse, readEmail, recordTestEmail, resendEnv } from '../support';

afterEach(() => {
  vi.restoreAllMocks();
});

const config = getConfig({ APP_URL: 'https://shop.example.com', SHOP_NAME: 'Ashte' } as Bindings);
const SCRIPT = '<script>alert(1)</script>';

describe('user data in e-mails is inert', () => {
  it('escapes a hostile first name in the HTML of every kind', () => {
    const order = { id: 1, amount: 100, currency: 'INR', items: [{ product_id: 1, title: 'Mug', unit_price: 100, quantity: 1, line_total: 100 }] };
    const data = { name: SCRIPT, token: 't', order };
    for (const kind of ['verify', 'reset_password', 'password_changed', 'order_confirmation', 'order_cancelled'] as const) {
      const { html } = renderEmail(kind, data, config);
      expect(html).not.toContain('<script');
      expect(html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
    }
  });

  it('escapes product titles in order tables and keeps them on one line in the text', () => {
    const title = `"><img src=x onerror=alert(1)>\nBcc: victim@example.com`;
    const order = { id: 9, amount: 500, currency: 'INR', items: [{ product_id: 3, title, unit_price: 500, quantity: 1, line_total: 500 }] };
    const { html, text } = renderEmail('order_shipped', { name: null, order }, config);
    expect(html).not.toContain('<img');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(text).toContain('- "><img src=x onerror=alert(1)> Bcc: victim@example.com: 1 × ₹5.00 = ₹5.00');
  });

  it('keeps a token from breaking out of the link', () => {
    const { html, text } = renderEmail('reset_password', { name: null, token: `a" onmouseover="x'<b>&` }, config);
    const url = 'https://shop.example.com/reset-password?token=a%22%20onmouseover%3D%22x\'%3Cb%3E%26';
    expect(text).toContain(url);
    expect(html).toContain(`href="${url.replace("'", '&#39;')}"`);
    expect(html).not.toContain('onmouseover="');
  });

  it('keeps a name with line breaks from adding lines to the greeting', () => {
    const { text } = renderEmail('password_changed', { name: 'Asha\r\nSubject: hacked' }, config);
    expect(text).toMatch(/^Hello Asha Subject: hacked,\n/);
  });
});

describe('tokens stay out of the logs', () => {
  it('logs a mailbox e-mail without the reset or verify token in its links', async () => {
    const log = vi.spyOn(console, 'log');
    const token = 'eyJhbGciOiJIUzI1NiJ9.secret-reset-token.sig';
    const email = await recordTestEmail({ kind: 'reset_password', data: { name: null, token } });

    await deliver([email.id], { env: { ...env, EMAIL_PROVIDER: 'mailbox' } });

    const logged = log.mock.calls.map((call) => call.join(' ')).join('\n');
    expect(logged).toContain(email.id);
    expect(logged).toContain('/reset-password?token=…');
    expect(logged).not.toContain('secret-reset-token');
    expect((await readEmail(email.id)).text).toContain(token);
  });
});

describe('never sent twice', () => {
  it('sends once however often the same message is delivered', async () => {
    const fetchMock = vi.spyOn(globalThis, 'fetch').mockResolvedValue(jsonResponse({ id: 're_once' }));
    const email = await recordTestEmail();

    await deliver([email.id, email.id], { env: resendEnv() });
    await deliver([email.id], { env: resendEnv(), attempts: 2 });

    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(await readEmail(email.id)).toMatchObject({ status: 'sent', attempts: 1, providerMessageId: 're_once' });
  });

  it('sends the API key only to the configured Resend URL and never logs it', async () => {
    const fetchMock = vi.spyOn(globalThis, 'fetch').mockResolvedValue(jsonResponse({ id: 're_log' }));
    const logs = [vi.spyOn(console, 'log'), vi.spyOn(console, 'warn'), vi.spyOn(console, 'error')];
    const email = await recordTestEmail();

    await deliver([email.id], { env: resendEnv({ RESEND_API_KEY: 're_secret_value' }) });

    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(String(fetchMock.mock.calls[0]![0])).toBe('https://resend.test/emails');
    const logged = logs.flatMap((spy) => spy.mock.calls.map((call) => call.join(' '))).join('\n');
    expect(logged).toContain(email.id);
    expect(logged).not.toContain('re_secret_value');
  });
});
