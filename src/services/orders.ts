import { getConfig } from '../config';
import type { Bindings } from '../env';
import { newCartId, takeCartLeaseStatement, updateCart } from '../db/carts';
import { checkoutStatus, findCheckoutOfUser } from '../db/checkouts';
import { getDb, getPrimaryDb, type Db } from '../db/client';
import {
  completeCheckoutStatement,
  findOrder,
  findOrderOfCheckout,
  listOrders,
  orderExists as orderIdExists,
  insertOrderLinesStatement,
  insertOrderStatement,
  ORDER_ID_PLACEHOLDER,
  restockStatement,
  stampOrderIdOnEmailStatement,
  takeStockStatement,
  updateOrderFlagsStatement,
  type OrderFlag,
  type OrderWithItems,
} from '../db/orders';
import { findProductsByIds } from '../db/products';
import type { Checkout, EmailKind, FrozenLine, Order, PaymentStatus, User } from '../db/schema';
import { writeWithEmails, type OutgoingEmail } from '../email/outbox';
import { orderSummary } from '../email/templates';
import { loggableError } from '../lib/error-cause';
import { conflictError, missingError } from '../lib/domain-errors';
import { log } from '../lib/log';
import { isoNow, today } from '../lib/time';
import { askRefund, cancelProviderPayments, refundableAmount } from './refunds';
import { assertLineCanBeBought, lineAvailability, quantitiesByProduct } from './cart';

/** A page of orders unless the request says otherwise. */
export const ORDER_PAGE_DEFAULTS = { limit: 20, offset: 0 } as const;

/** A batch that failed is retried after re-reading the state at most this often. */
const MAX_ATTEMPTS = 3;

/** Why the catalog refuses these lines now (deleted, off sale, not enough stock), as a 409. */
async function assertLinesCanBeBought(db: Db, lines: FrozenLine[]): Promise<void> {
  const catalog = await findProductsByIds(db, lines.map((line) => line.product_id));
  for (const [productId, quantity] of quantitiesByProduct(lines)) {
    const title = lines.find((line) => line.product_id === productId)!.title;
    assertLineCanBeBought(lineAvailability(productId, catalog.get(productId), quantity, title));
  }
}


/**
 * When an order placed at `now` must be paid by: with an online provider, UNPAID_ORDER_TTL_MINUTES
 * later (the expiry job cancels it after that); with `manual`, never (a superuser decides).
 */
function paymentDueAtOf(env: Bindings, now: string): string | null {
  const config = getConfig(env);
  if (config.paymentProvider === 'manual') return null;
  return isoNow(new Date(Date.parse(now) + config.unpaidOrderTtlMinutes * 60_000));
}

/**
 * Turns a checkout into an order, exactly once. One D1 batch takes the stock, writes the order
 * and its lines, completes the checkout, records the confirmation e-mail and takes the cart's
 * lease for the clean-up that follows (two round trips to the primary in all, the user's row
 * included); any constraint failure rolls all of it back. After a failure the state is read again to answer why: another
 * request already made the order (→ that order), the checkout expired, or the catalog no longer
 * has the goods (→ 409); if none of these explains it the batch is tried again.
 */
