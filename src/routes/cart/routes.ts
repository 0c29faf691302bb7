import { createRoute, z } from '@hono/zod-openapi';
import { errors, json, jsonBody, SECURITY } from '../../lib/openapi';
import { idParam, integer } from '../../lib/schemas';
import { requireUser } from '../../middleware/auth';
import { mustExist } from '../../middleware/must-exist';
import { cartItemNotFound, findCartItem, MAX_CART_LINES, MAX_LINE_QUANTITY } from '../../services/cart';

const MAX_LINES_PER_ADD = 50;

const CartItemSchema = z
  .object({
    item_id: z.number().int().openapi({ description: 'Stable id of this line within the cart' }),
    product_id: z.number().int(),
    title: z.string().nullable().openapi({ description: 'The catalog title now; null when the product was deleted' }),
    unit_price: z.number().int().openapi({ description: 'Catalog price now, in minor units (0 when the product was deleted)' }),
    quantity: z.number().int(),
    line_total: z.number().int().openapi({ description: '`unit_price × quantity`; 0 for an unavailable line' }),
    available: z.boolean().openapi({ description: 'false when the product was deleted or is no longer on sale; such a line blocks checkout' }),
  })
  .openapi('CartItem');

export const CartSchema = z
  .object({
    cart_id: z.number().int().nullable().openapi({ description: 'null until the first item is added; new after the cart became an order' }),
    items: z.array(CartItemSchema),
    total_quantity: z.number().int().openapi({ description: 'Units over all lines, unavailable ones included' }),
    subtotal: z.number().int().openapi({ description: 'Sum of the available lines, in minor units' }),
    currency: z.string().openapi({ example: 'INR' }),
    updated_at: z.string().nullable().openapi({ format: 'date-time', example: '2026-11-25T10:00:00Z' }),
  })
  .openapi('Cart');

const CartIssueSchema = z
  .object({
    item_id: z.number().int(),
    product_id: z.number().int(),
    code: z.enum(['PRODUCT_UNAVAILABLE', 'INSUFFICIENT_STOCK']),
    reason: z.string(),
  })
  .openapi('CartIssue');

export const CartSummarySchema = z
  .object({
    cart_id: z.number().int().nullable(),
    item_count: z.number().int().openapi({ description: 'Number of lines' }),
    total_quantity: z.number().int(),
    subtotal: z.number().int(),
    currency: z.string(),
    ready_for_checkout: z.boolean().openapi({ description: 'The cart has lines and no issues' }),
    issues: z.array(CartIssueSchema),
  })
  .openapi('CartSummary');

const CartAddLine = z
  .object({
    product_id: integer({ min: 1 }),
    quantity: integer({ min: 1, max: MAX_LINE_QUANTITY }),
  })
  .openapi('CartAddLine');

const CartAddLines = z.array(CartAddLine).min(1).max(MAX_LINES_PER_ADD);
const CartAddWrapped = z.object({ items: CartAddLines });
const isPlainObject = (value: unknown) => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A list of lines, or `{"items": [...]}`. The shape is chosen from the input first, so a bad
 * body gets the errors of the shape it meant (`["body", 0, "quantity"]` or
 * `["body", "items", 0, "quantity"]`) rather than a vague union error.
 */
export const CartAddRequest = z.preprocess(
  (value, ctx) => {
    const result = (isPlainObject(value) ? CartAddWrapped : CartAddLines).safeParse(value);
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
    return value;
  },
  z.union([CartAddLines, CartAddWrapped]),
).openapi('CartAddRequest');

const CartUpdateRequest = z
  .object({ quantity: integer({ min: 0, max: MAX_LINE_QUANTITY }).openapi({ description: 'New quantity; 0 removes the line' }) })
  .openapi('CartUpdate');

const ItemIdParam = idParam('item_id');

/**
 * 404 for an item that is not in the caller's cart before the body is validated (the
 * contract's order: path id, then body), so a bad body for a missing item is a 404.
 */
const itemMustExist = mustExist({
  params: ItemIdParam,
  find: ({ item_id }, c) => findCartItem(c.env, c.get('user').id, item_id),
  missing: ({ item_id }) => cartItemNotFound(item_id),
});

