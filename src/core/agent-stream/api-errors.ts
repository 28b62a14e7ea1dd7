import type { AgentEvent } from './agent-event.js';

/** What an API error means for the run: wait and try again later, or a person must fix the credentials. */
export type ApiErrorKind = 'rate_limited' | 'auth_error';

const RATE_LIMIT_WORDS = /rate.?limit|too many requests|quota exceeded|resource.?exhausted|overloaded/i;
/** Words of a refused or missing credential, in an API error or on stderr. */
export const AUTH_FAILURE_WORDS = /invalid api key|authentication.?(failed|error)|unauthori[sz]ed|not logged in|please run \/login|missing environment variable/i;

/** By HTTP status first (429/529, 401/403), else by the words of the message; null for other errors. */
export function apiErrorKind(httpStatus: number | null, message: string | null): ApiErrorKind | null {
  if (httpStatus === 429 || httpStatus === 529) return 'rate_limited';
  if (httpStatus === 401 || httpStatus === 403) return 'auth_error';
  if (!message) return null;
  if (AUTH_FAILURE_WORDS.test(message)) return 'auth_error';
  return RATE_LIMIT_WORDS.test(message) ? 'rate_limited' : null;
}

/**
 * The silence the CLI announced in these events: it hit a rate limit (or an overloaded model)
 * and is waiting `retryDelayMs` in its own retry loop before trying again, printing nothing
 * meanwhile. That wait is not a hang; the idle timeout should start counting after it. 0 when
 * a retry was announced without a delay (Codex's `Reconnecting...`); null when none was.
 */
export function announcedRateLimitWaitMs(events: readonly AgentEvent[]): number | null {
  let wait: number | null = null;
  for (const event of events) {
    if (event.kind !== 'error' || !event.retrying) continue;
    if (apiErrorKind(event.httpStatus, event.message) !== 'rate_limited') continue;
    wait = Math.max(wait ?? 0, event.retryDelayMs ?? 0);
  }
  return wait;
}
