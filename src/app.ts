import { OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from './app-env';
import { type Config, getConfig } from './config';
import { loggableError } from './lib/error-cause';
import { ApiError, toApiError } from './lib/errors';
import { log } from './lib/log';
import { validationHook } from './lib/validation';
import { readBody } from './middleware/body';
import { requestContext } from './middleware/request-context';
import { routers } from './routes';
import { docsRoutes } from './routes/docs';

/** `/products/` is `/products`: trailing slashes are accepted, not redirected. */
function pathWithoutTrailingSlash(request: Request): string {
  const url = request.url;
  const start = url.indexOf('/', url.indexOf('://') + 3);
  const end = url.indexOf('?', start);
  const path = end < 0 ? url.slice(start) : url.slice(start, end);
  return path.length > 1 ? path.replace(/\/+$/, '') || '/' : path;
}

const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Request body too large',
};

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook, getPath: pathWithoutTrailingSlash });

  app.use('*', requestContext);
  // Credentials travel as bearer tokens, never cookies, so allowing every origin (the default) exposes nothing ambient.
  app.use(
    '*',
    cors({
      origin: (origin, c) => corsOrigin(origin, getConfig(c.env).corsOrigins),
      allowHeaders: ['Authorization', 'Content-Type', 'If-None-Match', 'X-Request-Id', 'X-D1-Bookmark'],
      exposeHeaders: ['X-Total-Count', 'Link', 'ETag', 'Location', 'Retry-After', 'X-Request-Id', 'X-D1-Bookmark'],
      maxAge: 600,
    }),
  );
  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
  });
  app.use('*', readBody);
  for (const router of routers) app.route('/', router);

  app.openAPIRegistry.registerComponent('securitySchemes', 'OAuth2PasswordBearer', {
    type: 'oauth2',
    description: 'Bearer access token from `POST /auth/jwt/login` (form-encoded `username`, `password`).',
    flows: { password: { tokenUrl: '/auth/jwt/login', scopes: {} } },
  });
  // The document is the same whatever the host, so the committed openapi.json is exactly what is served.
  // /openapi.json and /docs describe the API rather than being part of it, so they are not in it.
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Ashte API',
      version: '1.0.0',
      description:
        'Shop backend on Cloudflare Workers: accounts (fastapi-users compatible), catalog, cart, checkout, orders and transactional e-mail. ' +
        'Errors are FastAPI-shaped `{"detail": …}`; money is in minor units; times are ISO 8601 UTC. ' +
        'Reads come from the nearest D1 replica: every answer that reached D1 carries `X-D1-Bookmark`, and a request that sends ' +
        'it back reads data at least that new (a value that is not a bookmark is ignored); a signed-in user sees their own writes without it.',
    },
    servers: [{ url: '/', description: 'The server that serves this document' }],
    tags: [
      { name: 'auth', description: 'Registration, login/logout, password reset and e-mail verification (fastapi-users compatible).' },
      { name: 'users', description: 'The current user, and user management for superusers.' },
      { name: 'catalog', description: 'Products. Everyone sees products on sale; superusers see and manage all.' },
      { name: 'cart', description: 'One cart per user, re-priced from the catalog on every answer.' },
      { name: 'checkout', description: 'Fixes what is bought, for how much and where it goes, for `CHECKOUT_TTL_MINUTES` (30 by default).' },
      { name: 'orders', description: 'Turns a checkout into an order exactly once; order history and fulfilment.' },
      { name: 'payments', description: 'Online payment (PAYMENT_PROVIDER stripe or razorpay): the payment of an order, provider webhooks, Razorpay Checkout verification.' },
      { name: 'admin', description: 'Transactional e-mail delivery state, for superusers.' },
      { name: 'development', description: 'Only when ENVIRONMENT=development.' },
      { name: 'operations', description: 'Health of the deployment.' },
    ],
  });
  // Whoever opens the bare host (a person or a client) learns where the API describes itself.
  app.get('/', (c) => c.json({ name: 'Ashte API', docs: '/docs', openapi: '/openapi.json' }));
  app.route('/', docsRoutes);

  app.notFound((c) => {
    const allowed = allowedMethods(app, pathWithoutTrailingSlash(c.req.raw));
    if (allowed.length) throw new ApiError(405, 'Method Not Allowed', { Allow: allowed.join(', ') });
    throw new ApiError(404, 'Not Found');
  });

  app.onError((thrown, c) => {
    const error = toApiError(thrown);
    if (error instanceof ApiError) return c.json({ detail: error.detail }, error.status, error.headers);
    if (error instanceof HTTPException && error.status === 415) {
      // A form (or other non-JSON) body on a JSON route: FastAPI validates the raw body and answers 422.
      const issue = { type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: null };
      return c.json({ detail: [issue] }, 422);
    }
    if (error instanceof HTTPException && error.status < 500) {
      const status = error.status as ContentfulStatusCode;
      return c.json({ detail: PHRASES[status] ?? error.message }, status);
    }
    log('error', 'unhandled error', { request_id: c.get('requestId'), error: loggableError(error) });
    return c.json({ detail: 'Internal Server Error' }, 500);
  });

  return app;
}

/** `CORS_ORIGINS`: `*` (default) or a comma-separated list of allowed origins. */
function corsOrigin(origin: string, allowed: Config['corsOrigins']): string | null {
  if (allowed === '*') return '*';
  return allowed.includes(origin) ? origin : null;
}

const patternCache = new WeakMap<object, { method: string; pattern: RegExp }[]>();

/** The methods some route answers on this path, for a 405's `Allow` header. */
function allowedMethods(app: OpenAPIHono<AppEnv>, path: string): string[] {
  let patterns = patternCache.get(app);
  if (!patterns) {
    patterns = app.routes
      .filter((route) => route.method !== 'ALL' && !route.path.includes('*'))
      .map((route) => ({
        method: route.method,
        pattern: new RegExp(`^${route.path.replace(/:[^/]+/g, '[^/]+').replace(/\/+$/, '')}/?$`),
      }));
    patternCache.set(app, patterns);
  }
  const methods = new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method));
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
