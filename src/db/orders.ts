import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from './client';
import {
  checkouts,
  emails,
  orderItems,
  orders,
  payments,
  products,
  type Checkout,
  type FrozenLine,
  type Order,
  type OrderItem,
  type Payment,
  type PaymentStatus,
} from './schema';

/** An order with its lines, in the order they were bought, and its online payment if it has one. */
export interface OrderWithItems {
  order: Order;
  items: FrozenLine[];
  payment: Payment | null;
}

export type OrderFlag = 'paid' | 'shipped' | 'cancelled';

const toFrozenLine = (item: OrderItem): FrozenLine => ({
  product_id: item.productId,
  title: item.title,
  unit_price: item.unitPrice,
  quantity: item.quantity,
  line_total: item.lineTotal,
});

/**
 * Lines and payments of up to 100 orders (D1 binds at most 100 parameters), in one batch. Not a
 * join: orders and payments share column names, which D1's row objects would collapse.
 */
async function detailsOf(db: Db, rows: Order[]): Promise<OrderWithItems[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((order) => order.id);
  const [lineRows, paymentRows] = await db.batch([
    db.select().from(orderItems).where(inArray(orderItems.orderId, ids)).orderBy(orderItems.id),
    db.select().from(payments).where(inArray(payments.orderId, ids)),
  ]);
  const lines = new Map<number, FrozenLine[]>(ids.map((id) => [id, []]));
  for (const row of lineRows) lines.get(row.orderId)?.push(toFrozenLine(row));
  const paymentOf = new Map(paymentRows.map((payment) => [payment.orderId, payment]));
  return rows.map((order) => ({ order, items: lines.get(order.id) ?? [], payment: paymentOf.get(order.id) ?? null }));
}

async function withDetails(db: Db, order: Order | undefined): Promise<OrderWithItems | undefined> {
  return order ? (await detailsOf(db, [order]))[0] : undefined;
}

export const orderExists = async (db: Db, id: number) =>
  (await db.select({ id: orders.id }).from(orders).where(eq(orders.id, id)).get()) !== undefined;

export const findOrder = async (db: Db, id: number) => withDetails(db, await db.select().from(orders).where(eq(orders.id, id)).get());

export const findOrderOfCheckout = async (db: Db, checkoutId: number) =>
  withDetails(db, await db.select().from(orders).where(eq(orders.checkoutId, checkoutId)).get());

/** A page of orders, newest first, with the total that matches the filter. */
export async function listOrders(
  db: Db,
  filter: { userId?: string; paymentStatus?: PaymentStatus; limit: number; offset: number },
): Promise<{ orders: OrderWithItems[]; total: number }> {
  const where = and(
    filter.userId === undefined ? undefined : eq(orders.userId, filter.userId),
    filter.paymentStatus === undefined
      ? undefined
      : inArray(orders.id, db.select({ orderId: payments.orderId }).from(payments).where(eq(payments.status, filter.paymentStatus))),
  );
  // One batch, so the total and the page are read from the same state of the table.
  const [page, totals] = await db.batch([
    db.select().from(orders).where(where).orderBy(desc(orders.id)).limit(filter.limit).offset(filter.offset),
    db.select({ total: count() }).from(orders).where(where),
  ]);
  return { orders: await detailsOf(db, page), total: totals[0]?.total ?? 0 };
}

// ---------------------------------------------------------------------------------------------
// Statements for the atomic order batch (src/services/orders.ts). Each one reads the
// frozen lines from the checkout row itself (json_each), so the batch cannot disagree with it
// and needs the same few bound parameters however many lines there are.
// ---------------------------------------------------------------------------------------------

/** The frozen lines of a checkout as rows `line(key, product_id, title, unit_price, quantity, line_total)`. */
const frozenLines = (checkoutId: number) => sql`(
  SELECT l.key AS key,
    json_extract(l.value, '$.product_id') AS product_id,
    json_extract(l.value, '$.title') AS title,
    json_extract(l.value, '$.unit_price') AS unit_price,
    json_extract(l.value, '$.quantity') AS quantity,
    json_extract(l.value, '$.line_total') AS line_total
  FROM ${checkouts} AS c, json_each(c.items) AS l
  WHERE c.id = ${checkoutId}
)`;

