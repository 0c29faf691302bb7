import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import type { Bindings } from '../../src/env';
import { api, recordTestEmail, uniqueEmail } from '../support';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** The page's inline script, as the browser would run it. */
const scriptOf = (html: string) => /<script nonce="[^"]+">([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';

function expectSelfContainedPage(res: { status: number; headers: Headers; text: string }) {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8');
  const policy = res.headers.get('content-security-policy') ?? '';
  expect(policy).toContain("default-src 'none'");
  const nonce = /script-src 'nonce-([^']+)'/.exec(policy)?.[1];
  expect(nonce).toBeTruthy();
  // Every script carries this response's nonce; nothing is loaded from elsewhere.
  for (const [, scriptNonce] of res.text.matchAll(/<script nonce="([^"]*)"/g)) expect(scriptNonce).toBe(nonce);
  expect(res.text).not.toMatch(/<script(?! nonce)|\s(src|href)="https?:\/\/(?!localhost)/);
}

describe('GET /dev/mailbox for a browser', () => {
  it('answers HTML with clickable links and each e-mail rendered in a sandboxed frame', async () => {
    const to = uniqueEmail('mailbox-html');
    await recordTestEmail({ to, data: { name: 'Asha <b>', token: 'verify-token' } });
    await recordTestEmail({ to, kind: 'reset_password', data: { name: 'Asha', token: 'reset-token' } });

    const res = await api('GET', `/dev/mailbox?to=${encodeURIComponent(to)}`, { headers: { accept: BROWSER_ACCEPT } });

    expectSelfContainedPage(res);
    expect(res.text).toContain(`E-mails to ${to}`);
    expect(res.text).toContain('<a href="http://localhost:8787/verify?token=verify-token">');
    expect(res.text).toContain('<a href="http://localhost:8787/reset-password?token=reset-token">');
    expect(res.text).toContain('Reset your Ashte password');
    const frames = [...res.text.matchAll(/<iframe ([^>]*)>/g)].map(([, attributes]) => attributes);
    expect(frames).toHaveLength(2);
    for (const frame of frames) {
      expect(frame).toContain('sandbox=""');
      // The e-mail's HTML is escaped into srcdoc, never inlined into the page itself.
      expect(frame).toMatch(/srcdoc="&lt;!DOCTYPE html&gt;/);
    }
    expect(res.text).not.toContain('Asha <b>');
  });

  it('still answers JSON to scripts: no Accept, */*, or JSON preferred', async () => {
    const to = uniqueEmail('mailbox-json');
    await recordTestEmail({ to });
    for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/html']) {
      const res = await api('GET', `/dev/mailbox?to=${encodeURIComponent(to)}`, { headers: accept ? { accept } : {} });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.body).toHaveLength(1);
      expect(res.body[0].links).toEqual(['http://localhost:8787/verify?token=token-123']);
    }
  });

  it('answers 422 for bad input to a browser too', async () => {
    const res = await api('GET', '/dev/mailbox?limit=0', { headers: { accept: BROWSER_ACCEPT } });
    expect(res.status).toBe(422);
  });
});

describe('GET /verify in development', () => {
  it('is a page whose script posts the link token to POST /auth/verify and shows the answer', async () => {
    const res = await api('GET', '/verify?token=abc');
    expectSelfContainedPage(res);
    expect(res.text).toContain('<h1>Verify your e-mail</h1>');
    const script = scriptOf(res.text);
    expect(script).toContain("get('token')");
    expect(script).toContain("post('/auth/verify', { token })");
    expect(res.text).toContain('APP_URL');
  });
});

describe('GET /reset-password in development', () => {
  it('is a form whose script posts the new password with the link token to POST /auth/reset-password', async () => {
    const res = await api('GET', '/reset-password?token=abc');
    expectSelfContainedPage(res);
    expect(res.text).toContain('<input name="password" type="password"');
    expect(res.text).toContain('<input name="repeat" type="password"');
    expect(scriptOf(res.text)).toContain("post('/auth/reset-password', { token, password })");
    // Without the script nothing is submitted anywhere (no password in a URL).
    expect(res.headers.get('content-security-policy')).toContain("form-action 'none'");
  });
});

describe('GET /', () => {
  it.each(['development', 'production'])('points to the documentation in %s', async (environment) => {
    const bindings: Bindings = { ...env, ENVIRONMENT: environment };
    const res = await createApp().request('/', {}, bindings);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: 'Ashte API', docs: '/docs', openapi: '/openapi.json' });
  });
});

describe('the development pages outside development', () => {
  it.each([
    ['GET', '/verify?token=abc'],
    ['GET', '/reset-password?token=abc'],
    ['POST', '/verify'],
    ['GET', '/dev/mailbox'],
  ])('%s %s is a 404 like an unknown route in production', async (method, path) => {
    const bindings: Bindings = { ...env, ENVIRONMENT: 'production' };
    const app = createApp();
    const res = await app.request(path, { method, headers: { accept: BROWSER_ACCEPT } }, bindings);
    const unknown = await app.request('/no/such/route', { method }, bindings);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(await unknown.json());
    expect(res.headers.get('allow')).toBeNull();
  });
});
