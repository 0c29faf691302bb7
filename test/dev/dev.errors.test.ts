import { describe, expect, it } from 'vitest';
import { api } from '../support';

describe('GET /dev/mailbox with bad input', () => {
  it.each([
    ['limit=0', { type: 'greater_than_equal', loc: ['query', 'limit'] }],
    ['limit=201', { type: 'less_than_equal', loc: ['query', 'limit'], msg: 'Input should be less than or equal to 200' }],
    ['limit=1.5', { type: 'int_parsing', loc: ['query', 'limit'] }],
    [`to=${'a'.repeat(321)}`, { type: 'string_too_long', loc: ['query', 'to'] }],
  ])('answers %s with a 422', async (query, issue) => {
    const res = await api('GET', `/dev/mailbox?${query}`);
    expect(res.status).toBe(422);
    expect(res.body.detail).toHaveLength(1);
    expect(res.body.detail[0]).toMatchObject(issue);
  });

  it('answers another method with 405 in development', async () => {
    const res = await api('POST', '/dev/mailbox');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });
});
