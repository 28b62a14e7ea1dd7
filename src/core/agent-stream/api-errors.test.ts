import { describe, expect, it } from 'vitest';
import type { AgentEvent } from './agent-event.js';
import { announcedRateLimitWaitMs, apiErrorKind } from './api-errors.js';
import { createStreamParser } from './create-parser.js';

const retry = (httpStatus: number | null, message: string, retryDelayMs: number | null): AgentEvent => ({ kind: 'error', message, httpStatus, retrying: true, retryDelayMs });

describe('apiErrorKind', () => {
  it('reads the HTTP status first, then the words of the message', () => {
    expect([apiErrorKind(429, null), apiErrorKind(529, 'boom'), apiErrorKind(401, null), apiErrorKind(403, 'rate limit')]).toEqual(['rate_limited', 'rate_limited', 'auth_error', 'auth_error']);
    expect([apiErrorKind(null, 'overloaded'), apiErrorKind(null, 'Too Many Requests'), apiErrorKind(null, 'Not logged in · Please run /login')]).toEqual(['rate_limited', 'rate_limited', 'auth_error']);
    expect(apiErrorKind(null, 'Missing environment variable: `SCRIPTED_API_KEY`.')).toBe('auth_error');
    expect([apiErrorKind(500, 'internal error'), apiErrorKind(null, null)]).toEqual([null, null]);
  });
});

describe('announcedRateLimitWaitMs', () => {
  it("is the longest delay a rate-limit or overload retry announced", () => {
    expect(announcedRateLimitWaitMs([retry(429, 'rate_limit', 4_000)])).toBe(4_000);
    expect(announcedRateLimitWaitMs([retry(null, 'overloaded', 1_500), retry(529, 'x', 900)])).toBe(1_500);
    // Codex's `Reconnecting...` names no delay: a retry, with nothing to wait beyond the idle timeout.
    expect(announcedRateLimitWaitMs([retry(429, 'Reconnecting... 1/1 (last status: 429 Too Many Requests)', null)])).toBe(0);
  });

  it('is null for anything that is not a rate-limit retry', () => {
    expect(announcedRateLimitWaitMs([])).toBeNull();
    expect(announcedRateLimitWaitMs([retry(500, 'server_error', 8_000)])).toBeNull();
    expect(announcedRateLimitWaitMs([{ kind: 'error', message: 'rate_limit', httpStatus: 429, retrying: false, retryDelayMs: null }])).toBeNull();
    expect(announcedRateLimitWaitMs([{ kind: 'assistant_text', text: 'rate limit reached, waiting 5000 ms' }])).toBeNull();
  });

  it("reads Claude Code's api_retry lines, 429 and 529 alike", () => {
    const parser = createStreamParser('claude');
    const line = (status: number, error: string, delay: number): string => JSON.stringify({ type: 'system', subtype: 'api_retry', attempt: 1, max_retries: 10, retry_delay_ms: delay, error_status: status, error });
    expect(announcedRateLimitWaitMs(parser.parseLine(line(429, 'rate_limit', 6000)))).toBe(6_000);
    expect(announcedRateLimitWaitMs(parser.parseLine(line(529, 'overloaded', 2048.7)))).toBe(2_049);
    expect(announcedRateLimitWaitMs(parser.parseLine(line(500, 'server_error', 2000)))).toBeNull();
  });
});
