import { getDb } from '../../db/client';
import { findEmail, listEmails, resetEmailForResend, toEmailOut } from '../../db/emails';
import { enqueueEmails } from '../../email/outbox';
import { coded, notFound } from '../../lib/errors';
import { createRouter } from '../../lib/openapi';
import { parseUuid } from '../../lib/uuid';
import { EMAIL_PAGE_DEFAULT, listEmailsRoute, resendEmailRoute } from './routes';

export const adminRoutes = createRouter()
  .openapi(listEmailsRoute, async (c) => {
    const { status, to, limit = EMAIL_PAGE_DEFAULT, offset = 0 } = c.req.valid('query');
    const { rows, total } = await listEmails(getDb(c.env), { status, to, limit, offset });
    return c.json(rows.map(toEmailOut), 200, { 'X-Total-Count': String(total) });
  })
  .openapi(resendEmailRoute, async (c) => {
    const id = parseUuid(c.req.valid('param').id);
    if (!id) throw notFound();
    const db = getDb(c.env);
    const email = await resetEmailForResend(db, id);
    if (!email) {
      if (!(await findEmail(db, id))) throw notFound();
      throw coded(409, 'EMAIL_PENDING', 'This e-mail is still being delivered; it can be sent again once it is sent or failed');
    }
    await enqueueEmails(c.env, db, [email]);
    return c.json(toEmailOut(email), 202);
  });
