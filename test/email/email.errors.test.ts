import type { EmailQueueMessage } from '../../src/env';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEAD_LETTER_QUEUE, deliver, freezeClock, jsonResponse, readEmail, recordTestEmail, resendEnv } from '../support';

afterEach(() => {
  vi.restoreAllMocks();
});

const mockFetch = () => vi.spyOn(globalThis, 'fetch');
const idempotencyKeyOf = (call: Parameters<typeof fetch>) => new Headers(call[1]?.headers).get('idempotency-key');
const serverError = () => jsonResponse({ statusCode: 500, name: 'internal_server_error', message: 'Something broke' }, 500);

describe('temporary failures', () => {
  it('retries a 5xx with growing delays and the same idempotency key each time', async () => {
    const fetchMock = mockFetch().mockImplementation(async () => serverError());
    const email = await recordTestEmail();

    const first = await deliver([email.id], { env: resendEnv() });
    const second = await deliver([email.id], { env: resendEnv(), attempts: 2 });
    const third = await deliver([email.id], { env: resendEnv(), attempts: 3 });

    expect(first.retryMessages).toEqual([{ msgId: 'message-0', delaySeconds: 2 }]);
    expect(second.retryMessages).toEqual([{ msgId: 'message-0', delaySeconds: 4 }]);
    expect(third.retryMessages).toEqual([{ msgId: 'message-0', delaySeconds: 8 }]);
    expect(first.explicitAcks).toEqual([]);
    expect(fetchMock.mock.calls.map(idempotencyKeyOf)).toEqual([email.id, email.id, email.id]);
    const row = await readEmail(email.id);
    expect(row).toMatchObject({
      status: 'pending',
      attempts: 3,
      sentAt: null,
      lastError: 'Resend answered 500 internal_server_error: Something broke',
    });
    expect(row.queuedAt).not.toBeNull();
  });

  it('caps the back-off at a minute', async () => {
    mockFetch().mockImplementation(async () => new Response('Bad Gateway', { status: 502 }));
    const email = await recordTestEmail({ fields: { attempts: 10 } });
    const result = await deliver([email.id], { env: resendEnv() });
    expect(result.retryMessages).toEqual([{ msgId: 'message-0', delaySeconds: 60 }]);
    expect((await readEmail(email.id)).lastError).toBe('Resend answered 502 error');
  });

  it('honours Retry-After on a 429, up to five minutes', async () => {
    const email = await recordTestEmail();
    const limited = (retryAfter: string) =>
      jsonResponse({ statusCode: 429, name: 'rate_limit_exceeded', message: 'Too many requests' }, 429, { 'Retry-After': retryAfter });
    mockFetch().mockResolvedValueOnce(limited('17')).mockResolvedValueOnce(limited('86400'));

    const first = await deliver([email.id], { env: resendEnv() });
    const second = await deliver([email.id], { env: resendEnv(), attempts: 2 });

    expect(first.retryMessages).toEqual([{ msgId: 'message-0', delaySeconds: 17 }]);
    expect(second.retryMessages).toEqual([{ msgId: 'message-0', delaySeconds: 300 }]);
    expect(await readEmail(email.id)).toMatchObject({
      status: 'pending',
      attempts: 2,
      lastError: 'Resend answered 429 rate_limit_exceeded: Too many requests',
    });
  });

  it('reads Retry-After given as an HTTP date', async () => {
    const email = await recordTestEmail();
    const now = freezeClock();
    const inAMinute = new Date(now.getTime() + 60_000).toUTCString();
    const inAnHour = new Date(now.getTime() + 3600_000).toUTCString();
    const aMinuteAgo = new Date(now.getTime() - 60_000).toUTCString();
    mockFetch()
      .mockResolvedValueOnce(new Response(null, { status: 503, headers: { 'Retry-After': inAMinute } }))
      .mockResolvedValueOnce(new Response(null, { status: 503, headers: { 'Retry-After': inAnHour } }))
      .mockResolvedValueOnce(new Response(null, { status: 503, headers: { 'Retry-After': aMinuteAgo } }));
    const results = [
      await deliver([email.id], { env: resendEnv() }),
      await deliver([email.id], { env: resendEnv(), attempts: 2 }),
      await deliver([email.id], { env: resendEnv(), attempts: 3 }),
    ];
    // Seconds from the frozen now: a minute, an hour capped at five minutes, a past date at once.
    expect(results.map((result) => result.retryMessages)).toEqual([
      [{ msgId: 'message-0', delaySeconds: 60 }],
      [{ msgId: 'message-0', delaySeconds: 300 }],
      [{ msgId: 'message-0', delaySeconds: 0 }],
    ]);
  });

  it('retries a 408 and a 409 for a concurrent request with the same idempotency key', async () => {
    const email = await recordTestEmail();
    mockFetch()
      .mockResolvedValueOnce(new Response(null, { status: 408 }))
      .mockResolvedValueOnce(
        jsonResponse({ statusCode: 409, name: 'concurrent_idempotent_requests', message: 'Same idempotency key used while original request is still in progress' }, 409),
      );
    expect((await deliver([email.id], { env: resendEnv() })).retryMessages).toHaveLength(1);
    expect((await deliver([email.id], { env: resendEnv() })).retryMessages).toHaveLength(1);
    expect(await readEmail(email.id)).toMatchObject({ status: 'pending', attempts: 2 });
  });

  it('retries a network error', async () => {
    mockFetch().mockRejectedValue(new TypeError('Network connection lost.'));
    const email = await recordTestEmail();
    const result = await deliver([email.id], { env: resendEnv() });
    expect(result.retryMessages).toEqual([{ msgId: 'message-0', delaySeconds: 2 }]);
    expect(await readEmail(email.id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'network error: Network connection lost.' });
  });

  it('retries a request that timed out', async () => {
    mockFetch().mockRejectedValue(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    const email = await recordTestEmail();
    const result = await deliver([email.id], { env: resendEnv() });
    expect(result.retryMessages).toHaveLength(1);
    expect((await readEmail(email.id)).lastError).toBe('Resend did not answer within 10 s');
  });
});

describe('permanent failures', () => {
  it('marks a 422 failed with the provider error and acknowledges it', async () => {
    mockFetch().mockResolvedValue(
      jsonResponse({ statusCode: 422, name: 'validation_error', message: 'Invalid `to` field.' }, 422),
    );
    const email = await recordTestEmail();
    const result = await deliver([email.id], { env: resendEnv() });
    expect(result.explicitAcks).toEqual(['message-0']);
    expect(result.retryMessages).toEqual([]);
    expect(await readEmail(email.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      sentAt: null,
      lastError: 'Resend answered 422 validation_error: Invalid `to` field.',
    });
  });

  it('marks a 403 (unverified domain) failed too', async () => {
    mockFetch().mockResolvedValue(jsonResponse({ statusCode: 403, name: 'validation_error', message: 'The domain is not verified.' }, 403));
    const email = await recordTestEmail();
    await deliver([email.id], { env: resendEnv() });
    expect((await readEmail(email.id)).status).toBe('failed');
  });
});

describe('the dead-letter queue', () => {
  it('marks an e-mail that used up its retries failed, with the attempts and the last error', async () => {
    const fetchMock = mockFetch();
    const email = await recordTestEmail({ fields: { attempts: 9, lastError: 'Resend answered 503 error' } });
    const result = await deliver([email.id], { env: resendEnv(), queue: DEAD_LETTER_QUEUE });
    expect(result.explicitAcks).toEqual(['message-0']);
    expect(fetchMock).not.toHaveBeenCalled();
    expect(await readEmail(email.id)).toMatchObject({
      status: 'failed',
      attempts: 9,
      lastError: 'gave up after 9 attempts; last error: Resend answered 503 error',
    });
  });

  it('ignores a dead letter from before a resend (the idempotency key changed)', async () => {
    const email = await recordTestEmail({ fields: { attempts: 1, idempotencyKey: crypto.randomUUID() } });
    const staleBody: EmailQueueMessage = { email_id: email.id, idempotency_key: email.id };
    const result = await deliver([email.id], { queue: DEAD_LETTER_QUEUE, bodies: [staleBody] });
    expect(result.explicitAcks).toEqual(['message-0']);
    expect(await readEmail(email.id)).toEqual(email);
  });

  it('leaves an e-mail that was delivered meanwhile as it is', async () => {
    const email = await recordTestEmail({ fields: { status: 'sent', attempts: 3 } });
    const result = await deliver([email.id], { queue: DEAD_LETTER_QUEUE });
    expect(result.explicitAcks).toEqual(['message-0']);
    expect(await readEmail(email.id)).toEqual(email);
  });
});

describe('one message at a time', () => {
  it('acks the good messages of a batch and retries only the failing one', async () => {
    const failing = await recordTestEmail();
    const good = await recordTestEmail();
    const fetchMock = mockFetch().mockImplementation(async (_url, init) =>
      new Headers(init?.headers).get('idempotency-key') === failing.idempotencyKey ? serverError() : jsonResponse({ id: 're_ok' }),
    );

    const result = await deliver([failing.id, crypto.randomUUID(), good.id], { env: resendEnv() });

    expect(result.retryMessages).toEqual([{ msgId: 'message-0', delaySeconds: 2 }]);
    expect(result.explicitAcks.sort()).toEqual(['message-1', 'message-2']);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect((await readEmail(failing.id)).status).toBe('pending');
    expect(await readEmail(good.id)).toMatchObject({ status: 'sent', providerMessageId: 're_ok' });
  });

  it('acks a message for an e-mail that was already sent, without sending it again', async () => {
    const fetchMock = mockFetch();
    const email = await recordTestEmail({ fields: { status: 'sent', attempts: 1, providerMessageId: 're_first' } });
    const result = await deliver([email.id], { env: resendEnv() });
    expect(result.explicitAcks).toEqual(['message-0']);
    expect(fetchMock).not.toHaveBeenCalled();
    expect(await readEmail(email.id)).toEqual(email);
  });

  it('acks a message for an e-mail that failed for good, without sending it', async () => {
    const fetchMock = mockFetch();
    const email = await recordTestEmail({ fields: { status: 'failed' } });
    expect((await deliver([email.id], { env: resendEnv() })).explicitAcks).toEqual(['message-0']);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('drops a message that carries no e-mail id instead of retrying it forever', async () => {
    const result = await deliver([], { bodies: [null, 'text', { email_id: 7 }, { email_id: 'x'.repeat(100) }] });
    expect(result.explicitAcks.sort()).toEqual(['message-0', 'message-1', 'message-2', 'message-3']);
    expect(result.retryMessages).toEqual([]);
  });
});

describe('configuration errors', () => {
  it('holds the e-mail back with a logged error when Resend is chosen without an API key', async () => {
    const fetchMock = mockFetch();
    const errorLog = vi.spyOn(console, 'error');
    const email = await recordTestEmail();

    const result = await deliver([email.id], { env: resendEnv({ RESEND_API_KEY: undefined }) });

    expect(fetchMock).not.toHaveBeenCalled();
    expect(result.retryMessages).toEqual([{ msgId: 'message-0', delaySeconds: 2 }]);
    expect(await readEmail(email.id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'configuration error: EMAIL_PROVIDER is resend but RESEND_API_KEY is not set',
    });
    const lines = errorLog.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(lines).toContainEqual({
      level: 'error',
      msg: 'email configuration error',
      problem: 'EMAIL_PROVIDER is resend but RESEND_API_KEY is not set',
      email_id: email.id,
    });
  });

  it('treats an empty API key as missing', async () => {
    const fetchMock = mockFetch();
    const email = await recordTestEmail();
    const result = await deliver([email.id], { env: resendEnv({ RESEND_API_KEY: '' }) });
    expect(fetchMock).not.toHaveBeenCalled();
    expect(result.retryMessages).toHaveLength(1);
  });

  it('holds the e-mail back when EMAIL_PROVIDER names no provider', async () => {
    const email = await recordTestEmail();
    const result = await deliver([email.id], { env: { ...env, EMAIL_PROVIDER: 'carrier-pigeon' } });
    expect(result.retryMessages).toHaveLength(1);
    expect(await readEmail(email.id)).toMatchObject({
      status: 'pending',
      lastError: 'configuration error: EMAIL_PROVIDER "carrier-pigeon" is not one of resend, mailbox',
    });
  });
});
