import { createApp } from './app';
import type { Bindings, EmailQueueMessage } from './env';
import { handleEmailBatch } from './email/consumer';
import { runScheduledJobs } from './services/housekeeping';

const app = createApp();

export default {
  fetch: app.fetch,
  /** The e-mail queue and its dead-letter queue (`batch.queue` tells them apart). */
  async queue(batch: MessageBatch<EmailQueueMessage>, env: Bindings): Promise<void> {
    await handleEmailBatch(batch, env);
  },
  async scheduled(controller: ScheduledController, env: Bindings): Promise<void> {
    await runScheduledJobs(env, new Date(controller.scheduledTime));
  },
} satisfies ExportedHandler<Bindings, EmailQueueMessage>;
