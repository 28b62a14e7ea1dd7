import type { AgentEvent, AgentFamily, FinishedEvent } from './agent-event.js';
import { apiErrorKind } from './api-errors.js';
import { setupProblemIn } from './setup-problem.js';
import { stderrTail, telltaleLine } from './stderr-tail.js';

/** How one agent session ended, as the runner acts on it. */
export interface AttemptOutcome {
  kind: AttemptOutcomeKind;
  /** One plain sentence for the run report. */
  reason: string;
  /**
   * The end of what the agent printed on stderr (see `stderrTail`: plain text, at most 20
   * lines and 2,000 characters) when its stream did not say how the session ended, or its exit
   * contradicted the stream, and it printed anything there.
   */
  detail?: string;
}

export type AttemptOutcomeKind =
  | 'succeeded'
  | 'failed'
  | 'rate_limited'
  | 'auth_error'
  | 'turn_limit'
  | 'budget_exceeded'
  | 'permission_denied'
  /** The agent cannot work as it is run here (as root, a path it may not use, its program missing, a command line it refuses). */
  | 'environment_error'
  | 'hung'
  | 'crashed';

/** Outcomes no further attempt can change: a person must act, so the run stops and the task is blocked. */
const NEEDS_HUMAN: ReadonlySet<AttemptOutcomeKind> = new Set(['auth_error', 'permission_denied', 'environment_error']);

/** Whether a person must act before another attempt can do better. */
export function needsHuman(outcome: Pick<AttemptOutcome, 'kind'>): boolean {
  return NEEDS_HUMAN.has(outcome.kind);
}

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
 * The attempt's outcome from its events, its exit and its stderr together: a final event alone
 * can claim success for a run that crashed afterwards, and an exit code alone cannot tell a
 * rate limit from a failed task. A timeout wins over everything (the agent stopped making
 * progress). An agent that ends without a final event is read from its stderr: a problem a
 * person must fix (see `setupProblemIn`), else a crash named by its telltale line; such an
 * outcome, and a crash after a final event, carry the stderr's tail as their `detail`.
 */
export function classifyAttempt(family: AgentFamily, events: readonly AgentEvent[], exit: AgentExit, stderr = ''): AttemptOutcome {
  const tail = stderrTail(stderr);
  const finished = events.findLast((event): event is FinishedEvent => event.kind === 'finished');
  const outcome = outcomeOf(family, finished, events, exit, tail);
  // A final event says in its own words how the session ended; stderr adds only noise to that.
  const streamSaid = finished !== undefined && exit.timedOut === null && outcome.kind !== 'crashed';
  return streamSaid ? outcome : withStderrDetail(outcome, tail);
}

/** The outcome with the stderr tail as its detail, unless the agent succeeded or printed nothing there. */
export function withStderrDetail(outcome: AttemptOutcome, tail: string): AttemptOutcome {
  return outcome.kind === 'succeeded' || tail === '' ? outcome : { ...outcome, detail: tail };
}

function outcomeOf(family: AgentFamily, finished: FinishedEvent | undefined, events: readonly AgentEvent[], exit: AgentExit, tail: string): AttemptOutcome {
  if (exit.timedOut === 'idle') return { kind: 'hung', reason: 'the agent printed nothing for the idle timeout and was killed' };
  if (exit.timedOut === 'wall') return { kind: 'hung', reason: 'the agent was still running at the wall-clock timeout and was killed' };
  return finished ? fromFinished(family, finished, events, exit, tail) : withoutFinished(family, events, exit, tail);
}

function fromFinished(family: AgentFamily, finished: FinishedEvent, events: readonly AgentEvent[], exit: AgentExit, tail: string): AttemptOutcome {
  const detail = finished.message ? `: ${firstLine(finished.message)}` : '';
  switch (finished.status) {
    case 'turn_limit':
      return { kind: 'turn_limit', reason: `the agent reached its turn limit${detail}` };
    case 'budget_limit':
      return { kind: 'budget_exceeded', reason: `the agent reached its spending limit${detail}` };
    case 'error':
      return apiOutcome(finished, events) ?? EXIT_CODES[family]?.[exit.exitCode ?? -1] ?? { kind: 'failed', reason: `the agent reported an error${detail}` };
    case 'success':
      return fromSuccess(family, finished, exit, tail);
  }
}

function fromSuccess(family: AgentFamily, finished: FinishedEvent, exit: AgentExit, tail: string): AttemptOutcome {
  if (finished.deniedTools.length > 0) {
    const tools = [...new Set(finished.deniedTools)].join(', ');
    return { kind: 'permission_denied', reason: `the agent was refused permission to use ${tools}` };
  }
  // An ACP agent keeps running after its turn; the client ends it, so its exit says nothing.
  if (family === 'acp' || exit.exitCode === 0) return { kind: 'succeeded', reason: 'the agent finished its turn' };
  if (exit.signal) return { kind: 'crashed', reason: `the agent reported success but was killed by ${exit.signal}${because(tail)}` };
  return EXIT_CODES[family]?.[exit.exitCode ?? -1] ?? { kind: 'crashed', reason: `the agent reported success but exited with ${exit.exitCode}${because(tail)}` };
}

function withoutFinished(family: AgentFamily, events: readonly AgentEvent[], exit: AgentExit, tail: string): AttemptOutcome {
  const known = EXIT_CODES[family]?.[exit.exitCode ?? -1] ?? apiOutcome(null, events);
  if (known) return known;
  if (exit.signal) return { kind: 'crashed', reason: `the agent was killed by ${exit.signal} before it finished${because(tail)}` };
  const problem = setupProblemIn(tail);
  if (problem) return problem;
  return { kind: 'crashed', reason: `the agent exited with ${exit.exitCode} without reporting how its session ended${because(tail)}` };
}

/** `: <the stderr line that says why>`, or nothing when stderr says nothing. */
function because(tail: string): string {
  const line = telltaleLine(tail);
  return line === null ? '' : `: ${line}`;
}

/** Rate limits and refused credentials, from the final event or else the last API error. */
function apiOutcome(finished: FinishedEvent | null, events: readonly AgentEvent[]): AttemptOutcome | null {
  const lastError = events.findLast((event) => event.kind === 'error');
  const sources = [finished, lastError?.kind === 'error' ? lastError : null];
  for (const source of sources) {
    if (!source) continue;
    const kind = apiErrorKind(source.httpStatus, source.message);
    if (kind) return { kind, reason: `${kind === 'rate_limited' ? 'rate limited' : 'refused credentials'}: ${firstLine(source.message ?? String(source.httpStatus))}` };
  }
  return null;
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 300);
}
