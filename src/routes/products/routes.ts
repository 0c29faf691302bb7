import { createRoute, z } from '@hono/zod-openapi';
import { PRODUCT_SORTS } from '../../db/products';
import { optionalUser, requireSuperuser } from '../../middleware/auth';
import { changesCatalog, edgeCache } from '../../middleware/edge-cache';
import { mustExist } from '../../middleware/must-exist';
import { findProduct } from '../../services/products';
import { errors, json, jsonBody, SECURITY } from '../../lib/openapi';
import { catalogSearch } from './http-cache';
import { boolean, idParam, integer, pydanticIssue, text } from '../../lib/schemas';

/** Upper bounds that keep every total far inside a safe integer (and SQLite's int64). */
export const MAX_PRICE = 1_000_000_000_000;
export const MAX_STOCK = 1_000_000_000;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** Why a string is not a real calendar date `YYYY-MM-DD`, in Pydantic's words, or null. */
function calendarDateProblem(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return 'expected the format YYYY-MM-DD';
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1) return 'year value is outside expected range';
  if (month < 1 || month > 12) return 'month value is outside expected range of 1-12';
  const days = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > days) return 'day value is outside expected range';
  return null;
}

/** A calendar date `YYYY-MM-DD` that exists (2026-02-30 does not). */
const calendarDate = () =>
  z
    .string()
    .superRefine((value, ctx) => {
      const problem = calendarDateProblem(value);
      if (problem) {
        ctx.addIssue(
          pydanticIssue('date_from_datetime_parsing', `Input should be a valid date or datetime, ${problem}`, value, { error: problem }),
        );
      }
    })
    .openapi({ format: 'date', example: '2026-11-25' });

const timestamp = () => z.string().openapi({ format: 'date-time', example: '2026-11-25T10:00:00Z' });

export const ProductSchema = z
  .object({
    id: z.number().int(),
    title: z.string(),
    description: z.string(),
    price: z.number().int().openapi({ description: 'Price in minor units (paise, cents)', example: 49900 }),
    currency: z.string().openapi({ example: 'INR' }),
    release_date: z.string().openapi({ format: 'date', example: '2026-11-25' }),
    quantity: z.number().int().openapi({ description: 'Units in stock' }),
    is_visible: z.boolean(),
    created_at: timestamp(),
    updated_at: timestamp(),
  })
  .openapi('Product');

const productFields = {
  title: text({ min: 1, max: 200 }).openapi({ description: 'Trimmed; 1–200 characters', example: 'Blue Mug' }),
  description: text({ max: 5000, trim: false }).openapi({ description: 'Kept as written (not trimmed); at most 5000 characters' }),
  price: integer({ min: 0, max: MAX_PRICE }).openapi({ description: 'Price in minor units', example: 49900 }),
  release_date: calendarDate(),
  quantity: integer({ min: 0, max: MAX_STOCK }).openapi({ description: 'Units in stock' }),
  is_visible: boolean(),
};

export const ProductCreate = z
  .object({
    title: productFields.title,
    description: productFields.description.default(''),
    price: productFields.price,
    release_date: productFields.release_date.optional().openapi({ description: 'Defaults to today (UTC)' }),
    quantity: productFields.quantity.default(0).openapi({ default: 0 }),
    is_visible: productFields.is_visible.default(false).openapi({ default: false }),
  })
  .openapi('ProductCreate');

export const ProductUpdate = z
  .object({
    title: productFields.title.optional(),
    description: productFields.description.optional(),
    price: productFields.price.optional(),
    release_date: productFields.release_date.optional(),
    quantity: productFields.quantity.optional(),
    is_visible: productFields.is_visible.optional(),
  })
  .openapi('ProductUpdate', {
    description: 'Every field optional; an absent field is unchanged, `null` is a 422 (no field is nullable).',
  });

export const ProductListQuery = z.object({
  limit: integer({ min: 1, max: 100 }).default(20).openapi({ default: 20, description: 'Page size, 1–100' }),
  offset: integer({ min: 0 }).default(0).openapi({ default: 0, description: 'Products to skip' }),
  q: text({ max: 100 })
    .optional()
    .openapi({
      description:
        'Trimmed text to find in the title or the description, case-insensitively; every character is literal (`%`, `_`, `"`, `*`). ' +
        'From 3 characters on, letters beyond ASCII match in either case too (`É` finds `é`); 1–2 characters compare only ASCII letters case-insensitively. Empty means no filter.',
    }),
  min_price: integer({ min: 0, max: MAX_PRICE }).optional().openapi({ description: 'Lowest price, inclusive (minor units)' }),
  max_price: integer({ min: 0, max: MAX_PRICE }).optional().openapi({
    description: 'Highest price, inclusive (minor units); below `min_price` the list is simply empty',
  }),
  in_stock: boolean().optional().openapi({ description: '`true`: only products with stock; `false`: only sold-out products' }),
  sort: z.enum(PRODUCT_SORTS).default('id').openapi({
    description: 'Sort key, `-` for descending; ties are broken by `id` in the same direction. Titles sort by code point (upper case before lower case).',
  }),
});

const ProductIdParam = idParam('product_id');

/**
 * 404 for an unknown product before the body is validated: FastAPI resolves the path
 * dependency first, so a bad body for a missing product is a 404, not a 422.
 */