/**
 * The order row. Its `checkout_id` comes from a subquery that finds the checkout only while it is
 * still open and unexpired: otherwise it is NULL, the NOT NULL constraint fails and the whole batch
 * rolls back. A second order for the same checkout fails on the UNIQUE constraint the same way.
 */
export const insertOrderStatement = (db: Db, checkout: Checkout, now: string, paymentDueAt: string | null = null) =>
  db.insert(orders).values({
    paymentDueAt,
    userId: checkout.userId,
    checkoutId: sql`(SELECT id FROM ${checkouts} WHERE id = ${checkout.id} AND user_id = ${checkout.userId} AND status = 'open' AND expires_at > ${now})`,
    amount: checkout.amount,
    currency: checkout.currency,
    email: checkout.email,
    name: checkout.name,
    phoneNo: checkout.phoneNo,
    address: checkout.address,
    postalCode: checkout.postalCode,
    createdAt: now,
    updatedAt: now,
  });

/** Takes the checkout's quantities out of stock; CHECK (quantity >= 0) aborts the batch on an oversell. */
export const takeStockStatement = (db: Db, checkoutId: number, now: string) =>
  db
    .update(products)
    .set({
      quantity: sql`${products.quantity} - (SELECT sum(line.quantity) FROM ${frozenLines(checkoutId)} AS line WHERE line.product_id = ${products.id})`,
      updatedAt: now,
    })
    .where(sql`${products.id} IN (SELECT line.product_id FROM ${frozenLines(checkoutId)} AS line)`);

/**
 * The order lines, copied from the checkout (title and price stay with the order for good).
 * An UPDATE of a deleted product matches nothing and would not abort the batch, so `product_id`
 * is NULL — a NOT NULL violation that aborts it — unless the product still exists and is on sale.
 */
export const insertOrderLinesStatement = (db: Db, checkoutId: number, today: string) =>
  db.insert(orderItems).select(sql`
    SELECT NULL,
      (SELECT id FROM ${orders} WHERE checkout_id = ${checkoutId}),
      CASE WHEN EXISTS (
        SELECT 1 FROM ${products} AS p
        WHERE p.id = line.product_id AND p.is_visible = 1 AND p.release_date <= ${today}
      ) THEN line.product_id END,
      line.title, line.unit_price, line.quantity, line.line_total
    FROM ${frozenLines(checkoutId)} AS line
    ORDER BY line.key`);

export const completeCheckoutStatement = (db: Db, checkoutId: number) =>
  db
    .update(checkouts)
    .set({ status: 'completed' })
    .where(and(eq(checkouts.id, checkoutId), eq(checkouts.status, 'open')));

/**
 * The order id is only known inside the batch: the confirmation e-mail is rendered with a
 * placeholder number, which this statement replaces with the id of the order just inserted.
 */
export const ORDER_ID_PLACEHOLDER = Number.MAX_SAFE_INTEGER;

export const stampOrderIdOnEmailStatement = (db: Db, emailId: string, checkoutId: number) => {
  const orderId = sql`(SELECT id FROM ${orders} WHERE checkout_id = ${checkoutId})`;
  const placeholder = String(ORDER_ID_PLACEHOLDER);
  const stamped = (column: AnySQLiteColumn) => sql`replace(${column}, ${placeholder}, ${orderId})`;
  return db
    .update(emails)
    .set({
      orderId,
      subject: stamped(emails.subject),
      text: stamped(emails.text),
      html: stamped(emails.html),
    })
    .where(eq(emails.id, emailId));
};

/**
 * Sets flags of an order only if it is still in the state it was read in: otherwise `updated_at`
 * becomes NULL and the NOT NULL constraint aborts the batch (with the restock and e-mails in it),
 * so two concurrent edits can never both apply — a double cancel never restocks twice.
 */
