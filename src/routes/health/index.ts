import { createRoute, z } from '@hono/zod-openapi';
import { getDb, pingDatabase } from '../../db/client';
import { ApiError } from '../../lib/errors';
import { createRouter, errors, json } from '../../lib/openapi';

const Health = z.object({ status: z.literal('ok') }).openapi('Health');

const health = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  security: [],
  tags: ['operations'],
  summary: 'Liveness: 200 when D1 answers, 503 otherwise',
  responses: { 200: json(Health), ...errors(503) },
});

export const healthRoutes = createRouter().openapi(health, async (c) => {
  try {
    await pingDatabase(getDb(c.env));
  } catch {
    throw new ApiError(503, 'Service Unavailable', { 'Retry-After': '5' });
  }
  return c.json({ status: 'ok' as const }, 200);
});
