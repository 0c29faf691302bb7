import { sql } from 'drizzle-orm';
import { check, customType, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const now = sql`(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))`;

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    hashedPassword: text('hashed_password').notNull(),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    isSuperuser: integer('is_superuser', { mode: 'boolean' }).notNull().default(false),
    isVerified: integer('is_verified', { mode: 'boolean' }).notNull().default(false),
    firstName: text('first_name'),
    lastName: text('last_name'),
    // Bumped on every password change: access tokens carry it, so older ones stop working.
    authVersion: integer('auth_version').notNull().default(0),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [uniqueIndex('users_email_lower_unique').on(sql`lower(${t.email})`)],
);

export const products = sqliteTable(
  'products',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    price: integer('price').notNull(),
    releaseDate: text('release_date').notNull(),
    quantity: integer('quantity').notNull().default(0),
    isVisible: integer('is_visible', { mode: 'boolean' }).notNull().default(false),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [
    check('products_quantity_non_negative', sql`${t.quantity} >= 0`),
    check('products_price_non_negative', sql`${t.price} >= 0`),
    index('products_on_sale_idx').on(t.isVisible, t.releaseDate),
    index('products_price_idx').on(t.price),
    index('products_title_idx').on(t.title),
    index('products_release_date_idx').on(t.releaseDate),
    // The public listing filters on is_visible and sorts: with rowid implicitly last, these
    // serve `ORDER BY <column>, id` for the on-sale rows without a sort (see listProducts).
    index('products_visible_idx').on(t.isVisible),
    index('products_visible_price_idx').on(t.isVisible, t.price),
    index('products_visible_title_idx').on(t.isVisible, t.title),
    // A page of in-stock (or sold-out) products walks only those: the same orders, per stock state.
    index('products_stock_idx').on(sql`(${t.quantity} > 0)`),
    index('products_stock_price_idx').on(sql`(${t.quantity} > 0)`, t.price),
    index('products_stock_title_idx').on(sql`(${t.quantity} > 0)`, t.title),
    index('products_stock_release_date_idx').on(sql`(${t.quantity} > 0)`, t.releaseDate),
    index('products_visible_stock_idx').on(t.isVisible, sql`(${t.quantity} > 0)`),
    index('products_visible_stock_price_idx').on(t.isVisible, sql`(${t.quantity} > 0)`, t.price),
    index('products_visible_stock_title_idx').on(t.isVisible, sql`(${t.quantity} > 0)`, t.title),
    index('products_visible_stock_release_date_idx').on(t.isVisible, sql`(${t.quantity} > 0)`, t.releaseDate),
  ],
);

/**
 * How many products there are, for an exact `X-Total-Count` that does not read the catalog
 * (migration 0005, whose triggers on `products` keep it; see countQuery in db/products.ts).
 * Per scope (`all`: every product; `on_sale`: visible and released by
 * `catalog_counts_as_of.released_by`) and stock (quantity > 0 or not), products are counted in
 * price buckets at 15 levels: at level L a bucket holds the prices p with p >> 3L = bucket, so
 * any price range is the sum of at most 7 buckets a side per level.
 */
export const productCounts = sqliteTable(
  'product_counts',
  {
    scope: text('scope', { enum: ['all', 'on_sale'] }).notNull(),
    inStock: integer('in_stock', { mode: 'boolean' }).notNull(),
    level: integer('level').notNull(),
    bucket: integer('bucket').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.inStock, t.level, t.bucket] })],
);

/** The levels 0–14 of product_counts, as rows: triggers cannot use a recursive CTE. */
export const countLevels = sqliteTable('count_levels', { level: integer('level').primaryKey() });

/**
 * One row: the date up to which released products are in product_counts' `on_sale` scope.
 * The cron moves it to today (advanceCatalogCounts); a count adds the visible products
 * released between it and today, which are at most a few minutes' worth of releases.
 */
export const catalogCountsAsOf = sqliteTable(
  'catalog_counts_as_of',
  {
    id: integer('id').primaryKey(),
    releasedBy: text('released_by').notNull(),
  },
  (t) => [check('catalog_counts_as_of_one_row', sql`${t.id} = 1`)],
);

/** A column of SQLite's BLOB affinity: it keeps integers as integers and text as text. */
const sortKey = customType<{ data: number | string }>({ dataType: () => 'blob' });

