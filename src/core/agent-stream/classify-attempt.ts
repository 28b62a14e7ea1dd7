import type { AgentEvent, AgentFamily, FinishedEvent } from './agent-event.js';

/** How one agent session ended, as the runner acts on it. */
export interface AttemptOutcome {
  kind: AttemptOutcomeKind;
  /** One plain sentence for the run report. */
  reason: string;
}

export type AttemptOutcomeKind =
  | 'succeeded'
  | 'failed'
  | 'rate_limited'
  | 'auth_error'
  | 'turn_limit'
  | 'budget_exceeded'
  | 'permission_denied'
  | 'hung'
  | 'crashed';

/** How the agent's process ended (the fields of the process-group spawner's result). */
export interface AgentExit {
  exitCode: number | null;
  signal: string | null;
  /** Set when baton killed it: no output for the idle timeout, or the wall clock ran out. */
  timedOut: 'wall' | 'idle' | null;
}

type ExitCodeTable = Readonly<Record<number, AttemptOutcome>>;

/** Gemini CLI's fatal exit codes; Qwen Code, a fork of it, shares the older ones. */
const GEMINI_FAMILY_EXITS: ExitCodeTable = {
  41: { kind: 'auth_error', reason: 'the agent could not authenticate with its model provider (exit 41)' },
  53: { kind: 'turn_limit', reason: 'the agent reached its turn limit (exit 53)' },
};

const EXIT_CODES: Partial<Record<AgentFamily, ExitCodeTable>> = {
  gemini: {
    ...GEMINI_FAMILY_EXITS,
    55: { kind: 'permission_denied', reason: 'Gemini CLI does not trust the folder (exit 55); run it with --skip-trust' },
    173: { kind: 'rate_limited', reason: 'Gemini CLI gave up after rate-limit retries (exit 173)' },
  },
  qwen: GEMINI_FAMILY_EXITS,
};

/**
 * The attempt's outcome from its events and its exit together: a final event alone can claim
 * success for a run that crashed afterwards, and an exit code alone cannot tell a rate limit
 * from a failed task. A timeout wins over everything (the agent stopped making progress).
 */
export function classifyAttempt(family: AgentFamily, events: readonly AgentEvent[], exit: AgentExit): AttemptOutcome {
  if (exit.timedOut === 'idle') return { kind: 'hung', reason: 'the agent printed nothing for the idle timeout and was killed' };
  if (exit.timedOut === 'wall') return { kind: 'hung', reason: 'the agent was still running at the wall-clock timeout and was killed' };
  const finished = events.findLast((event): event is FinishedEvent => event.kind === 'finished');
  return finished ? fromFinished(family, finished, events, exit) : withoutFinished(family, events, exit);
}

function fromFinished(family: AgentFamily, finished: FinishedEvent, events: readonly AgentEvent[], exit: AgentExit): AttemptOutcome {
  const detail = finished.message ? `: ${firstLine(finished.message)}` : '';
  switch (finished.status) {
    case 'turn_limit':
      return { kind: 'turn_limit', reason: `the agent reached its turn limit${detail}` };
    case 'budget_limit':
      return { kind: 'budget_exceeded', reason: `the agent reached its spending limit${detail}` };
    case 'error':
      return apiOutcome(finished, events) ?? EXIT_CODES[family]?.[exit.exitCode ?? -1] ?? { kind: 'failed', reason: `the agent reported an error${detail}` };
    case 'success':
      return fromSuccess(family, finished, exit);
  }
}

function fromSuccess(family: AgentFamily, finished: FinishedEvent, exit: AgentExit): AttemptOutcome {
  if (finished.deniedTools.length > 0) {
    const tools = [...new Set(finished.deniedTools)].join(', ');
    return { kind: 'permission_denied', reason: `the agent was refused permission to use ${tools}` };
  }
  // An ACP agent keeps running after its turn; the client ends it, so its exit says nothing.
  if (family === 'acp' || exit.exitCode === 0) return { kind: 'succeeded', reason: 'the agent finished its turn' };
  if (exit.signal) return { kind: 'crashed', reason: `the agent reported success but was killed by ${exit.signal}` };
  return EXIT_CODES[family]?.[exit.exitCode ?? -1] ?? { kind: 'crashed', reason: `the agent reported success but exited with ${exit.exitCode}` };
}

function withoutFinished(family: AgentFamily, events: readonly AgentEvent[], exit: AgentExit): AttemptOutcome {
  const known = EXIT_CODES[family]?.[exit.exitCode ?? -1] ?? apiOutcome(null, events);
  if (known) return known;
  if (exit.signal) return { kind: 'crashed', reason: `the agent was killed by ${exit.signal} before it finished` };
  return { kind: 'crashed', reason: `the agent exited with ${exit.exitCode} without reporting how its session ended` };
}

/** Rate limits and refused credentials, from the final event or else the last API error. */
function apiOutcome(finished: FinishedEvent | null, events: readonly AgentEvent[]): AttemptOutcome | null {
  const lastError = events.findLast((event) => event.kind === 'error');
  const sources = [finished, lastError?.kind === 'error' ? lastError : null];
  for (const source of sources) {
    if (!source) continue;
    const kind = outcomeOfStatus(source.httpStatus) ?? outcomeOfMessage(source.message);
    if (kind) return { kind, reason: `${kind === 'rate_limited' ? 'rate limited' : 'refused credentials'}: ${firstLine(source.message ?? String(source.httpStatus))}` };
  }
  return null;
}

function outcomeOfStatus(status: number | null): 'rate_limited' | 'auth_error' | null {
  if (status === 429 || status === 529) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth_error';
  return null;
}

const RATE_LIMIT_WORDS = /rate.?limit|too many requests|quota exceeded|resource.?exhausted|overloaded/i;
const AUTH_WORDS = /invalid api key|authentication.?(failed|error)|unauthori[sz]ed|not logged in|please run \/login/i;

function outcomeOfMessage(message: string | null): 'rate_limited' | 'auth_error' | null {
  if (!message) return null;
  if (AUTH_WORDS.test(message)) return 'auth_error';
  return RATE_LIMIT_WORDS.test(message) ? 'rate_limited' : null;
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 300);
}
