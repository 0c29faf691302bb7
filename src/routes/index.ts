import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { adminRoutes } from './admin';
import { authRoutes } from './auth';
import { cartRoutes } from './cart';
import { checkoutRoutes } from './checkout';
import { devRoutes } from './dev';
import { healthRoutes } from './health';
import { orderRoutes } from './orders';
import { paymentRoutes } from './payments';
import { productRoutes } from './products';
import { userRoutes } from './users';

/** Every resource router, mounted at the root (their paths are absolute), in the order of API.md. */
export const routers: OpenAPIHono<AppEnv>[] = [
  authRoutes,
  userRoutes,
  productRoutes,
  cartRoutes,
  checkoutRoutes,
  orderRoutes,
  paymentRoutes,
  adminRoutes,
  devRoutes,
  healthRoutes,
];