/**
 * Where a catalog page of any depth starts (migration 0007, kept by triggers on `products`): per
 * sort column, fences cut the products, in (column, id) order, into segments of 100–200
 * (level 0), and groups of level-0 segments of 4,000–8,000 products (level 1). A fence is the
 * (k, id) of its segment's first product and counts the segment's products per scope and stock
 * state (the scopes of product_counts). Cumulative counts over a few dozen level-1 and level-0
 * fences find the segment holding rank `offset`; the page then walks at most one segment to it.
 * Two sentinels per sort and level bound every segment: k = -1 below every key, X'FF' above.
 */
export const catalogFences = sqliteTable(
  'catalog_fences',
  {
    sort: text('sort', { enum: ['id', 'price', 'title', 'release_date'] }).notNull(),
    level: integer('level').notNull(),
    k: sortKey('k').notNull(),
    id: integer('id').notNull(),
    allOut: integer('all_out').notNull(),
    allIn: integer('all_in').notNull(),
    saleOut: integer('sale_out').notNull(),
    saleIn: integer('sale_in').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sort, t.level, t.k, t.id] })],
);

export interface FrozenLine {
  product_id: number;
  title: string;
  unit_price: number;
  quantity: number;
  line_total: number;
}

export const checkouts = sqliteTable(
  'checkouts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: text('user_id').notNull(),
    cartId: integer('cart_id').notNull(),
    status: text('status', { enum: ['open', 'completed'] }).notNull().default('open'),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    items: text('items', { mode: 'json' }).$type<FrozenLine[]>().notNull(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    phoneNo: text('phone_no').notNull(),
    address: text('address').notNull(),
    postalCode: text('postal_code').notNull(),
    expiresAt: text('expires_at').notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    index('checkouts_user_idx').on(t.userId, t.id),
    // The housekeeping job finds abandoned checkouts by it.
    index('checkouts_status_expires_idx').on(t.status, t.expiresAt),
  ],
);

/** Why an order was cancelled: not paid in time, or by the shop (a superuser). */
export const CANCELLATION_REASONS = ['unpaid', 'shop'] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

export const orders = sqliteTable(
  'orders',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    // No foreign key: deleting a user never touches their orders.
    userId: text('user_id').notNull(),
    // Unique: a checkout becomes at most one order, however often it is submitted.
    checkoutId: integer('checkout_id').notNull().unique(),
    paid: integer('paid', { mode: 'boolean' }).notNull().default(false),
    shipped: integer('shipped', { mode: 'boolean' }).notNull().default(false),
    cancelled: integer('cancelled', { mode: 'boolean' }).notNull().default(false),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    phoneNo: text('phone_no').notNull(),
    address: text('address').notNull(),
    postalCode: text('postal_code').notNull(),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
    paidAt: text('paid_at'),
    shippedAt: text('shipped_at'),
    cancelledAt: text('cancelled_at'),
    // With an online payment provider: when an unpaid order is cancelled for non-payment;
    // NULL with `manual`, and once paid.
    paymentDueAt: text('payment_due_at'),
    cancellationReason: text('cancellation_reason', { enum: CANCELLATION_REASONS }),
  },
  (t) => [
    index('orders_user_idx').on(t.userId, t.id),
    // The expiry job finds unpaid orders past their time by it.
    index('orders_payment_due_idx').on(t.paymentDueAt),
  ],
);

export const orderItems = sqliteTable(
  'order_items',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: integer('order_id')
      .notNull()
      .references(() => orders.id),
    // No foreign key: lines keep their own copy of title and price when a product is deleted.
    productId: integer('product_id').notNull(),
    title: text('title').notNull(),
    unitPrice: integer('unit_price').notNull(),
    quantity: integer('quantity').notNull(),
    lineTotal: integer('line_total').notNull(),
  },
  (t) => [index('order_items_order_idx').on(t.orderId)],
);

/**
 * A short lease per user while their cart (a KV document) is read, changed and written back:
 * KV has no compare-and-set, so concurrent writers take turns here instead of overwriting each
 * other's changes. `expires_at` is epoch milliseconds; a lease left by a crashed request lapses.
 */
