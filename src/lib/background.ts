import type { Bindings } from '../env';
import { loggableError } from './error-cause';
import { log } from './log';

/**
 * Work the answer does not wait for (clean-up, bookkeeping): during a request it runs after the
 * answer is sent (request-context hands it to `waitUntil`), outside one (queue, cron) at once.
 * Either way a failure is logged, never thrown: the answer stands without it.
 */
export async function runInBackground(env: Pick<Bindings, 'afterAnswer'>, what: string, work: () => Promise<unknown>): Promise<void> {
  const guarded = async () => {
    try {
      await work();
    } catch (error) {
      log('error', `${what} failed`, { error: loggableError(error) });
    }
  };
  if (env.afterAnswer) env.afterAnswer(guarded);
  else await guarded();
}
