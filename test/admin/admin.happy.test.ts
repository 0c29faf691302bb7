import { beforeAll, describe, expect, it } from 'vitest';
import { api, readEmail, recordTestEmail, secondsAgo, seedSuperuser, uniqueEmail, waitForEmailStatus } from '../support';

let token: string;
beforeAll(async () => {
  token = (await seedSuperuser()).token;
});

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('GET /admin/emails', () => {
  it('lists the e-mails to an address, newest first, with their delivery state and the total', async () => {
    const to = uniqueEmail('admin-list');
    const older = await recordTestEmail({ to, fields: { createdAt: secondsAgo(60) } });
    const newer = await recordTestEmail({
      to,
      kind: 'password_changed',
      data: { name: null },
      fields: { status: 'sent', attempts: 1, providerMessageId: 're_1', sentAt: secondsAgo(1) },
    });

    const res = await api('GET', `/admin/emails?to=${encodeURIComponent(to.toUpperCase())}`, { token });

    expect(res.status).toBe(200);
    expect(res.headers.get('x-total-count')).toBe('2');
    expect(res.body).toEqual([
      {
        id: newer.id,
        kind: 'password_changed',
        to,
        subject: 'Your Ashte password was changed',
        status: 'sent',
        attempts: 1,
        last_error: null,
        provider_message_id: 're_1',
        created_at: newer.createdAt,
        updated_at: newer.updatedAt,
        sent_at: newer.sentAt,
      },
      {
        id: older.id,
        kind: 'verify',
        to,
        subject: 'Verify your e-mail address for Ashte',
        status: 'pending',
        attempts: 0,
        last_error: null,
        provider_message_id: null,
        created_at: older.createdAt,
        updated_at: older.updatedAt,
        sent_at: null,
      },
    ]);
    expect(res.body[0].created_at).toMatch(ISO);
    expect(Object.keys(res.body[0])).toEqual([
      'id', 'kind', 'to', 'subject', 'status', 'attempts', 'last_error', 'provider_message_id', 'created_at', 'updated_at', 'sent_at',
    ]);
  });

  it('orders e-mails recorded in the same second by when they were recorded', async () => {
    const to = uniqueEmail('same-second');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await recordTestEmail({ to })).id);
    const res = await api('GET', `/admin/emails?to=${to}`, { token });
    expect(res.body.map((e: { id: string }) => e.id)).toEqual(ids.reverse());
  });

  it('filters by status and pages with limit and offset', async () => {
    const to = uniqueEmail('admin-page');
    const failed = [];
    for (let i = 0; i < 3; i++) {
      failed.push(await recordTestEmail({ to, fields: { status: 'failed', lastError: `error ${i}`, createdAt: secondsAgo(100 - i) } }));
    }
    await recordTestEmail({ to });

    const page = await api('GET', `/admin/emails?to=${to}&status=failed&limit=2&offset=1`, { token });

    expect(page.status).toBe(200);
    expect(page.headers.get('x-total-count')).toBe('3');
    expect(page.body.map((e: { id: string }) => e.id)).toEqual([failed[1]!.id, failed[0]!.id]);
    expect(page.body[0].last_error).toBe('error 1');
  });

  it('answers an empty page past the end, with the total', async () => {
    const to = uniqueEmail('admin-empty');
    await recordTestEmail({ to });
    const res = await api('GET', `/admin/emails?to=${to}&offset=5`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
    expect(res.headers.get('x-total-count')).toBe('1');
  });

  it('pages by 20 by default, across every recipient', async () => {
    for (let i = 0; i < 21; i++) await recordTestEmail();
    const res = await api('GET', '/admin/emails', { token });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(20);
    expect(Number(res.headers.get('x-total-count'))).toBeGreaterThanOrEqual(21);
  });
});

describe('POST /admin/emails/{id}/resend', () => {
  it('queues a failed e-mail again with a new idempotency key, and it gets delivered', async () => {
    const email = await recordTestEmail({ fields: { status: 'failed', attempts: 4, lastError: 'Resend answered 422 validation_error' } });

    const res = await api('POST', `/admin/emails/${email.id}/resend`, { token });

    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      id: email.id,
      status: 'pending',
      attempts: 0,
      last_error: null,
      provider_message_id: null,
      sent_at: null,
    });
    const row = await readEmail(email.id);
    expect(row.idempotencyKey).not.toBe(email.idempotencyKey);
    expect(row.queuedAt).not.toBeNull();
    expect(row.html).toBe(email.html);
    await waitForEmailStatus(email.id);
    expect(await readEmail(email.id)).toMatchObject({ attempts: 1, idempotencyKey: row.idempotencyKey, providerMessageId: `mailbox:${email.id}` });
  });

  it('sends a sent e-mail again', async () => {
    const email = await recordTestEmail({ fields: { status: 'sent', attempts: 1, providerMessageId: 're_1', sentAt: secondsAgo(60) } });
    const res = await api('POST', `/admin/emails/${email.id}/resend`, { token });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending', attempts: 0, provider_message_id: null, sent_at: null });
    expect((await readEmail(email.id)).idempotencyKey).not.toBe(email.idempotencyKey);
  });

  it('accepts the id in any form Python’s uuid.UUID does, and a trailing slash', async () => {
    const email = await recordTestEmail({ fields: { status: 'failed' } });
    const res = await api('POST', `/admin/emails/${email.id.toUpperCase().replaceAll('-', '')}/resend/`, { token });
    expect(res.status).toBe(202);
    expect(res.body.id).toBe(email.id);
  });

  it('ignores a request body', async () => {
    const email = await recordTestEmail({ fields: { status: 'failed' } });
    const res = await api('POST', `/admin/emails/${email.id}/resend`, { token, json: { status: 'sent', attempts: 99 } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending', attempts: 0 });
  });
});

describe('OpenAPI', () => {
  it('documents both routes with their responses and security', async () => {
    const doc = (await api('GET', '/openapi.json')).body;
    const list = doc.paths['/admin/emails'].get;
    expect(list.security).toEqual([{ OAuth2PasswordBearer: [] }]);
    expect(Object.keys(list.responses).sort()).toEqual(['200', '401', '403', '422']);
    expect(list.responses['200'].headers['X-Total-Count']).toBeDefined();
    const resend = doc.paths['/admin/emails/{id}/resend'].post;
    expect(Object.keys(resend.responses).sort()).toEqual(['202', '401', '403', '404', '409']);
    expect(doc.components.schemas.EmailOut).toBeDefined();
  });
});