export const cartLocks = sqliteTable('cart_locks', {
  userId: text('user_id').primaryKey(),
  token: text('token').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

export const EMAIL_KINDS = [
  'verify',
  'reset_password',
  'password_changed',
  'order_confirmation',
  'payment_received',
  'order_shipped',
  'order_cancelled',
  'payment_refunded',
] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

export const EMAIL_STATUSES = ['pending', 'sent', 'failed'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

export const emails = sqliteTable(
  'emails',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: EMAIL_KINDS }).notNull(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
    status: text('status', { enum: EMAIL_STATUSES }).notNull().default('pending'),
    // Sent as the provider's Idempotency-Key; a deliberate resend gets a new one.
    idempotencyKey: text('idempotency_key').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    providerMessageId: text('provider_message_id'),
    userId: text('user_id'),
    orderId: integer('order_id'),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
    queuedAt: text('queued_at'),
    sentAt: text('sent_at'),
  },
  (t) => [
    index('emails_status_created_idx').on(t.status, t.createdAt),
    index('emails_to_idx').on(t.toAddress),
    index('emails_created_idx').on(t.createdAt),
  ],
);

export const PAYMENT_PROVIDERS = ['manual', 'stripe', 'razorpay'] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];
export type OnlinePaymentProvider = Exclude<PaymentProviderName, 'manual'>;

export const PAYMENT_STATUSES = [
  'requires_payment',
  'processing',
  'succeeded',
  'failed',
  'refunded',
  'partially_refunded',
  'amount_mismatch',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * The provider's payment object of an order (a Stripe PaymentIntent, a Razorpay order): at most
 * one per order (UNIQUE order_id), so asking again returns it instead of creating another.
 * `amount`/`currency` are what the provider object asks for, or what a mismatching payment
 * brought (`amount_mismatch`).
 */
export const payments = sqliteTable(
  'payments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: integer('order_id')
      .notNull()
      .unique()
      .references(() => orders.id),
    provider: text('provider', { enum: PAYMENT_PROVIDERS }).notNull(),
    status: text('status', { enum: PAYMENT_STATUSES }).notNull().default('requires_payment'),
    // pi_… or order_…; NULL only while the provider call that creates it is under way.
    providerPaymentId: text('provider_payment_id').unique(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    refundedAmount: integer('refunded_amount').notNull().default(0),
    // Stripe's PaymentIntent client_secret, handed to the customer's browser again on repeat.
    clientSecret: text('client_secret'),
    // The provider's id of the captured payment (Razorpay pay_…; Stripe's latest charge), for refunds.
    providerChargeId: text('provider_charge_id'),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [
    index('payments_status_idx').on(t.status),
    // A refund can never exceed what was paid: an over-refund aborts its whole batch.
    check('payments_refunded_within_amount', sql`${t.refundedAmount} >= 0 AND ${t.refundedAmount} <= ${t.amount}`),
  ],
);

/**
 * Provider events already applied: the id is inserted in the same batch as the event's effect,
 * so a second delivery fails on the primary key and changes nothing.
 */
export const paymentEvents = sqliteTable(
  'payment_events',
  {
    provider: text('provider', { enum: PAYMENT_PROVIDERS }).notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    orderId: integer('order_id'),
    receivedAt: text('received_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId] })],
);

export const REFUND_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/**
 * Refunds asked of the provider. `idempotency_key` is unique (one refund per reason and order,
 * e.g. `refund-order-12-cancel`), so a retried cancel never refunds twice; the provider's
 * refund id is unique too, so its webhook finds the row.
 */
export const refunds = sqliteTable(
  'refunds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: integer('order_id')
      .notNull()
      .references(() => orders.id),
    paymentId: integer('payment_id')
      .notNull()
      .references(() => payments.id),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: REFUND_STATUSES }).notNull().default('pending'),
    reason: text('reason').notNull(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    providerRefundId: text('provider_refund_id').unique(),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [index('refunds_order_idx').on(t.orderId)],
);

export type User = typeof users.$inferSelect;
export type Product = typeof products.$inferSelect;
export type Checkout = typeof checkouts.$inferSelect;
export type Order = typeof orders.$inferSelect;
export type OrderItem = typeof orderItems.$inferSelect;
export type Email = typeof emails.$inferSelect;
export type Payment = typeof payments.$inferSelect;
export type Refund = typeof refunds.$inferSelect;
