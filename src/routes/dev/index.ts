import { createRoute, z } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../app-env';
import { getConfig } from '../../config';
import { EMAIL_STATUSES } from '../../db/schema';
import { linksIn } from '../../email/links';
import { notFound } from '../../lib/errors';
import { createRouter, errors, json } from '../../lib/openapi';
import { queryInt, text } from '../../lib/schemas';
import { readMailbox } from '../../services/emails';

const MAILBOX_PAGE_DEFAULT = 50;

const MailboxEmail = z
  .object({
    id: z.string().openapi({ format: 'uuid' }),
    to: z.string(),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
    status: z.enum(EMAIL_STATUSES),
    created_at: z.string().openapi({ example: '2026-11-25T10:00:00Z' }),
    links: z.array(z.string()).openapi({ description: 'The URLs in the text version, e.g. verify and reset links' }),
  })
  .openapi('MailboxEmail');

const mailboxRoute = createRoute({
  method: 'get',
  path: '/dev/mailbox',
  operationId: 'listDevMailbox',
  security: [],
  tags: ['development'],
  summary: 'Development only: the e-mails the app would have sent',
  description:
    'Exists only when `ENVIRONMENT=development`; everywhere else every `/dev/…` path answers 404 Not Found, ' +
    'exactly like an unknown route. Newest first, whatever the provider and delivery state.',
  request: {
    query: z.object({
      to: text({ min: 1, max: 320 })
        .optional()
        .openapi({ description: 'Only e-mails to this address (exact match, compared case-insensitively)' }),
      limit: queryInt({ min: 1, max: 200 }).openapi({ default: MAILBOX_PAGE_DEFAULT }),
    }),
  },
  responses: { 200: json(z.array(MailboxEmail), 'The newest e-mails'), ...errors(404, 422) },
});

/** Outside development the whole `/dev` tree does not exist, for every method. */
const developmentOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!getConfig(c.env).isDevelopment) throw notFound();
  await next();
});

const router = createRouter();
router.use('/dev/*', developmentOnly);

export const devRoutes = router.openapi(mailboxRoute, async (c) => {
  const { to, limit = MAILBOX_PAGE_DEFAULT } = c.req.valid('query');
  const rows = await readMailbox(c.env, { to, limit });
  return c.json(
    rows.map((row) => ({
      id: row.id,
      to: row.toAddress,
      subject: row.subject,
      text: row.text,
      html: row.html,
      status: row.status,
      created_at: row.createdAt,
      links: linksIn(row.text),
    })),
    200,
  );
});
