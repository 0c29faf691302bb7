import type { Bindings } from '../env';
import { getDb } from '../db/client';
import { findOrder, findOverdueOrderIds, restockStatement, updateOrderFlagsStatement } from '../db/orders';
import type { Payment } from '../db/schema';
import { writeWithEmails } from '../email/outbox';
import { orderSummary } from '../email/templates';
import { loggableError } from '../lib/error-cause';
import { log } from '../lib/log';
import { isoNow } from '../lib/time';
import { cancelProviderPayments } from './refunds';

/** Orders expired per run at most (one D1 batch each); the cron runs every 5 minutes, so a backlog drains run by run. */
export const EXPIRY_BATCH = 50;

/**
 * The cron's share of API.md 8: an order not paid by its `payment_due_at` is cancelled with
 * reason `unpaid`, its stock goes back and the customer gets the "order cancelled" e-mail saying
 * why, all in one batch. The batch applies only to the order as it was read (unpaid, unshipped,
 * not cancelled: see updateOrderFlagsStatement), so a payment that lands first wins and the
 * expiry changes nothing; a payment that lands after it finds a cancelled order and takes the
 * late-payment path (services/refunds.ts). The provider payments of the expired orders are then
 * cancelled, best effort (Stripe), so they cannot be paid any more. Returns the ids of the orders
 * it cancelled.
 */
export async function expireUnpaidOrders(env: Bindings, now = new Date()): Promise<number[]> {
  const db = getDb(env);
  const at = isoNow(now);
  const expired: number[] = [];
  const stopped: (Payment | null)[] = [];
  for (const id of await findOverdueOrderIds(db, at, EXPIRY_BATCH)) {
    const found = await findOrder(db, id);
    if (!found) continue;
    const { order, items, payment } = found;
    if (order.paid || order.cancelled || order.shipped || order.paymentDueAt === null || order.paymentDueAt > at) continue;
    try {
      await writeWithEmails(
        env,
        db,
        [
          updateOrderFlagsStatement(db, order, { cancelled: true, cancelledAt: at, cancellationReason: 'unpaid', paymentDueAt: null }, at),
          restockStatement(db, order.id, at),
        ],
        [
          {
            kind: 'order_cancelled',
            to: order.email,
            data: { name: order.name, order: orderSummary(order, items), reason: 'unpaid' },
            userId: order.userId,
            orderId: order.id,
          },
        ],
      );
      expired.push(order.id);
      stopped.push(payment);
    } catch (error) {
      // It changed since it was read (paid, shipped or cancelled meanwhile): the next run judges it again.
      log('info', 'unpaid order not expired: it changed meanwhile', { order_id: order.id, error: loggableError(error) });
    }
  }
  await cancelProviderPayments(env, stopped);
  return expired;
}
