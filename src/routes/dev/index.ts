import type { Context } from 'hono';
import { accepts } from 'hono/accepts';
import type { AppEnv } from '../../app-env';
import { linksIn } from '../../email/links';
import { createRouter } from '../../lib/openapi';
import { developmentOnly } from '../../middleware/development-only';
import { readMailbox } from '../../services/emails';
import { type MailboxEntry, mailboxPage, pageSecurityPolicy, resetPasswordPage, verifyPage } from './pages';
import { utf8 } from '../../lib/crypto';
import { signedSuccessEventFor } from '../../services/payments';
import { deliverWebhook } from '../payments';
import { devPaymentSucceedRoute, MAILBOX_PAGE_DEFAULT, mailboxRoute } from './routes';

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

export const devRoutes = router
  .openapi(devPaymentSucceedRoute, async (c) => {
    const { provider, delivery } = await signedSuccessEventFor(c.env, c.req.valid('param').order_id);
    // The webhook's own handler, on the bytes and headers a provider would send.
    const response = await deliverWebhook(c.env, provider, utf8(delivery.body), new Headers(delivery.headers));
    return c.json({ webhook: `/payments/webhooks/${provider}`, status: 200, response, event: JSON.parse(delivery.body) as unknown }, 200);
  })
  .openapi(mailboxRoute, async (c) => {
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