const productMustExist = mustExist({ params: ProductIdParam, find: ({ product_id }, c) => findProduct(c.env, product_id) });

const CACHE_HEADERS = {
  ETag: { description: 'Strong validator of this answer; send it back in `If-None-Match`', schema: { type: 'string' as const } },
  'Cache-Control': {
    description: '`public, max-age=30` for anonymous callers, `private, no-store` for signed-in ones',
    schema: { type: 'string' as const },
  },
  Vary: { description: '`Authorization`: a superuser sees more', schema: { type: 'string' as const } },
  Age: {
    description: 'Seconds since the edge cache stored this anonymous answer (only when it came from there)',
    schema: { type: 'integer' as const },
  },
};

const EDGE_CACHE =
  ' Anonymous answers (no `Authorization` header) come from the edge cache of the data centre that serves the call for up to `max-age` seconds: ' +
  "a superuser's change to the catalog, and an order's or a cancel's change to stock, show at once in the data centre that made it and everywhere else within `max-age`; " +
  'nothing is cached across midnight UTC, when products are released.';

const notModified = {
  description: '`If-None-Match` matched the current `ETag`: empty body, same `ETag` and cache headers',
  headers: CACHE_HEADERS,
};

export const listProductsRoute = createRoute({
  method: 'get',
  path: '/products',
  operationId: 'listProducts',
  tags: ['catalog'],
  summary: 'List products',
  description:
    'Anyone may call this. Everyone sees only products on sale (visible and released today or earlier, UTC) ' +
    'except a superuser (a valid superuser bearer token), who sees every product. An invalid or expired token is treated as no token. ' +
    'Paging: `X-Total-Count` is the number of matching products; `Link` has absolute `rel="next"` / `rel="prev"` URLs keeping the other parameters ' +
    '(in one canonical spelling: filters, `sort`, `limit`, `offset`, defaults and unknown parameters left out).' +
    EDGE_CACHE,
  security: [{}, ...SECURITY],
  middleware: [edgeCache({ query: ProductListQuery, path: ({ query }) => `/products${catalogSearch(query)}` }), optionalUser] as const,
  request: { query: ProductListQuery },
  responses: {
    200: {
      ...json(z.array(ProductSchema), 'One page of products'),
      headers: {
        'X-Total-Count': { description: 'Products matching the filters, over all pages', schema: { type: 'integer' as const } },
        Link: { description: 'RFC 8288 links `rel="next"` and `rel="prev"`, when there are such pages', schema: { type: 'string' as const } },
        ...CACHE_HEADERS,
      },
    },
    304: notModified,
    ...errors(422),
  },
});

export const getProductRoute = createRoute({
  method: 'get',
  path: '/products/{product_id}',
  operationId: 'getProduct',
  tags: ['catalog'],
  summary: 'One product',
  description:
    ['A product that is not on sale is a 404 for everyone but a superuser. `ETag`, `If-None-Match` and `Cache-Control` work as on the list.', EDGE_CACHE].join(''),
  security: [{}, ...SECURITY],
  middleware: [edgeCache({ params: ProductIdParam, path: ({ params }) => `/products/${params.product_id}` }), optionalUser] as const,
  request: { params: ProductIdParam },
  responses: {
    200: { ...json(ProductSchema), headers: CACHE_HEADERS },
    304: notModified,
    ...errors(404),
  },
});

export const createProductRoute = createRoute({
  method: 'post',
  path: '/products/add',
  operationId: 'createProduct',
  tags: ['catalog'],
  summary: 'Add a product (superuser)',
  description: 'Defaults: `description` "", `release_date` today (UTC), `quantity` 0, `is_visible` false.',
  security: SECURITY,
  middleware: [requireSuperuser, changesCatalog] as const,
  request: { body: jsonBody(ProductCreate) },
  responses: {
    201: {
      ...json(ProductSchema, 'Created'),
      headers: { Location: { description: '`/products/{id}` of the new product', schema: { type: 'string' as const } } },
    },
    ...errors(401, 403, 413, 422),
  },
});

export const updateProductRoute = createRoute({
  method: 'patch',
  path: '/products/{product_id}',
  operationId: 'updateProduct',
  tags: ['catalog'],
  summary: 'Change a product (superuser)',
  description: '`updated_at` moves when the body changes at least one field; an empty object changes nothing.',
  security: SECURITY,
  middleware: [requireSuperuser, productMustExist, changesCatalog] as const,
  request: { params: ProductIdParam, body: jsonBody(ProductUpdate) },
  responses: { 200: json(ProductSchema), ...errors(401, 403, 404, 413, 422) },
});

export const deleteProductRoute = createRoute({
  method: 'delete',
  path: '/products/{product_id}',
  operationId: 'deleteProduct',
  tags: ['catalog'],
  summary: 'Delete a product (superuser)',
  description:
    'Orders keep their own copy of title and price. Carts holding the product show the line with `available: false` (and `title: null`) until it is removed.',
  security: SECURITY,
  middleware: [requireSuperuser, changesCatalog] as const,
  request: { params: ProductIdParam },
  responses: { 204: { description: 'Deleted; empty body' }, ...errors(401, 403, 404) },
});
