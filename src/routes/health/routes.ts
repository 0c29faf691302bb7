import { createRoute, z } from '@hono/zod-openapi';
import { errors, json } from '../../lib/openapi';

const Health = z.object({ status: z.literal('ok') }).openapi('Health');

export const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  security: [],
  tags: ['operations'],
  summary: 'Liveness: 200 when D1 answers, 503 otherwise',
  responses: { 200: json(Health), ...errors(503) },
});
