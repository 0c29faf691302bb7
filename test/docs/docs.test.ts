import installedBundle from 'swagger-ui-dist/swagger-ui-bundle.js?raw';
import { describe, expect, it } from 'vitest';
import { api } from '../support';

describe('GET /docs', () => {
  it('is a page whose every script and style this Worker serves (no CDN), with a policy that allows nothing else', async () => {
    const page = await api('GET', '/docs', { headers: { 'x-request-id': 'docs-1' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('x-request-id')).toBe('docs-1');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const urls = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls).toEqual(expect.arrayContaining(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/swagger-initializer.js']));
    for (const url of urls) {
      expect(url).toMatch(/^\/docs\//);
      const asset = await api('GET', url, { headers: { 'x-request-id': 'docs-2' } });
      expect(asset.status, url).toBe(200);
      expect(asset.headers.get('x-request-id')).toBe('docs-2');
      expect(asset.text.length, url).toBeGreaterThan(0);
    }
    expect((await api('GET', '/docs/')).status).toBe(200);
  });

  it('serves swagger-ui-dist as installed, with content types', async () => {
    const bundle = await api('GET', '/docs/swagger-ui-bundle.js');
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect(bundle.text).toBe(installedBundle);
    const css = await api('GET', '/docs/swagger-ui.css');
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    const initializer = await api('GET', '/docs/swagger-initializer.js');
    expect(initializer.text).toContain("url: '/openapi.json'");
    expect(initializer.text).toContain('validatorUrl: null');
  });

  it('hands on nothing else of the package: other names are 404 in the usual shape', async () => {
    for (const path of ['/docs/package.json', '/docs/index.html', '/docs/swagger-ui.js', '/docs/..%2Fpackage.json', '/docs/LICENSE', '/package.json', '/swagger-ui-bundle.js']) {
      const res = await api('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body).toEqual({ detail: 'Not Found' });
      expect(res.headers.get('x-request-id')).toBeTruthy();
    }
  });
});