export async function placeOrder(
  env: Bindings,
  userId: string,
  checkoutId: number,
): Promise<{ order: OrderWithItems; created: boolean }> {
  let db = getDb(env);
  let failure: unknown;
  for (let attempt = 1; ; attempt++) {
    const checkout = await findCheckoutOfUser(db, checkoutId, userId);
    if (!checkout) throw missingError('CHECKOUT_NOT_FOUND', 'Checkout not found');
    const status = checkoutStatus(checkout);
    if (status === 'completed') {
      const existing = await findOrderOfCheckout(db, checkout.id);
      if (existing) return { order: existing, created: false };
    }
    if (status === 'expired') {
      throw conflictError('CHECKOUT_EXPIRED', 'This checkout has expired; please check out again', {
        checkout_id: checkout.id,
        expires_at: checkout.expiresAt,
      });
    }
    if (failure !== undefined) {
      await assertLinesCanBeBought(db, checkout.items);
      if (attempt > MAX_ATTEMPTS) throw failure;
    }

    const now = isoNow();
    const paymentDueAt = paymentDueAtOf(env, now);
    const confirmation = {
      kind: 'order_confirmation' as const,
      to: checkout.email,
      data: { name: checkout.name, order: orderSummary({ ...checkout, id: ORDER_ID_PLACEHOLDER }, checkout.items) },
      userId,
    };
    const lease = crypto.randomUUID();
    let leased: boolean;
    try {
      const [, , , , taken] = await writeWithEmails(
        env,
        db,
        [
          insertOrderStatement(db, checkout, now, paymentDueAt),
          takeStockStatement(db, checkout.id, now),
          insertOrderLinesStatement(db, checkout.id, today()),
          completeCheckoutStatement(db, checkout.id),
          takeCartLeaseStatement(db, userId, lease),
        ],
        [confirmation],
        ([emailId]) => [stampOrderIdOnEmailStatement(db, emailId!, checkout.id)],
      );
      leased = taken[0]?.token === lease;
    } catch (error) {
      failure = error;
      // Why it failed (another request made the order, took the stock, or the checkout expired) is on the primary.
      db = getPrimaryDb(env);
      continue;
    }
    // Another change of the cart holds its lease: wait for it like any cart change (rare; more round trips).
    await removeOrderedLinesFromCart(env, userId, checkout, leased ? lease : undefined);
    const order = await findOrderOfCheckout(db, checkout.id);
    return { order: order!, created: true };
  }
}

/**
 * Takes the ordered quantities out of the cart the checkout was made from (a line the customer
 * raised since keeps the difference). What is left becomes a new cart with a new `cart_id`; an
 * emptied cart gets one on its next add. A cart that is no longer that cart is left alone. The
 * order stands whatever happens here, so a KV failure is logged, not returned.
 */
async function removeOrderedLinesFromCart(env: Bindings, userId: string, checkout: Checkout, heldLease: string | undefined): Promise<void> {
  try {
    await updateCart(env, userId, (cart) => {
      if (cart.cart_id !== checkout.cartId) return undefined;
      const ordered = quantitiesByProduct(checkout.items);
      const items = cart.items
        .map((item) => ({ ...item, quantity: item.quantity - (ordered.get(item.product_id) ?? 0) }))
        .filter((item) => item.quantity > 0);
      return { ...cart, cart_id: items.length ? newCartId() : null, items };
    }, heldLease);
  } catch (error) {
    log('error', 'cart clean-up after order failed', { checkout_id: checkout.id, error: loggableError(error) });
  }
}

export type OrderChanges = Partial<Record<OrderFlag, boolean>>;

const FLAGS: OrderFlag[] = ['paid', 'shipped', 'cancelled'];
const FLAG_EMAILS: Record<OrderFlag, EmailKind> = {
  paid: 'payment_received',
  shipped: 'order_shipped',
  cancelled: 'order_cancelled',
};
const FLAG_TIMES = { paid: 'paidAt', shipped: 'shippedAt', cancelled: 'cancelledAt' } as const;

/**
 * The flags a request newly sets, after the rules: a cancelled order cannot change, a shipped
 * order cannot be cancelled, and flags only ever go from false to true (clearing `paid` or
 * `shipped` is a 409). Asking for a flag that is already set changes nothing.
 */
function flagsToSet(order: Order, changes: OrderChanges): OrderFlag[] {
  const newlySet = FLAGS.filter((flag) => changes[flag] === true && !order[flag]);
  const cleared = FLAGS.filter((flag) => changes[flag] === false && order[flag]);
  if (order.cancelled && (newlySet.length || cleared.length)) {
    throw conflictError('ORDER_CANCELLED', 'This order is cancelled and cannot change', { order_id: order.id });
  }
  if (newlySet.includes('cancelled') && (order.shipped || newlySet.includes('shipped'))) {
    throw conflictError('ORDER_ALREADY_SHIPPED', 'A shipped order cannot be cancelled', { order_id: order.id });
  }
  if (cleared.includes('shipped')) {
    throw conflictError('ORDER_ALREADY_SHIPPED', 'A shipped order cannot be marked as not shipped', { order_id: order.id });
  }
  if (cleared.includes('paid')) {
    throw conflictError('ORDER_ALREADY_PAID', 'A paid order cannot be marked as not paid', { order_id: order.id });
  }
  return newlySet;
}

