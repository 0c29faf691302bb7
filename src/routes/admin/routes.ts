import { createRoute, z } from '@hono/zod-openapi';
import { EMAIL_KINDS, EMAIL_STATUSES } from '../../db/schema';
import { errors, json, SECURITY } from '../../lib/openapi';
import { queryInt, text } from '../../lib/schemas';
import { requireSuperuser } from '../../middleware/auth';

export const EMAIL_PAGE_DEFAULT = 20;

export const EmailOut = z
  .object({
    id: z.string().openapi({ format: 'uuid' }),
    kind: z.enum(EMAIL_KINDS),
    to: z.string().openapi({ description: 'Recipient address' }),
    subject: z.string(),
    status: z.enum(EMAIL_STATUSES).openapi({
      description: '`pending` until the provider accepts it (`sent`) or delivery is given up (`failed`)',
    }),
    attempts: z.number().int().openapi({ description: 'Delivery attempts made since it was recorded or last resent' }),
    last_error: z.string().nullable().openapi({ description: 'Why the last attempt failed, if it did' }),
    provider_message_id: z.string().nullable().openapi({ description: "The provider's id for the delivered message" }),
    created_at: z.string().openapi({ example: '2026-11-25T10:00:00Z' }),
    updated_at: z.string().openapi({ example: '2026-11-25T10:00:00Z' }),
    sent_at: z.string().nullable().openapi({ example: '2026-11-25T10:00:05Z' }),
  })
  .openapi('EmailOut');

const EmailListQuery = z.object({
  status: z.enum(EMAIL_STATUSES).optional().openapi({ description: 'Only e-mails in this delivery state' }),
  to: text({ min: 1, max: 320 })
    .optional()
    .openapi({ description: 'Only e-mails to this address (exact match, compared case-insensitively)' }),
  limit: queryInt({ min: 1, max: 100 }).openapi({ default: EMAIL_PAGE_DEFAULT }),
  offset: queryInt({ min: 0 }).openapi({ default: 0 }),
});

const EmailIdParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' }, format: 'uuid', example: '0b9f7c1e-3c2a-4c43-9d1e-2f0f6a7d8e9f' }),
});

export const listEmailsRoute = createRoute({
  method: 'get',
  path: '/admin/emails',
  operationId: 'listEmails',
  tags: ['admin'],
  summary: 'Every recorded e-mail and its delivery state (superuser)',
  description:
    'Newest first. `X-Total-Count` is the number of e-mails matching the filters. ' +
    'Bodies are not listed here; the delivery state is.',
  security: SECURITY,
  middleware: [requireSuperuser] as const,
  request: { query: EmailListQuery },
  responses: {
    200: {
      description: 'One page of e-mails',
      headers: {
        'X-Total-Count': { description: 'E-mails matching the filters, over all pages', schema: { type: 'integer' } },
      },
      content: { 'application/json': { schema: z.array(EmailOut) } },
    },
    ...errors(401, 403, 422),
  },
});

export const resendEmailRoute = createRoute({
  method: 'post',
  path: '/admin/emails/{id}/resend',
  operationId: 'resendEmail',
  tags: ['admin'],
  summary: 'Send a sent or failed e-mail again (superuser)',
  description:
    'Queues the recorded e-mail again, as rendered when it was recorded, with a new idempotency key so the ' +
    'provider delivers it as a new message. It becomes `pending` with `attempts` 0 and no `last_error`, ' +
    '`provider_message_id` or `sent_at`. No request body. ' +
    'An e-mail that is still `pending` is being delivered: 409 `{"detail":{"code":"EMAIL_PENDING","reason":…}}`.',
  security: SECURITY,
  middleware: [requireSuperuser] as const,
  request: { params: EmailIdParam },
  responses: {
    202: json(EmailOut, 'Queued again'),
    ...errors(401, 403, 404, 409),
  },
});
