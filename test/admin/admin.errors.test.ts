import { beforeAll, describe, expect, it } from 'vitest';
import { api, readEmail, recordTestEmail, seedSuperuser } from '../support';

let token: string;
beforeAll(async () => {
  token = (await seedSuperuser()).token;
});

describe('GET /admin/emails with bad input', () => {
  it.each([
    ['status=bounced', { type: 'literal_error', loc: ['query', 'status'], msg: "Input should be 'pending', 'sent' or 'failed'" }],
    ['limit=0', { type: 'greater_than_equal', loc: ['query', 'limit'], msg: 'Input should be greater than or equal to 1' }],
    ['limit=101', { type: 'less_than_equal', loc: ['query', 'limit'], msg: 'Input should be less than or equal to 100' }],
    ['limit=ten', { type: 'int_parsing', loc: ['query', 'limit'] }],
    ['offset=-1', { type: 'greater_than_equal', loc: ['query', 'offset'], msg: 'Input should be greater than or equal to 0' }],
    ['to=', { type: 'string_too_short', loc: ['query', 'to'] }],
    [`to=${'a'.repeat(321)}`, { type: 'string_too_long', loc: ['query', 'to'], msg: 'String should have at most 320 characters' }],
  ])('answers %s with a 422', async (query, issue) => {
    const res = await api('GET', `/admin/emails?${query}`, { token });
    expect(res.status).toBe(422);
    expect(res.body.detail).toHaveLength(1);
    expect(res.body.detail[0]).toMatchObject(issue);
  });

  it('treats a hostile address as an address that matches nothing', async () => {
    const res = await api('GET', `/admin/emails?to=${encodeURIComponent("x' OR 1=1 --")}`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
    expect(res.headers.get('x-total-count')).toBe('0');
  });
});

describe('POST /admin/emails/{id}/resend errors', () => {
  it('answers 404 for an unknown id', async () => {
    const res = await api('POST', `/admin/emails/${crypto.randomUUID()}/resend`, { token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Not Found' });
  });

  it.each(['not-a-uuid', '12345', 'x'.repeat(100)])('answers 404 for the malformed id %s', async (id) => {
    const res = await api('POST', `/admin/emails/${id}/resend`, { token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Not Found' });
  });

  it('refuses an e-mail that is still pending and changes nothing', async () => {
    const email = await recordTestEmail({ fields: { attempts: 2, lastError: 'Resend answered 503 error' } });
    const res = await api('POST', `/admin/emails/${email.id}/resend`, { token });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      detail: {
        code: 'EMAIL_PENDING',
        reason: 'This e-mail is still being delivered; it can be sent again once it is sent or failed',
      },
    });
    expect(await readEmail(email.id)).toEqual(email);
  });

  it('lets only one of two simultaneous resends through', async () => {
    const email = await recordTestEmail({ fields: { status: 'failed' } });
    const answers = await Promise.all([1, 2].map(() => api('POST', `/admin/emails/${email.id}/resend`, { token })));
    expect(answers.map((res) => res.status).sort()).toEqual([202, 409]);
    // The winner's reset is the stored one: queued again under a new idempotency key.
    const stored = await readEmail(email.id);
    expect(stored.status).not.toBe('failed');
    expect(stored.idempotencyKey).not.toBe(email.idempotencyKey);
    expect(stored.queuedAt).not.toBeNull();
  });

  it('answers 405 for another method', async () => {
    const res = await api('GET', `/admin/emails/${crypto.randomUUID()}/resend`, { token });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
