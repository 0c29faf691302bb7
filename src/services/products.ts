import type { Bindings } from '../env';
import { getDb } from '../db/client';
import * as catalog from '../db/products';
import type { Product, User } from '../db/schema';
import { today } from '../lib/time';

/** A superuser sees the whole catalog; everyone else (anonymous callers too) only what is on sale today. */
const seesEverything = (viewer: User | undefined) => viewer?.isSuperuser === true;

export interface CatalogQuery {
  q?: string;
  min_price?: number;
  max_price?: number;
  in_stock?: boolean;
  sort: catalog.ProductSort;
  limit: number;
  offset: number;
}

/** One page of the products the viewer may see, and how many match in all. */
export function listCatalog(env: Bindings, viewer: User | undefined, query: CatalogQuery) {
  const filter: catalog.ProductFilter = {
    onSaleOn: seesEverything(viewer) ? undefined : today(),
    q: query.q || undefined,
    minPrice: query.min_price,
    maxPrice: query.max_price,
    inStock: query.in_stock,
  };
  return catalog.listProducts(getDb(env), filter, query);
}

/** The product, if the viewer may see it (a product not on sale exists only for a superuser). */
export async function findVisibleProduct(env: Bindings, viewer: User | undefined, productId: number): Promise<Product | undefined> {
  const product = await catalog.findProductById(getDb(env), productId);
  return product && (seesEverything(viewer) || catalog.isOnSale(product)) ? product : undefined;
}

/** Any product, on sale or not (superuser routes). */
export const findProduct = (env: Bindings, productId: number) => catalog.findProductById(getDb(env), productId);

export interface ProductInput {
  title: string;
  description: string;
  price: number;
  release_date?: string;
  quantity: number;
  is_visible: boolean;
}

/** Adds a product; `release_date` defaults to today (UTC). */
export function addProduct(env: Bindings, input: ProductInput): Promise<Product> {
  return catalog.insertProduct(getDb(env), {
    title: input.title,
    description: input.description,
    price: input.price,
    releaseDate: input.release_date ?? today(),
    quantity: input.quantity,
    isVisible: input.is_visible,
  });
}

/** Applies the fields present; no field changes nothing (not even updated_at). Undefined when the product is gone. */
export async function changeProduct(env: Bindings, productId: number, input: Partial<ProductInput>): Promise<Product | undefined> {
  const changes: Partial<catalog.NewProduct> = {
    title: input.title,
    description: input.description,
    price: input.price,
    releaseDate: input.release_date,
    quantity: input.quantity,
    isVisible: input.is_visible,
  };
  for (const key of Object.keys(changes) as (keyof typeof changes)[]) if (changes[key] === undefined) delete changes[key];
  const db = getDb(env);
  return Object.keys(changes).length ? catalog.updateProduct(db, productId, changes) : catalog.findProductById(db, productId);
}

/** Deletes a product; false when there was none. Order lines keep their own copies. */
export const removeProduct = (env: Bindings, productId: number) => catalog.deleteProduct(getDb(env), productId);
