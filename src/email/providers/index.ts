import { getConfig } from '../../config';
import type { Bindings } from '../../env';
import { mailboxProvider } from './mailbox';
import { resendProvider } from './resend';
import { configurationProblem, type EmailProvider } from './types';

export type { EmailProvider, SendOutcome } from './types';

/** The provider named by EMAIL_PROVIDER; an unknown name holds e-mails back, loudly. */
export function emailProviderFor(env: Bindings): EmailProvider {
  const config = getConfig(env);
  switch (config.emailProvider) {
    case 'resend':
      return resendProvider(config);
    case 'mailbox':
      return mailboxProvider;
    default:
      return {
        name: config.emailProvider,
        send: async (email) =>
          configurationProblem(`EMAIL_PROVIDER ${JSON.stringify(config.emailProvider)} is not one of resend, mailbox`, email),
      };
  }
}
