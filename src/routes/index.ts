import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { healthRoutes } from './health';
import { authRoutes } from './auth';
import { userRoutes } from './users';
import { checkoutRoutes } from './checkout';
import { adminRoutes } from './admin';
import { devRoutes } from './dev';
import { orderRoutes } from './orders';
import { productRoutes } from './products';
import { cartRoutes } from './cart';

/** Every resource router, mounted at the root (their paths are absolute). */
export const routers: OpenAPIHono<AppEnv>[] = [healthRoutes, authRoutes, userRoutes, checkoutRoutes, adminRoutes, devRoutes, orderRoutes, productRoutes, cartRoutes];
