import type { Bindings } from '../env';
import { deleteLapsedCartLocks } from '../db/carts';
import { deleteAbandonedCheckouts } from '../db/checkouts';
import { getDb } from '../db/client';
import { advanceCatalogCounts } from '../db/products';
import { requeueStaleEmails } from '../email/requeue';
import { loggableError } from '../lib/error-cause';
import { log } from '../lib/log';
import { isoNow, today } from '../lib/time';
import { expireUnpaidOrders } from './order-expiry';
import { refundMismatchedPaymentsOfCancelledOrders } from './refunds';

/** Abandoned checkouts are kept a week after they expire, then deleted. */
export const ABANDONED_CHECKOUT_DAYS = 7;
/** Rows deleted per run; the cron runs every 5 minutes. */
const DELETE_BATCH = 500;

/**
 * The cron job: e-mails first (recorded but undelivered ones are re-queued), unpaid orders past
 * their time cancelled (their stock back), then clean-up of what nothing refers to any more, and
 * the catalog counts brought up to today's releases.
 * Each part runs even if another fails.
 */
export async function runScheduledJobs(env: Bindings, now = new Date()): Promise<void> {
  const before = isoNow(new Date(now.getTime() - ABANDONED_CHECKOUT_DAYS * 86_400_000));
  const results = await Promise.allSettled([
    requeueStaleEmails(env, now),
    deleteAbandonedCheckouts(getDb(env), before, DELETE_BATCH),
    deleteLapsedCartLocks(env, now.getTime()),
    advanceCatalogCounts(getDb(env), today(now)),
    // Expired orders first: a wrong-amount payment of one is refunded in the same run.
    expireUnpaidOrders(env, now).then(async (expired) => ({ expired, refunded: await refundMismatchedPaymentsOfCancelledOrders(env) })),
  ]);
  const [, checkouts, locks, , expired] = results;
  log(results.some((r) => r.status === 'rejected') ? 'error' : 'info', 'scheduled jobs', {
    abandoned_checkouts_deleted: checkouts.status === 'fulfilled' ? checkouts.value : null,
    lapsed_cart_locks_deleted: locks.status === 'fulfilled' ? locks.value : null,
    unpaid_orders_expired: expired.status === 'fulfilled' ? expired.value.expired.length : null,
    mismatched_payments_refunded: expired.status === 'fulfilled' ? expired.value.refunded : null,
    failures: results.flatMap((r) => (r.status === 'rejected' ? [loggableError(r.reason)] : [])),
  });
}
