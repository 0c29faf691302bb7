import { createRoute, z } from '@hono/zod-openapi';
import { CANCELLATION_REASONS, PAYMENT_STATUSES } from '../../db/schema';
import { errors, json, jsonBody, SECURITY } from '../../lib/openapi';
import { boolean, idParam, integer, pydanticIssue, queryInt, text } from '../../lib/schemas';
import { parseUuid } from '../../lib/uuid';
import { requireSuperuser, requireUser } from '../../middleware/auth';
import { changesCatalog } from '../../middleware/edge-cache';
import { mustExist } from '../../middleware/must-exist';
import { onPrimary } from '../../middleware/request-context';
import { ORDER_PAGE_DEFAULTS, orderExists } from '../../services/orders';
import { FrozenLineSchema } from '../checkout/routes';

const timestamp = (description?: string) => z.string().openapi({ example: '2026-11-25T10:00:00Z', ...(description ? { description } : {}) });

export const OrderPaymentSchema = z
  .object({
    provider: z.enum(['stripe', 'razorpay']),
    status: z.enum(PAYMENT_STATUSES).openapi({
      description:
        '`requires_payment` until the customer pays; `processing` while the provider confirms; `succeeded`; `failed` (the customer may try again); ' +
        '`amount_mismatch`: money arrived that does not equal the order (the order stays unpaid; a superuser sees it); `refunded` / `partially_refunded`.',
    }),
    provider_payment_id: z.string().nullable().openapi({ description: 'Stripe `pi_…` or Razorpay `order_…` (null only while it is being created)' }),
    amount: z.number().int().openapi({ description: 'Minor units: what the provider object asks for, or what a mismatching payment brought' }),
    currency: z.string().openapi({ example: 'INR' }),
    refunded_amount: z.number().int(),
    updated_at: timestamp(),
  })
  .openapi('OrderPayment');

export const OrderSchema = z
  .object({
    id: z.number().int(),
    user_id: z.string().openapi({ format: 'uuid', description: 'The customer; kept when the user is deleted (no foreign key)' }),
    checkout_id: z.number().int(),
    status: z.enum(['pending', 'paid', 'shipped', 'cancelled']).openapi({
      description: 'Derived: `cancelled` if cancelled, else `shipped` if shipped, else `paid` if paid, else `pending`',
    }),
    paid: z.boolean(),
    shipped: z.boolean(),
    cancelled: z.boolean(),
    amount: z.number().int().openapi({ description: 'Total in minor units, as frozen at checkout' }),
    currency: z.string().openapi({ example: 'INR' }),
    items: z.array(FrozenLineSchema).openapi({ description: 'Lines with their own title and price: deleting a product never changes them' }),
    email: z.string(),
    name: z.string(),
    phone_no: z.string(),
    address: z.string(),
    postal_code: z.string(),
    created_at: timestamp(),
    updated_at: timestamp(),
    paid_at: timestamp().nullable(),
    shipped_at: timestamp().nullable(),
    cancelled_at: timestamp().nullable(),
    payment_due_at: timestamp(
      'With an online provider (PAYMENT_PROVIDER stripe or razorpay): when the order is cancelled unless paid (UNPAID_ORDER_TTL_MINUTES after it was placed); null with `manual` and once paid',
    ).nullable(),
    payment: OrderPaymentSchema.nullable().openapi({ description: 'The online payment (`POST /orders/{order_id}/payment`), or null' }),
    cancellation_reason: z
      .enum(CANCELLATION_REASONS)
      .nullable()
      .openapi({ description: 'Why a cancelled order was cancelled: `unpaid` (not paid in time) or `shop` (by a superuser); null otherwise' }),
  })
  .openapi('Order');

const OrderList = z.array(OrderSchema).openapi('OrderList');

/** What the 422 for a user_id that is not a UUID quotes as the expected form. */
const UUID_PATTERN = '^(?:urn:)?(?:uuid:)?\\{*(?:-*[0-9a-fA-F]){32}-*\\}*$';

