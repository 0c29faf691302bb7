import { onTestFinished, vi } from 'vitest';
import { isoNow } from '../../src/lib/time';

/**
 * The clock under test. The app reads the time from the global `Date` (src/lib/time.ts and
 * `Date.now()`), and the Worker under test runs in the test's own isolate, so vitest's fake
 * `Date` is the clock of both: `freezeClock()` stops it for the rest of the test (it is
 * restored when the test ends). Only `Date` is faked: timers keep running, so `setTimeout`,
 * `expect.poll` and the queue consumer behave as usual. The simulators of KV, D1's SQL
 * `CURRENT_TIMESTAMP` and the rate limiters live outside the isolate and keep the real time.
 */
export function freezeClock(at: Date = new Date(Math.floor(Date.now() / 1000) * 1000)): Date {
  vi.useFakeTimers({ toFake: ['Date'], now: at });
  onTestFinished(() => {
    vi.useRealTimers();
  });
  return at;
}

/** Moves a frozen clock on by `seconds`. */
export const advanceClock = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);

/** An ISO time (as the app stores it) `seconds` before `from` (by default now). */
export const secondsAgo = (seconds: number, from: Date = new Date()) => isoNow(new Date(from.getTime() - seconds * 1000));
