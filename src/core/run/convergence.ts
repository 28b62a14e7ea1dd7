import type { AttemptOutcome } from '../agent-stream/classify-attempt.js';
import { setupProblemIn } from '../agent-stream/setup-problem.js';
import type { CheckFailure } from './check-failure.js';
import type { Budgets } from './project-config.js';

/** How baton judged one attempt. */
export type AttemptVerdict =
  | { kind: 'passed' }
  | { kind: 'checks_failed'; failures: CheckFailure[]; fingerprint: string }
  /** The attempt left its scope and was reverted. */
  | { kind: 'diverged'; failures: CheckFailure[] }
  /** The agent hung or crashed, so its worktree was not worth checking; counts as an attempt. */
  | { kind: 'agent_failed'; outcome: AttemptOutcome }
  /** Does not count as an attempt: the run waits and tries again. */
  | { kind: 'rate_limited'; outcome: AttemptOutcome }
  /** Refused credentials or permissions: no further attempt can do better. */
  | { kind: 'needs_human'; outcome: AttemptOutcome };

/** The run so far: every verdict in order, and what it has spent. */
export interface RunProgress {
  verdicts: readonly AttemptVerdict[];
  elapsedMs: number;
  tokens: number;
  costUsd: number;
}

export type RunOutcome = 'succeeded' | 'stalled' | 'diverged' | 'budget_exceeded' | 'needs_human' | 'rate_limited';

export type RunDecision = { kind: 'continue'; waitMs: number } | { kind: 'stop'; outcome: RunOutcome; reason: string };

/**
 * Whether the run goes on after its latest verdict, checked in this order: passed → succeeded;
 * needs_human → stop; rate_limited → wait `rateLimitWaitMs` and go on, unless that happened
 * more than `maxRateLimitRetries` times (→ rate_limited) or the wait would end past a budget
 * (→ budget_exceeded); the last `REPEATED_CRASHES` counted attempts crashed the same way →
 * needs_human when what the agent said means a person must act, else stalled; the last
 * `stalledAfter` counted verdicts all failed the checks with the same fingerprint → stalled;
 * `maxDivergences` attempts reverted → diverged; the attempts, time, tokens or dollars are
 * spent → budget_exceeded. Rate-limited attempts are not counted.
 */
export function decideAfterAttempt(progress: RunProgress, budgets: Budgets): RunDecision {
  const last = progress.verdicts.at(-1);
  if (last?.kind === 'passed') return stop('succeeded', `baton's checks passed on attempt ${countedAttempts(progress)}.`);
  if (last?.kind === 'needs_human') return stop('needs_human', `the agent cannot go on without a person: ${sentence(last.outcome.reason)}`);
  if (last?.kind === 'rate_limited') return afterRateLimit(progress, budgets, last.outcome);

  const crashes = repeatedCrash(progress.verdicts);
  if (crashes) return crashes;
  const stalled = stalledReason(progress.verdicts, budgets.stalledAfter);
  if (stalled) return stop('stalled', stalled);
  const divergences = progress.verdicts.filter((verdict) => verdict.kind === 'diverged').length;
  if (divergences >= budgets.maxDivergences) {
    return stop('diverged', `${plural(divergences, 'attempt')} changed files outside the task's scope and ${divergences === 1 ? 'was' : 'were'} reverted (the limit is ${budgets.maxDivergences}).`);
  }
  const left = budgetLeft(progress, budgets);
  return left.ok ? { kind: 'continue', waitMs: 0 } : stop('budget_exceeded', left.reason);
}

/**
 * Whether another attempt may start: attempts, time, tokens and dollars are left. Checked
 * before every attempt, as a wait may have used up the time.
 */
export function budgetLeft(progress: RunProgress, budgets: Budgets): { ok: true } | { ok: false; reason: string } {
  const attempts = countedAttempts(progress);
  if (attempts >= budgets.maxAttempts) {
    const used = budgets.maxAttempts === 1 ? 'the one attempt allowed was' : `all ${budgets.maxAttempts} attempts were`;
    return { ok: false, reason: `${used} used without passing baton's checks.` };
  }
  if (progress.elapsedMs >= budgets.timeoutMs) {
    return { ok: false, reason: `the run has taken ${formatMs(progress.elapsedMs)}, reaching its time budget of ${formatMs(budgets.timeoutMs)}.` };
  }
  if (budgets.maxTokens !== null && progress.tokens >= budgets.maxTokens) {
    return { ok: false, reason: `the run has used ${formatCount(progress.tokens)} tokens, reaching its budget of ${formatCount(budgets.maxTokens)}.` };
  }
  if (budgets.maxUsd !== null && progress.costUsd >= budgets.maxUsd) {
    return { ok: false, reason: `the run has cost $${progress.costUsd.toFixed(2)}, reaching its budget of $${budgets.maxUsd.toFixed(2)}.` };
  }
  return { ok: true };
}

