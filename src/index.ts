import { createApp } from './app';
import type { Bindings, EmailQueueMessage } from './env';
import { handleEmailBatch } from './email/consumer';
import { requeueStaleEmails } from './email/requeue';

const app = createApp();

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<EmailQueueMessage>, env: Bindings): Promise<void> {
    await handleEmailBatch(batch, env);
  },
  async scheduled(_controller: ScheduledController, env: Bindings): Promise<void> {
    await requeueStaleEmails(env);
  },
} satisfies ExportedHandler<Bindings, EmailQueueMessage>;
