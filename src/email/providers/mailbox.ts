import { log } from '../../lib/log';
import { linksIn } from '../links';
import type { EmailProvider } from './types';

/**
 * The links of an e-mail with their `token` values blanked out: a reset or verify token in a
 * log line would let anyone who can read the logs take over the account. The whole link is
 * in D1, where `GET /dev/mailbox` shows it.
 */
const redactedLinks = (text: string) =>
  linksIn(text).map((link) => link.replace(/([?&]token=)[^&#]*/g, '$1…'));

/**
 * Keeps e-mails instead of sending them (local work and tests): the rendered e-mail already
 * lives in D1, where `GET /dev/mailbox` shows it; one log line tells what was "sent".
 */
export const mailboxProvider: EmailProvider = {
  name: 'mailbox',
  async send(email) {
    log('info', 'email kept in mailbox', {
      email_id: email.id,
      to: email.toAddress,
      subject: email.subject,
      links: redactedLinks(email.text),
    });
    return { outcome: 'sent', providerMessageId: `mailbox:${email.id}` };
  },
};