/** A user id read as leniently as Python's `uuid.UUID` (see parseUuid), in its canonical form. */
const userIdFilter = () =>
  text({ max: 60 })
    .transform((value, ctx) => {
      const id = parseUuid(value);
      if (id) return id;
      ctx.addIssue(pydanticIssue('string_pattern_mismatch', `String should match pattern '${UUID_PATTERN}'`, value, { pattern: UUID_PATTERN }));
      return z.NEVER;
    })
    .openapi({
      type: 'string',
      format: 'uuid',
      description:
        'Only orders of this user. Superusers may name anyone; for everyone else it can only narrow the list to their own orders ' +
        '(another user’s id gives an empty list, never their orders).',
    });

const paymentStatusFilter = () =>
  z.enum(PAYMENT_STATUSES).openapi({
    description:
      'Only orders whose online payment is in this state, e.g. `amount_mismatch` for the payments a superuser must look at (orders without a payment never match).',
  });

const limit = <T extends z.ZodType>(field: T): T => field.openapi({ default: ORDER_PAGE_DEFAULTS.limit, description: 'Page size, 1–100' });
const offset = <T extends z.ZodType>(field: T): T => field.openapi({ default: ORDER_PAGE_DEFAULTS.offset, description: 'Orders to skip' });

const OrderIdParam = idParam('order_id');

const ORDER_ERRORS_NOTE =
  '401 without a valid token. Someone else’s order is as unknown as a missing one (never 403).';

/**
 * Answers 404 for an unknown order id before the body is validated, in FastAPI's order of checks
 * (path id 404 → body 422).
 */
const orderMustExist = mustExist({ params: OrderIdParam, find: ({ order_id }, c) => orderExists(c.env, order_id) });

export const createOrderRoute = createRoute({
  method: 'post',
  path: '/orders/create',
  operationId: 'createOrder',
  tags: ['orders'],
  summary: 'Turn a checkout into an order, exactly once',
  description:
    'In one D1 batch: stock goes down for every line (the database refuses to go below zero and the whole batch rolls back), ' +
    'the order and its lines are written, the checkout is marked completed and the confirmation e-mail is recorded (its order number is filled in inside the batch). ' +
    'Then the ordered quantities leave the cart; what remains of it gets a new `cart_id`. ' +
    'A repeat for a completed checkout, also a concurrent one, answers 200 with the same order. ' +
    '409 `INSUFFICIENT_STOCK` (`product_id`, `requested`, `available`) or `PRODUCT_UNAVAILABLE` (`product_id`; the product was deleted or taken off sale since checkout) change nothing; ' +
    '409 `CHECKOUT_EXPIRED` when the checkout is past `expires_at`. Prices are those frozen at checkout.',
  security: SECURITY,
  // Stock is part of the product object: the catalog readers see changes.
  middleware: [onPrimary, requireUser, changesCatalog] as const,
  request: { body: jsonBody(z.object({ checkout_id: integer({ min: 1 }) }).openapi('CreateOrderRequest')) },
  responses: {
    201: json(OrderSchema, 'Order created'),
    200: json(OrderSchema, 'The checkout was already an order: that order'),
    ...errors(401, 404, 409, 413, 422),
  },
});

export const viewOrdersRoute = createRoute({
  method: 'post',
  path: '/orders/view',
  operationId: 'viewOrders',
  tags: ['orders'],
  summary: 'One order by id, or a page of orders (newest first)',
  description:
    '`{"order_id": n}` answers that order (404 `ORDER_NOT_FOUND` when it does not exist or is someone else’s). ' +
    'Otherwise (`{}`, an empty body, or `{limit, offset, user_id, payment_status}`) a list, newest first, with `X-Total-Count`: ' +
    'a superuser sees everyone’s orders and may filter by `user_id`; others see only their own. ' + ORDER_ERRORS_NOTE,
  security: SECURITY,
  middleware: [requireUser] as const,
  request: {
    body: jsonBody(
      z
        .object({
          order_id: integer({ min: 1 }).nullish(),
          limit: limit(integer({ min: 1, max: 100 }).nullish()),
          offset: offset(integer({ min: 0 }).nullish()),
          user_id: userIdFilter().nullish(),
          payment_status: paymentStatusFilter().nullish(),
        })
        .nullable()
        .openapi('ViewOrdersRequest'),
    ),
  },
  responses: {
    200: {
      ...json(z.union([OrderSchema, OrderList]), 'The order (when `order_id` was given), else the list'),
      headers: { 'X-Total-Count': { schema: { type: 'integer' }, description: 'Lists only: orders matching the filter' } },
    },
    ...errors(401, 404, 413, 422),
  },
});