/** The task status a finished run leaves: succeeded → review, needs_human → blocked, rate_limited → open, else failed. */
export function statusAfterRun(outcome: RunOutcome): 'review' | 'blocked' | 'failed' | 'open' {
  if (outcome === 'succeeded') return 'review';
  // A rate limit says nothing about the task: it goes back to the queue for a later run.
  if (outcome === 'rate_limited') return 'open';
  return outcome === 'needs_human' ? 'blocked' : 'failed';
}

function afterRateLimit(progress: RunProgress, budgets: Budgets, outcome: AttemptOutcome): RunDecision {
  const limited = progress.verdicts.filter((verdict) => verdict.kind === 'rate_limited').length;
  if (limited > budgets.maxRateLimitRetries) {
    return stop('rate_limited', `the agent was rate limited ${plural(limited, 'time')}, more than the ${budgets.maxRateLimitRetries} retries allowed (last: ${trimPeriod(outcome.reason)}); try again later.`);
  }
  // Waiting only to find the time spent would waste the wait: say so now.
  const left = budgetLeft({ ...progress, elapsedMs: progress.elapsedMs + budgets.rateLimitWaitMs }, budgets);
  if (!left.ok) return stop('budget_exceeded', `waiting ${formatMs(budgets.rateLimitWaitMs)} for the rate limit would leave no budget: ${left.reason}`);
  return { kind: 'continue', waitMs: budgets.rateLimitWaitMs };
}

/** Why the run is going in circles, or null: the last `stalledAfter` counted attempts failed alike. */
function stalledReason(verdicts: readonly AttemptVerdict[], stalledAfter: number): string | null {
  const counted = verdicts.filter((verdict) => verdict.kind !== 'rate_limited');
  const recent = counted.slice(-stalledAfter);
  if (stalledAfter < 1 || recent.length < stalledAfter) return null;
  const first = recent[0];
  if (first?.kind !== 'checks_failed') return null;
  if (!recent.every((verdict) => verdict.kind === 'checks_failed' && verdict.fingerprint === first.fingerprint)) return null;
  const checks = [...new Set(first.failures.map((failure) => failure.checkId))].join(', ');
  return `the last ${plural(stalledAfter, 'attempt')} failed baton's checks the same way (${checks}); another attempt would likely repeat it.`;
}

/**
 * Crashes in a row, alike once normalised, after which another attempt is not worth its cost:
 * an agent that died the same way twice will most likely die that way again.
 */
export const REPEATED_CRASHES = 2;

/** Stops the run when its last counted attempts all crashed the same way; null otherwise. */
function repeatedCrash(verdicts: readonly AttemptVerdict[]): RunDecision | null {
  const recent = verdicts.filter((verdict) => verdict.kind !== 'rate_limited').slice(-REPEATED_CRASHES);
  if (recent.length < REPEATED_CRASHES) return null;
  const outcomes = recent.map((verdict) => (verdict.kind === 'agent_failed' && verdict.outcome.kind === 'crashed' ? verdict.outcome : null));
  const first = outcomes[0];
  if (!first || !outcomes.every((outcome) => outcome !== null && crashSignature(outcome) === crashSignature(first))) return null;
  const last = outcomes.at(-1) ?? first;
  // The classifier reads stderr only for an agent whose stream did not finish: look again.
  const problem = setupProblemIn(last.detail ?? '') ?? setupProblemIn(last.reason);
  if (problem) return stop('needs_human', `the agent crashed the same way ${REPEATED_CRASHES} times in a row and cannot go on without a person: ${sentence(problem.reason)}`);
  return stop('stalled', `the agent crashed the same way on the last ${plural(REPEATED_CRASHES, 'attempt')} (${trimPeriod(last.reason)}); another attempt would likely repeat it.`);
}

/**
 * What two crashes must share to count as the same: their reason and stderr with the parts
 * that differ from run to run (ids, hashes, numbers, temporary paths) blanked out.
 */
export function crashSignature(outcome: AttemptOutcome): string {
  return `${outcome.reason}\n${outcome.detail ?? ''}`
    .replace(/\/tmp\/[^\s'"]*/g, '/tmp/…')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/\b[0-9a-f]{7,}\b/gi, '<hex>')
    .replace(/\d+/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

function countedAttempts(progress: RunProgress): number {
  return progress.verdicts.filter((verdict) => verdict.kind !== 'rate_limited').length;
}

function stop(outcome: RunOutcome, reason: string): RunDecision {
  return { kind: 'stop', outcome, reason };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function sentence(text: string): string {
  return `${trimPeriod(text)}.`;
}

function trimPeriod(text: string): string {
  return text.trim().replace(/[.\s]+$/, '');
}

function formatCount(count: number): string {
  return String(Math.round(count)).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** `45 s`, `12 min`, `1 h 5 min`: readable, and exact enough for a reason. */
export function formatMs(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
