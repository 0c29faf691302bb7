import type { Context } from 'hono';
import type { AppEnv } from '../../app-env';
import { getConfig } from '../../config';
import { getDb } from '../../db/client';
import * as catalog from '../../db/products';
import { notFound } from '../../lib/errors';
import { createRouter } from '../../lib/openapi';
import { today } from '../../lib/time';
import { optionalCurrentUser } from '../../middleware/auth';
import { conditionalHeaders } from './http-cache';
import { createProduct, deleteProduct, getProduct, listProducts, updateProduct } from './routes';

/** RFC 8288 `Link` with absolute next/prev URLs that keep every other query parameter. */
function paginationLink(requestUrl: string, limit: number, offset: number, total: number): string | undefined {
  const pageAt = (pageOffset: number) => {
    const url = new URL(requestUrl);
    url.searchParams.set('limit', String(limit));
    url.searchParams.set('offset', String(pageOffset));
    return url.toString();
  };
  const links: string[] = [];
  if (offset + limit < total) links.push(`<${pageAt(offset + limit)}>; rel="next"`);
  if (offset > 0) links.push(`<${pageAt(Math.max(0, Math.min(offset, total) - limit))}>; rel="prev"`);
  return links.length ? links.join(', ') : undefined;
}

/** A superuser sees the whole catalog; everyone else only what is on sale today. */
const seesEverything = (c: Context<AppEnv>) => optionalCurrentUser(c)?.isSuperuser === true;

export const productRoutes = createRouter()
  .openapi(listProducts, async (c) => {
    const query = c.req.valid('query');
    const viewer = optionalCurrentUser(c);
    const { currency } = getConfig(c.env);
    const filter: catalog.ProductFilter = {
      onSaleOn: seesEverything(c) ? undefined : today(),
      q: query.q || undefined,
      minPrice: query.min_price,
      maxPrice: query.max_price,
      inStock: query.in_stock,
    };
    const { rows, total } = await catalog.listProducts(getDb(c.env), filter, query);
    const body = rows.map((row) => catalog.toProductOut(row, currency));
    const link = paginationLink(c.req.url, query.limit, query.offset, total);
    const { headers, notModified } = await conditionalHeaders(c, body, {
      anonymous: viewer === undefined,
      dataHeaders: { 'X-Total-Count': String(total), ...(link ? { Link: link } : {}) },
    });
    if (notModified) return c.body(null, 304, headers);
    return c.json(body, 200, headers);
  })
  .openapi(getProduct, async (c) => {
    const { product_id } = c.req.valid('param');
    const product = await catalog.findProductById(getDb(c.env), product_id);
    if (!product || (!seesEverything(c) && !catalog.isOnSale(product))) throw notFound();
    const body = catalog.toProductOut(product, getConfig(c.env).currency);
    const { headers, notModified } = await conditionalHeaders(c, body, { anonymous: optionalCurrentUser(c) === undefined });
    if (notModified) return c.body(null, 304, headers);
    return c.json(body, 200, headers);
  })
  .openapi(createProduct, async (c) => {
    const input = c.req.valid('json');
    const product = await catalog.insertProduct(getDb(c.env), {
      title: input.title,
      description: input.description,
      price: input.price,
      releaseDate: input.release_date ?? today(),
      quantity: input.quantity,
      isVisible: input.is_visible,
    });
    return c.json(catalog.toProductOut(product, getConfig(c.env).currency), 201, { Location: `/products/${product.id}` });
  })
  .openapi(updateProduct, async (c) => {
    const { product_id } = c.req.valid('param');
    const input = c.req.valid('json');
    const changes: Partial<catalog.NewProduct> = {
      title: input.title,
      description: input.description,
      price: input.price,
      releaseDate: input.release_date,
      quantity: input.quantity,
      isVisible: input.is_visible,
    };
    for (const key of Object.keys(changes) as (keyof typeof changes)[]) if (changes[key] === undefined) delete changes[key];
    const db = getDb(c.env);
    const product = Object.keys(changes).length
      ? await catalog.updateProduct(db, product_id, changes)
      : await catalog.findProductById(db, product_id);
    if (!product) throw notFound();
    return c.json(catalog.toProductOut(product, getConfig(c.env).currency), 200);
  })
  .openapi(deleteProduct, async (c) => {
    const { product_id } = c.req.valid('param');
    if (!(await catalog.deleteProduct(getDb(c.env), product_id))) throw notFound();
    return c.body(null, 204);
  });
