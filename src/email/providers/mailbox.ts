import { linksIn } from '../links';
import type { EmailProvider } from './types';

/**
 * Keeps e-mails instead of sending them (local work and tests): the rendered e-mail already
 * lives in D1, where `GET /dev/mailbox` shows it; one log line tells what was "sent".
 */
export const mailboxProvider: EmailProvider = {
  name: 'mailbox',
  async send(email) {
    console.log(
      JSON.stringify({
        level: 'info',
        msg: 'email kept in mailbox',
        email_id: email.id,
        to: email.toAddress,
        subject: email.subject,
        links: linksIn(email.text),
      }),
    );
    return { outcome: 'sent', providerMessageId: `mailbox:${email.id}` };
  },
};
