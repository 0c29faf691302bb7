import { getConfig } from '../../config';
import type { Product } from '../../db/schema';
import { notFound } from '../../lib/errors';
import { createRouter } from '../../lib/openapi';
import { optionalCurrentUser } from '../../middleware/auth';
import { addProduct, type CatalogQuery, changeProduct, findVisibleProduct, listCatalog, removeProduct } from '../../services/products';
import { catalogSearch, conditionalHeaders } from './http-cache';
import { createProductRoute, deleteProductRoute, getProductRoute, listProductsRoute, updateProductRoute } from './routes';

/** The public product object, in the contract's field order. */
function toProductOut(product: Product, currency: string) {
  return {
    id: product.id,
    title: product.title,
    description: product.description,
    price: product.price,
    currency,
    release_date: product.releaseDate,
    quantity: product.quantity,
    is_visible: product.isVisible,
    created_at: product.createdAt,
    updated_at: product.updatedAt,
  };
}

/**
 * RFC 8288 `Link` with absolute next/prev URLs that keep the other parameters, spelt as
 * `catalogSearch` spells them: the same for equivalent requests, so an edge-cache entry holds the right one.
 */
function paginationLink(requestUrl: string, query: CatalogQuery, total: number): string | undefined {
  const { limit, offset } = query;
  const pageAt = (pageOffset: number) => {
    const url = new URL(`/products${catalogSearch(query)}`, requestUrl);
    url.searchParams.set('limit', String(limit));
    url.searchParams.set('offset', String(pageOffset));
    return url.toString();
  };
  const links: string[] = [];
  if (offset + limit < total) links.push(`<${pageAt(offset + limit)}>; rel="next"`);
  if (offset > 0) links.push(`<${pageAt(Math.max(0, Math.min(offset, total) - limit))}>; rel="prev"`);
  return links.length ? links.join(', ') : undefined;
}

export const productRoutes = createRouter()
  .openapi(listProductsRoute, async (c) => {
    const query = c.req.valid('query');
    const viewer = optionalCurrentUser(c);
    const { currency } = getConfig(c.env);
    const { rows, total } = await listCatalog(c.env, viewer, query);
    const body = rows.map((row) => toProductOut(row, currency));
    const link = paginationLink(c.req.url, query, total);
    const { headers, notModified } = await conditionalHeaders(c, body, {
      anonymous: viewer === undefined,
      dataHeaders: { 'X-Total-Count': String(total), ...(link ? { Link: link } : {}) },
    });
    if (notModified) return c.body(null, 304, headers);
    return c.json(body, 200, headers);
  })
  .openapi(getProductRoute, async (c) => {
    const viewer = optionalCurrentUser(c);
    const product = await findVisibleProduct(c.env, viewer, c.req.valid('param').product_id);
    if (!product) throw notFound();
    const body = toProductOut(product, getConfig(c.env).currency);
    const { headers, notModified } = await conditionalHeaders(c, body, { anonymous: viewer === undefined });
    if (notModified) return c.body(null, 304, headers);
    return c.json(body, 200, headers);
  })
  .openapi(createProductRoute, async (c) => {
    const product = await addProduct(c.env, c.req.valid('json'));
    return c.json(toProductOut(product, getConfig(c.env).currency), 201, { Location: `/products/${product.id}` });
  })
  .openapi(updateProductRoute, async (c) => {
    const product = await changeProduct(c.env, c.req.valid('param').product_id, c.req.valid('json'));
    if (!product) throw notFound();
    return c.json(toProductOut(product, getConfig(c.env).currency), 200);
  })
  .openapi(deleteProductRoute, async (c) => {
    if (!(await removeProduct(c.env, c.req.valid('param').product_id))) throw notFound();
    return c.body(null, 204);
  });
