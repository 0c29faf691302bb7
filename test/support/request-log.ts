import { vi } from 'vitest';
import type { D1SessionMode, D1Usage } from '../../src/db/metered-d1';
import type { CacheOutcome } from '../../src/middleware/edge-cache';
import { api, type ApiResponse, type RequestOptions } from './http';

export interface RequestLogLine {
  level: string;
  msg: 'request';
  method: string;
  path: string;
  status: number;
  request_id: string;
  /** What the request cost before its answer, and (when it reached D1) its session's mode and starting bookmark. */
  d1: D1Usage & { session?: D1SessionMode; bookmark_in?: string | null };
  /** What the work after the answer cost, when it reached D1. */
  d1_after_answer?: D1Usage;
  /** Only on the edge-cached routes. */
  cache?: CacheOutcome;
}

/**
 * Calls the Worker like `api()` and also returns the one log line it wrote for the request
 * (found by its X-Request-Id), the line an operator reads for what the request cost.
 */
export async function apiWithLog<T = any>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T> & { log: RequestLogLine }> {
  const spies = [vi.spyOn(console, 'log'), vi.spyOn(console, 'warn'), vi.spyOn(console, 'error')];
  try {
    const res = await api<T>(method, path, options);
    const requestId = res.headers.get('x-request-id');
    const lines = spies
      .flatMap((spy) => spy.mock.calls.map(([line]) => String(line)))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const log = lines.find((line) => line.msg === 'request' && line.request_id === requestId);
    if (!log) throw new Error(`no log line for request ${requestId}`);
    return { ...res, log: log as unknown as RequestLogLine };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}
