import { getDb, pingDatabase } from '../../db/client';
import { ApiError } from '../../lib/errors';
import { createRouter } from '../../lib/openapi';
import { healthRoute } from './routes';

export const healthRoutes = createRouter().openapi(healthRoute, async (c) => {
  try {
    await pingDatabase(getDb(c.env));
  } catch {
    throw new ApiError(503, 'Service Unavailable', { 'Retry-After': '5' });
  }
  return c.json({ status: 'ok' as const }, 200);
});
