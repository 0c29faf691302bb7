import { createRoute, z } from '@hono/zod-openapi';
import { requireUser } from '../../middleware/auth';
import { onPrimary } from '../../middleware/request-context';
import { emailField, integer, text } from '../../lib/schemas';
import { errors, json, jsonBody, SECURITY } from '../../lib/openapi';

/** A line frozen into a checkout or an order: its own copy of title and price. */
export const FrozenLineSchema = z
  .object({
    product_id: z.number().int(),
    title: z.string(),
    unit_price: z.number().int().openapi({ description: 'Price per unit in minor units, as it was at checkout' }),
    quantity: z.number().int(),
    line_total: z.number().int(),
  })
  .openapi('OrderLine');

export const CheckoutSchema = z
  .object({
    checkout_id: z.number().int(),
    cart_id: z.number().int(),
    status: z.enum(['open', 'completed', 'expired']).openapi({
      description: '`expired` is derived: an open checkout past `expires_at`. `completed` once it became an order.',
    }),
    amount: z.number().int().openapi({ description: 'Total in minor units' }),
    currency: z.string().openapi({ example: 'INR' }),
    items: z.array(FrozenLineSchema),
    email: z.string(),
    name: z.string(),
    phone_no: z.string().openapi({ description: 'Normalised: digits only, with the leading `+` if one was given', example: '+919876543210' }),
    address: z.string(),
    postal_code: z.string(),
    expires_at: z.string().openapi({ example: '2026-11-25T10:30:00Z' }),
    created_at: z.string().openapi({ example: '2026-11-25T10:00:00Z' }),
  })
  .openapi('Checkout');

const PHONE_SEPARATORS = /[\s().-]/g;

/**
 * A phone number as a string or a JSON number: 6–20 digits, an optional leading `+`, and
 * spaces, dashes, dots and parentheses between them, which are stripped.
 */
const phoneNumber = () =>
  z
    .preprocess(
      (value) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : value),
      text({ min: 1, max: 40 }).pipe(z.string().regex(/^\+?[\s().-]*(?:\d[\s().-]*){6,20}$/)),
    )
    .transform((value) => value.replace(PHONE_SEPARATORS, ''))
    .openapi({
      // A JSON number is accepted too (maxLength applies to strings, minimum to numbers).
      type: ['string', 'integer'],
      minimum: 0,
      example: '+91 98765 43210',
      description:
        'String or number. 6–20 digits with an optional leading `+`; spaces, dashes, dots and parentheses are allowed and stripped.',
    });

export const CheckoutRequest = z
  .object({
    cart_id: integer({ min: 1 }).openapi({ description: 'The caller’s current `cart_id` (from `GET /cart/show`)' }),
    amount: integer({ min: 0 }).openapi({ description: 'The total the customer was shown, in minor units; must equal the server’s total' }),
    email: emailField(),
    name: text({ min: 1, max: 200 }),
    phone_no: phoneNumber(),
    address: text({ min: 1, max: 500 }),
    postal_code: text({ min: 1, max: 20 }),
  })
  .openapi('CheckoutRequest');

export const createCheckoutRoute = createRoute({
  method: 'post',
  path: '/checkout',
  operationId: 'createCheckout',
  tags: ['checkout'],
  summary: 'Fix what is bought, for how much, and where it goes',
  description:
    'Checks, in this order: the cart is the caller’s current cart (404 `CART_NOT_FOUND`), it is not empty (400 `CART_EMPTY`), ' +
    'every line is on sale (409 `PRODUCT_UNAVAILABLE`, with `product_id`) and in stock (409 `INSUFFICIENT_STOCK`, with `product_id`, `requested`, `available`), ' +
    'and `amount` equals the server’s total (409 `AMOUNT_MISMATCH`, with the server’s `amount` and `currency`). Nothing is stored unless all pass. ' +
    'The checkout freezes the prices and stays open for `CHECKOUT_TTL_MINUTES` (30 by default); stock is not reserved until the order is created.',
  security: SECURITY,
  middleware: [onPrimary, requireUser] as const,
  request: { body: jsonBody(CheckoutRequest) },
  responses: {
    201: json(CheckoutSchema, 'Checkout opened'),
    ...errors(400, 401, 404, 409, 413, 422),
  },
});
