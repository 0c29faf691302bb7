import type { EmailListRow } from '../../db/emails';
import { createRouter } from '../../lib/openapi';
import { listRecordedEmails, resendEmail } from '../../services/emails';
import { EMAIL_PAGE_DEFAULT, listEmailsRoute, resendEmailRoute } from './routes';

/** The admin view of an e-mail: its delivery state, not its body. */
function toEmailOut(row: EmailListRow) {
  return {
    id: row.id,
    kind: row.kind,
    to: row.toAddress,
    subject: row.subject,
    status: row.status,
    attempts: row.attempts,
    last_error: row.lastError,
    provider_message_id: row.providerMessageId,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
    sent_at: row.sentAt,
  };
}

export const adminRoutes = createRouter()
  .openapi(listEmailsRoute, async (c) => {
    const { status, to, limit = EMAIL_PAGE_DEFAULT, offset = 0 } = c.req.valid('query');
    const { rows, total } = await listRecordedEmails(c.env, { status, to, limit, offset });
    return c.json(rows.map(toEmailOut), 200, { 'X-Total-Count': String(total) });
  })
  .openapi(resendEmailRoute, async (c) => {
    const email = await resendEmail(c.env, c.req.valid('param').id);
    return c.json(toEmailOut(email), 202);
  });
