import { describe, expect, it } from 'vitest';
import { api, freezeClock, paymentEnv, placeOrder, seedProduct, seedUser } from '../support';

describe('orders and payments: what the order object says', () => {
  it('with manual (the default) an order has no payment, no due time and no cancellation reason', async () => {
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct({ quantity: 3 }), 1]]);
    expect(order).toMatchObject({ payment: null, payment_due_at: null, cancellation_reason: null });
    const read = await api('GET', `/orders/${order.id}`, { token: user.token });
    expect(read.body).toMatchObject({ payment: null, payment_due_at: null, cancellation_reason: null });
  });

  it.each(['stripe', 'razorpay'] as const)('with %s an order must be paid within UNPAID_ORDER_TTL_MINUTES of being placed', async (provider) => {
    const placedAt = freezeClock(new Date('2026-12-01T10:00:00Z'));
    const user = await seedUser();
    const order = await placeOrder(user, [[await seedProduct({ quantity: 3 }), 1]], { env: paymentEnv(provider) });
    expect(order).toMatchObject({ created_at: placedAt.toISOString().replace('.000', ''), payment_due_at: '2026-12-01T10:30:00Z', payment: null });

    const later = await placeOrder(user, [[await seedProduct({ quantity: 3 }), 1]], { env: paymentEnv(provider, { UNPAID_ORDER_TTL_MINUTES: '5' }) });
    expect(later.payment_due_at).toBe('2026-12-01T10:05:00Z');
  });
});
