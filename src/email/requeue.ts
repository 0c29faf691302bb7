import type { Bindings } from '../env';

/** Re-queues e-mails recorded but never delivered. (Minimal placeholder.) */
export async function requeueStaleEmails(_env: Bindings): Promise<void> {}
