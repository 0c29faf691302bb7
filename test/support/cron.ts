import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { Bindings } from '../../src/env';
import worker from '../../src/index';

/** Runs the Worker's cron (its scheduled handler) as if it fired at `at`: the job's time is the controller's scheduledTime. */
export const runCron = (at: Date, bindings: Bindings = env) =>
  worker.scheduled(createScheduledController({ scheduledTime: at, cron: '*/5 * * * *' }), bindings);
