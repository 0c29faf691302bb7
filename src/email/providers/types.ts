import type { Email } from '../../db/schema';
import { log } from '../../lib/log';

/** What became of one delivery attempt. */
export type SendOutcome =
  /** The provider accepted the e-mail. */
  | { outcome: 'sent'; providerMessageId: string | null }
  /** Worth trying again later (network, timeout, 408, 429, 5xx, configuration being fixed). */
  | { outcome: 'retry'; error: string; retryAfterSeconds?: number }
  /** Will never work as it is (the provider refused the e-mail itself). */
  | { outcome: 'failed'; error: string };

/** Something that delivers a recorded e-mail. It never throws for a delivery problem. */
export interface EmailProvider {
  readonly name: string;
  send(email: Email): Promise<SendOutcome>;
}

/** A configuration problem is an operator's to fix: loud in the logs, and the e-mail waits. */
export function configurationProblem(problem: string, email: Email): SendOutcome {
  log('error', 'email configuration error', { problem, email_id: email.id });
  return { outcome: 'retry', error: `configuration error: ${problem}` };
}
