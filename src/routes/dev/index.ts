import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { accepts } from 'hono/accepts';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../app-env';
import { getConfig } from '../../config';
import { EMAIL_STATUSES } from '../../db/schema';
import { linksIn } from '../../email/links';
import { notFound } from '../../lib/errors';
import { createRouter, errors, json } from '../../lib/openapi';
import { queryInt, text } from '../../lib/schemas';
import { readMailbox } from '../../services/emails';
import { type MailboxEntry, mailboxPage, pageSecurityPolicy, resetPasswordPage, verifyPage } from './pages';

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
    'exactly like an unknown route. Newest first, whatever the provider and delivery state. ' +
    'A browser (an `Accept` that prefers `text/html`) gets the same list as a page with clickable links and each ' +
    'e-mail rendered in a sandboxed frame.',
  request: {
    query: z.object({
      to: text({ min: 1, max: 320 })
        .optional()
        .openapi({ description: 'Only e-mails to this address (exact match, compared case-insensitively)' }),
      limit: queryInt({ min: 1, max: 200 }).openapi({ default: MAILBOX_PAGE_DEFAULT }),
    }),
  },
  // The page for browsers is a development convenience, like /docs: not part of the described API.
  responses: { 200: json(z.array(MailboxEmail), 'The newest e-mails'), ...errors(404, 422) },
});

/**
 * Outside development the whole `/dev` tree and the stand-in pages for e-mail links do not
 * exist, for every method.
 */
const developmentOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!getConfig(c.env).isDevelopment) throw notFound();
  await next();
});

const router = createRouter();
for (const path of ['/dev/*', '/verify', '/reset-password']) router.use(path, developmentOnly);

const prefersHtml = (c: Context<AppEnv>) =>
  accepts(c, { header: 'Accept', supports: ['application/json', 'text/html'], default: 'application/json' }) === 'text/html';

/** A development page, with a policy that lets only its own nonce-carrying script run. */
function htmlPage(render: (nonce: string) => string): Response {
  const nonce = crypto.randomUUID();
  return new Response(render(nonce), {
    headers: {
      'Content-Type': 'text/html; charset=UTF-8',
      'Content-Security-Policy': pageSecurityPolicy(nonce),
      'Cache-Control': 'no-store',
    },
  });
}

// The pages the links in e-mails lead to (`APP_URL/verify?token=…`, `APP_URL/reset-password?token=…`).
// They are the shop front end's in production, so they stay out of the API's OpenAPI document.
router.get('/verify', () => htmlPage(verifyPage));
router.get('/reset-password', () => htmlPage(resetPasswordPage));

// A browser gets the mailbox's JSON answer as a page. The route itself (validation, 422s, the
// documented JSON) stays as it is; the page is a development convenience, like /docs.
router.use('/dev/mailbox', async (c, next) => {
  await next();
  if (c.res.status !== 200 || !prefersHtml(c)) return;
  const emails = (await c.res.json()) as MailboxEntry[];
  c.res = htmlPage((nonce) => mailboxPage(emails, c.req.query('to'), nonce));
});

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