/**
 * Applies a superuser's edit in one batch: the flags and their timestamps, the restock of a
 * cancelled order and one e-mail per newly set flag. The flag update only applies to the state
 * that was read (see updateOrderFlagsStatement), so concurrent edits are serialised: the loser
 * re-reads and is judged against the new state. Cancelling (reason `shop`) an order whose online
 * payment brought money refunds it through the provider first (services/refunds.ts: one refund
 * per payment under one idempotency key); a provider that is down is a 502 and the order stays
 * as it was.
 */
export async function editOrder(env: Bindings, orderId: number, changes: OrderChanges): Promise<OrderWithItems> {
  const db = getDb(env);
  for (let attempt = 1; ; attempt++) {
    const current = await findOrder(db, orderId);
    if (!current) throw missingError();
    const { order, items } = current;
    const newlySet = flagsToSet(order, changes);
    if (newlySet.length === 0) return current;

    const now = isoNow();
    const update: Parameters<typeof updateOrderFlagsStatement>[2] = {};
    for (const flag of newlySet) {
      update[flag] = true;
      update[FLAG_TIMES[flag]] = now;
    }
    const cancels = newlySet.includes('cancelled');
    // Paid or cancelled, an order no longer waits for its payment (nor stays in the expiry job's index).
    if (newlySet.includes('paid') || cancels) update.paymentDueAt = null;
    if (cancels) update.cancellationReason = 'shop';
    const emails: OutgoingEmail[] = newlySet.map((flag) => ({
      kind: FLAG_EMAILS[flag],
      to: order.email,
      data: { name: order.name, order: orderSummary(order, items), ...(flag === 'cancelled' ? { reason: 'shop' as const } : {}) },
      userId: order.userId,
      orderId: order.id,
    }));
    const refund = cancels && current.payment && refundableAmount(current.payment) > 0 ? await askRefund(env, db, { ...current, payment: current.payment }, 'cancelled_by_shop') : undefined;
    try {
      await writeWithEmails(
        env,
        db,
        [updateOrderFlagsStatement(db, order, update, now), ...(cancels ? [restockStatement(db, order.id, now)] : []), ...(refund?.statements ?? [])],
        [...emails, ...(refund ? [refund.email] : [])],
      );
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS) throw error;
      continue;
    }
    if (cancels && !refund) await cancelProviderPayments(env, [current.payment]);
    return (await findOrder(db, orderId))!;
  }
}

/** Does the order exist (for the 404 that comes before a superuser's edit is validated)? */
export const orderExists = (env: Bindings, orderId: number) => orderIdExists(getDb(env), orderId);

/** The order if the user may see it: a superuser sees every order, a customer only their own. */
export async function findVisibleOrder(env: Bindings, user: User, orderId: number): Promise<OrderWithItems | undefined> {
  const found = await findOrder(getDb(env), orderId);
  return found && (user.isSuperuser || found.order.userId === user.id) ? found : undefined;
}

/**
 * A page of the orders the user may see, newest first, and how many there are; `userId`
 * narrows it (for a customer, only to themselves: another id gives an empty page).
 */
export async function listVisibleOrders(
  env: Bindings,
  user: User,
  request: { limit?: number | null; offset?: number | null; userId?: string | null; paymentStatus?: PaymentStatus | null },
): Promise<{ orders: OrderWithItems[]; total: number }> {
  const page = { limit: request.limit ?? ORDER_PAGE_DEFAULTS.limit, offset: request.offset ?? ORDER_PAGE_DEFAULTS.offset };
  const wanted = request.userId ?? undefined;
  if (!user.isSuperuser && wanted !== undefined && wanted !== user.id) return { orders: [], total: 0 };
  return listOrders(getDb(env), { userId: user.isSuperuser ? wanted : user.id, paymentStatus: request.paymentStatus ?? undefined, ...page });
}
