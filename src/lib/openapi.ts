import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { validationHook } from './validation';

/** A router for one resource; every route on it validates into FastAPI-shaped 422s. */
export const createRouter = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

export const SECURITY = [{ OAuth2PasswordBearer: [] }];

const ValidationItem = z.object({
  type: z.string(),
  loc: z.array(z.union([z.string(), z.number()])),
  msg: z.string(),
  input: z.unknown(),
  ctx: z.record(z.string(), z.unknown()).optional(),
});

export const ErrorSchema = z
  .object({
    detail: z.union([
      z.string(),
      z.looseObject({ code: z.string(), reason: z.string() }),
      z.array(ValidationItem),
    ]),
  })
  .openapi('Error');

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Business rule violated (`detail` is a string code or `{code, reason}`)',
  401: 'Missing, invalid, expired or revoked token, or inactive user: `{"detail":"Unauthorized"}`',
  403: 'Not allowed: `{"detail":"Forbidden"}`',
  404: 'Not found, or not yours: `{"detail":"Not Found"}` or a `{code, reason}` object',
  409: 'Conflict with the current state (`{code, reason, …}`)',
  413: 'Body over 64 KiB',
  422: 'Validation error (Pydantic v2 shape)',
  429: 'Too many requests; see `Retry-After`',
  502: 'The payment provider is down, timed out or refused: `{"detail":{"code":"PAYMENT_PROVIDER_ERROR","reason":…}}`; nothing changed, safe to retry',
  503: 'A dependency is unavailable; see `Retry-After`',
};

/** The error responses of a route, documented with the shared error schema. */
export function errors(...statuses: (keyof typeof ERROR_DESCRIPTIONS)[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: ERROR_DESCRIPTIONS[status]!, content: { 'application/json': { schema: ErrorSchema } } },
    ]),
  );
}

/** A JSON response or request body. */
export const json = <T extends z.ZodType>(schema: T, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
});

/** A required JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});