export const updateOrderFlagsStatement = (
  db: Db,
  order: Order,
  changes: Partial<Pick<Order, OrderFlag | 'paidAt' | 'shippedAt' | 'cancelledAt' | 'paymentDueAt' | 'cancellationReason'>>,
  now: string,
) =>
  db
    .update(orders)
    .set({
      ...changes,
      updatedAt: sql`CASE WHEN paid = ${Number(order.paid)} AND shipped = ${Number(order.shipped)} AND cancelled = ${Number(order.cancelled)} THEN ${now} END`,
    })
    .where(eq(orders.id, order.id));

/** Moves an order's quantities into (+1) or out of (-1) stock; products deleted meanwhile match nothing. */
const orderStockStatement = (db: Db, orderId: number, now: string, sign: 1 | -1) =>
  db
    .update(products)
    .set({
      quantity: sql`${products.quantity} + ${sign} * (SELECT sum(oi.quantity) FROM ${orderItems} AS oi WHERE oi.order_id = ${orderId} AND oi.product_id = ${products.id})`,
      updatedAt: now,
    })
    .where(sql`${products.id} IN (SELECT oi.product_id FROM ${orderItems} AS oi WHERE oi.order_id = ${orderId})`);

/** Puts an order's quantities back in stock; products deleted meanwhile are skipped. */
export const restockStatement = (db: Db, orderId: number, now: string) => orderStockStatement(db, orderId, now, 1);

/**
 * Takes a cancelled order's quantities out of stock again (a payment that arrived late):
 * CHECK (quantity >= 0) aborts the batch when there is not enough, and the first statement sets
 * the order's `updated_at` to NULL (NOT NULL aborts it too) when one of its products was deleted
 * meanwhile, whose UPDATE would otherwise match nothing.
 */
export const retakeStockStatements = (db: Db, orderId: number, now: string) => [
  db
    .update(orders)
    .set({
      updatedAt: sql`CASE WHEN NOT EXISTS (
        SELECT 1 FROM ${orderItems} AS oi WHERE oi.order_id = ${orderId}
          AND NOT EXISTS (SELECT 1 FROM ${products} AS p WHERE p.id = oi.product_id)
      ) THEN ${orders.updatedAt} END`,
    })
    .where(eq(orders.id, orderId)),
  orderStockStatement(db, orderId, now, -1),
];

/** Is everything the order holds still in the catalog, in the quantities it needs (to take it again)? */
export async function orderStockIsThere(db: Db, orderId: number): Promise<boolean> {
  const short = await db
    .select({ productId: orderItems.productId })
    .from(orderItems)
    .leftJoin(products, eq(products.id, orderItems.productId))
    .where(eq(orderItems.orderId, orderId))
    .groupBy(orderItems.productId)
    .having(sql`coalesce(max(${products.quantity}), -1) < sum(${orderItems.quantity})`);
  return short.length === 0;
}

/**
 * Unpaid orders past their `payment_due_at`, oldest due first, at most `limit` (the expiry job's
 * bounded share of a run; orders_payment_due_idx serves it). Shipped orders are left alone (their
 * goods are gone), and so are orders whose payment is `processing`: that money is on its way, and
 * the order expires once the payment fails.
 */
export const findOverdueOrderIds = async (db: Db, now: string, limit: number) =>
  (
    await db
      .select({ id: orders.id })
      .from(orders)
      .where(
        and(
          sql`${orders.paymentDueAt} <= ${now}`,
          eq(orders.paid, false),
          eq(orders.cancelled, false),
          eq(orders.shipped, false),
          sql`NOT EXISTS (SELECT 1 FROM ${payments} WHERE ${payments.orderId} = ${orders.id} AND ${payments.status} = 'processing')`,
        ),
      )
      .orderBy(orders.paymentDueAt)
      .limit(limit)
  ).map((row) => row.id);