const KV_BURST = {
  429: {
    description:
      'Changes to one cart take turns (concurrent adds all count, none is lost); this one waited about 5 s for the others, ' +
      'or the cart was written too often in the same second (Workers KV allows one write per second per key) and the server retried for about 1.5 s. Retry after `Retry-After`.',
    content: errors(429)[429]!.content,
  },
};

const cartResponse = json(CartSchema, 'The cart, priced from the catalog as it is now');

export const showCartRoute = createRoute({
  method: 'get',
  path: '/cart/show',
  operationId: 'getCart',
  tags: ['cart'],
  summary: "The caller's cart",
  description: 'An empty cart (`cart_id` null, no items) when the caller has none. Prices and availability are read from the catalog on every answer.',
  security: SECURITY,
  middleware: [requireUser] as const,
  responses: { 200: cartResponse, ...errors(401) },
});

export const addToCartRoute = createRoute({
  method: 'post',
  path: '/cart/add',
  operationId: 'addToCart',
  tags: ['cart'],
  summary: 'Add products to the cart',
  description:
    `Body: a list of 1–${MAX_LINES_PER_ADD} \`{product_id, quantity}\` (quantity 1–${MAX_LINE_QUANTITY}), or \`{"items": [...]}\`. ` +
    'Lines for the same product are merged, also with the line already in the cart. All or nothing: on any error the cart is unchanged. Checks, in order: ' +
    'every product exists and is on sale (404 `PRODUCT_NOT_FOUND` with `product_id`, for the first that is not); ' +
    `the cart then holds at most ${MAX_CART_LINES} different products (409 \`CART_FULL\` with \`requested\` = the resulting number of lines, \`max_items\`); then per product, ` +
    `the resulting line holds at most ${MAX_LINE_QUANTITY} units (409 \`MAX_QUANTITY_EXCEEDED\` with \`product_id\`, \`requested\`, \`max_quantity\`) ` +
    'and no more than the stock (409 `INSUFFICIENT_STOCK` with `product_id`, `requested` = the resulting line quantity, `available`). ' +
    'The first add gives the cart its `cart_id`.',
  security: SECURITY,
  middleware: [requireUser] as const,
  request: { body: jsonBody(CartAddRequest) },
  responses: { 200: cartResponse, ...errors(401, 404, 409, 413, 422), ...KV_BURST },
});

export const updateCartItemRoute = createRoute({
  method: 'put',
  path: '/cart/update/{item_id}',
  operationId: 'updateCartItem',
  tags: ['cart'],
  summary: 'Set the quantity of a cart line',
  description:
    '0 removes the line. A quantity above 0 is checked against the catalog now: 409 `PRODUCT_UNAVAILABLE` when the product was deleted or is off sale ' +
    '(such a line can only be removed), 409 `INSUFFICIENT_STOCK` above the stock. 404 `CART_ITEM_NOT_FOUND` for an item that is not in the cart.',
  security: SECURITY,
  middleware: [requireUser, itemMustExist] as const,
  request: { params: ItemIdParam, body: jsonBody(CartUpdateRequest) },
  responses: { 200: cartResponse, ...errors(401, 404, 409, 413, 422), ...KV_BURST },
});

export const removeCartItemRoute = createRoute({
  method: 'delete',
  path: '/cart/remove/{item_id}',
  operationId: 'removeCartItem',
  tags: ['cart'],
  summary: 'Remove a cart line',
  security: SECURITY,
  middleware: [requireUser] as const,
  request: { params: ItemIdParam },
  responses: { 200: cartResponse, ...errors(401, 404), ...KV_BURST },
});

export const cartSummaryRoute = createRoute({
  method: 'get',
  path: '/cart/summary',
  operationId: 'getCartSummary',
  tags: ['cart'],
  summary: 'Is the cart ready for checkout?',
  description:
    'One issue per line that cannot be bought now: `PRODUCT_UNAVAILABLE` (deleted or off sale) or `INSUFFICIENT_STOCK`. ' +
    '`cart_id`, when given, must be the caller’s current cart (404 `CART_NOT_FOUND` otherwise, also for a cart that already became an order).',
  security: SECURITY,
  middleware: [requireUser] as const,
  request: {
    query: z.object({
      cart_id: integer().optional().openapi({ description: 'The cart the client believes is current' }),
    }),
  },
  responses: { 200: json(CartSummarySchema), ...errors(401, 404, 422) },
});