export const listOrdersRoute = createRoute({
  method: 'get',
  path: '/orders',
  operationId: 'listOrders',
  tags: ['orders'],
  summary: 'A page of orders, newest first',
  description: `As \`POST /orders/view\` without \`order_id\`. ${ORDER_ERRORS_NOTE}`,
  security: SECURITY,
  middleware: [requireUser] as const,
  request: {
    query: z.object({
      limit: limit(queryInt({ min: 1, max: 100 })),
      offset: offset(queryInt({ min: 0 })),
      user_id: userIdFilter().optional(),
      payment_status: paymentStatusFilter().optional(),
    }),
  },
  responses: {
    200: {
      ...json(OrderList),
      headers: { 'X-Total-Count': { schema: { type: 'integer' }, description: 'Orders matching the filter' } },
    },
    ...errors(401, 422),
  },
});

export const getOrderRoute = createRoute({
  method: 'get',
  path: '/orders/{order_id}',
  operationId: 'getOrder',
  tags: ['orders'],
  summary: 'One order',
  description:
    'Path ids follow the shop-wide rule: an unknown, malformed or someone else’s id is the plain `{"detail":"Not Found"}` ' +
    '(`POST /orders/view`, which takes the id in the body, answers the coded `ORDER_NOT_FOUND`).',
  security: SECURITY,
  middleware: [requireUser] as const,
  request: { params: OrderIdParam },
  responses: { 200: json(OrderSchema), ...errors(401, 404) },
});

const flag = (description: string) => boolean().nullish().openapi({ description });

export const EditOrderRequest = z
  .object({
    paid: flag('`true` marks the order paid, sets `paid_at` and queues a "payment received" e-mail'),
    shipped: flag('`true` marks the order shipped, sets `shipped_at` and queues an "order shipped" e-mail'),
    cancelled: flag(
      '`true` cancels the order (`cancellation_reason: "shop"`): its stock goes back (products deleted since are skipped) and an "order cancelled" e-mail is queued; ' +
        'money its online payment brought is refunded through the provider first, with a "refund" e-mail',
    ),
  })
  .refine((body) => body.paid != null || body.shipped != null || body.cancelled != null, {
    message: 'At least one of shipped, paid, cancelled is required',
  })
  .openapi('EditOrderRequest', { minProperties: 1, description: 'At least one of `paid`, `shipped`, `cancelled` (null counts as absent); other fields are ignored.' });

export const editOrderRoute = createRoute({
  method: 'put',
  path: '/orders/edit/{order_id}',
  operationId: 'editOrder',
  tags: ['orders'],
  summary: 'Mark an order paid, shipped or cancelled (superuser)',
  description:
    'Flags only go from false to true: setting a flag that is already set changes nothing and sends no e-mail; ' +
    'clearing `paid` or `shipped` is a 409 (`ORDER_ALREADY_PAID` / `ORDER_ALREADY_SHIPPED`). ' +
    'A cancelled order cannot change (409 `ORDER_CANCELLED`, unless the request changes nothing); a shipped order cannot be cancelled (409 `ORDER_ALREADY_SHIPPED`). ' +
    'Shipping an unpaid order and cancelling a paid one are allowed. Flags, timestamps, restock and e-mails are one batch that applies only to the state it was ' +
    'decided on, so concurrent edits never apply twice (a double cancel restocks once). ' +
    'Cancelling an order whose online payment brought money refunds all of it through the provider before the cancel, once per payment (one idempotency key, also across retries); ' +
    'a provider that is down is a 502 `PAYMENT_PROVIDER_ERROR` and the order stays as it was. An unknown id is the plain 404.',
  security: SECURITY,
  // A cancel puts stock back.
  middleware: [onPrimary, requireSuperuser, orderMustExist, changesCatalog] as const,
  request: { params: OrderIdParam, body: jsonBody(EditOrderRequest) },
  responses: { 200: json(OrderSchema), ...errors(401, 403, 404, 409, 413, 422, 502) },
});
