import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import type { Bindings } from '../../src/env';
import { recordTestEmail } from '../support';

const app = createApp();

async function requestIn(environment: string | undefined, method: string, path: string) {
  const bindings: Bindings = { ...env, ENVIRONMENT: environment };
  const res = await app.request(path, { method }, bindings);
  return { status: res.status, body: await res.json(), headers: res.headers };
}

describe('/dev/mailbox outside development', () => {
  it.each(['production', 'staging', undefined])('does not exist when ENVIRONMENT is %s', async (environment) => {
    await recordTestEmail();
    const res = await requestIn(environment, 'GET', '/dev/mailbox');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Not Found' });
  });

  it.each([
    ['GET', '/dev/mailbox/'],
    ['GET', '/dev/mailbox?limit=0'],
    ['POST', '/dev/mailbox'],
    ['DELETE', '/dev/mailbox'],
    ['GET', '/dev/anything'],
  ])('answers %s %s exactly like an unknown route', async (method, path) => {
    const res = await requestIn('production', method, path);
    const unknown = await requestIn('production', method, '/no/such/route');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(unknown.body);
    expect(res.headers.get('allow')).toBeNull();
  });
});
