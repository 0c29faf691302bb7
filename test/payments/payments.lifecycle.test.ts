import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  api,
  emailsOfOrder,
  freezeClock,
  paymentEnv,
  placeOrder,
  runCron,
  seedProduct,
  seedSuperuser,
  seedUser,
  stockOf,
} from '../support';

afterEach(() => {
  vi.restoreAllMocks();
});

const minutesAfter = (from: Date, minutes: number) => new Date(from.getTime() + minutes * 60_000);

describe('unpaid orders expire (the cron)', () => {
  it('cancels an order unpaid past payment_due_at with reason unpaid, puts its stock back and e-mails why, once', async () => {
    const placedAt = freezeClock(new Date('2026-12-01T10:00:00Z'));
    const user = await seedUser();
    const mug = await seedProduct({ quantity: 5 });
    const spoon = await seedProduct({ quantity: 2 });
    const order = await placeOrder(user, [[mug, 2], [spoon, 2]], { env: paymentEnv('stripe') });
    expect(order.payment_due_at).toBe('2026-12-01T10:30:00Z');
    expect([await stockOf(mug.id), await stockOf(spoon.id)]).toEqual([3, 0]);

    await runCron(minutesAfter(placedAt, 29));
    expect((await api('GET', `/orders/${order.id}`, { token: user.token })).body).toMatchObject({ cancelled: false, payment_due_at: '2026-12-01T10:30:00Z' });

    await runCron(minutesAfter(placedAt, 31));
    await runCron(minutesAfter(placedAt, 36));

    const read = await api('GET', `/orders/${order.id}`, { token: user.token });
    expect(read.body).toMatchObject({
      status: 'cancelled',
      cancelled: true,
      paid: false,
      cancellation_reason: 'unpaid',
      cancelled_at: '2026-12-01T10:31:00Z',
      payment_due_at: null,
    });
    expect([await stockOf(mug.id), await stockOf(spoon.id)]).toEqual([5, 2]);
    const cancelled = (await emailsOfOrder(order.id)).filter((mail) => mail.kind === 'order_cancelled');
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]!.text).toContain('because we did not receive its payment in time');
  });

  it('leaves paid, shipped and manual orders alone', async () => {
    const placedAt = freezeClock(new Date('2026-12-02T10:00:00Z'));
    const user = await seedUser();
    const admin = await seedSuperuser();
    const mug = await seedProduct({ quantity: 10 });
    const paid = await placeOrder(user, [[mug, 1]], { env: paymentEnv('stripe') });
    const shipped = await placeOrder(user, [[mug, 1]], { env: paymentEnv('stripe') });
    const manual = await placeOrder(user, [[mug, 1]]);
    expect((await api('PUT', `/orders/edit/${paid.id}`, { token: admin.token, json: { paid: true } })).status).toBe(200);
    expect((await api('PUT', `/orders/edit/${shipped.id}`, { token: admin.token, json: { shipped: true } })).status).toBe(200);

    await runCron(minutesAfter(placedAt, 24 * 60));

    for (const id of [paid.id, shipped.id, manual.id]) {
      expect((await api('GET', `/orders/${id}`, { token: user.token })).body).toMatchObject({ cancelled: false, cancellation_reason: null });
    }
    expect(await stockOf(mug.id)).toBe(7);
  });
});
