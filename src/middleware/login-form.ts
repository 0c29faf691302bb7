import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { ApiError } from '../lib/errors';
import { isForm, mediaTypeOf } from './body';

/**
 * Rebuilds a form body (the login's) as a plain form with only the given fields, as FastAPI reads
 * OAuth2PasswordRequestForm: the last value of a repeated field wins, an empty value (or a file)
 * counts as missing, and a body that is not a form (JSON, say) is an empty form, so the
 * validators answer 422 `missing` instead of 415. A multipart body that cannot be parsed is
 * FastAPI's 400.
 */
export const onlyFormFields = (fields: string[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const raw = c.req.raw;
    const kept = new URLSearchParams();
    if (isForm(mediaTypeOf(raw.headers.get('content-type') ?? ''))) {
      let form: FormData;
      try {
        form = await raw.formData();
      } catch {
        throw new ApiError(400, 'There was an error parsing the body');
      }
      for (const field of fields) {
        const last = form.getAll(field).filter((value): value is string => typeof value === 'string').at(-1);
        if (last) kept.set(field, last);
      }
    }
    const headers = new Headers(raw.headers);
    headers.set('content-type', 'application/x-www-form-urlencoded');
    c.req.raw = new Request(raw.url, { method: raw.method, headers, body: kept.toString() });
    c.req.bodyCache = {};
    await next();
  });
