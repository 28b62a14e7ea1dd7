import type { EventType } from '../core/event.js';
import type { CheckFailure } from '../core/run/check-failure.js';
import type { AttemptVerdict } from '../core/run/convergence.js';
import type { RunRecord } from '../core/run/run-record.js';
import type { AttemptResult } from './run-attempt.js';
import type { RunConclusion } from './run-on-board.js';

/** What the next attempt is told about the one before it. */
export interface Feedback {
  failures: CheckFailure[];
  /** The previous attempt's changes were reverted for leaving scope. */
  reverted: boolean;
}

/** The feedback a verdict gives the next attempt; null when it gives none (rate limits). */
export function feedbackOf(verdict: AttemptVerdict): Feedback | null {
  switch (verdict.kind) {
    case 'checks_failed':
      return { failures: verdict.failures, reverted: false };
    case 'diverged':
      return { failures: verdict.failures, reverted: true };
    case 'agent_failed':
      return { failures: [{ checkId: `agent:${verdict.outcome.kind}`, kind: 'agent', summary: verdict.outcome.reason, detail: verdict.outcome.detail ?? '' }], reverted: false };
    default:
      return null;
  }
}

/** The feed events one attempt leaves: `attempt_finished`, then what the checks made of it. */
export function runEventsOf(record: RunRecord, result: AttemptResult): { type: EventType; payload: Record<string, unknown> }[] {
  const { summary, verdict } = result;
  const base = { run: record.run, attempt: summary.attempt };
  const events: { type: EventType; payload: Record<string, unknown> }[] = [
    {
      type: 'attempt_finished',
      payload: { ...base, outcome: summary.outcome, verdict: summary.verdict, durationMs: summary.durationMs, tokens: summary.usage.inputTokens + summary.usage.outputTokens, costUsd: summary.usage.costUsd },
    },
  ];
  const failures = summary.failures.map((failure) => ({ checkId: failure.checkId, summary: failure.summary }));
  if (verdict.kind === 'passed') events.push({ type: 'checks_passed', payload: base });
  if (verdict.kind === 'checks_failed') events.push({ type: 'checks_failed', payload: { ...base, fingerprint: verdict.fingerprint, failures } });
  if (verdict.kind === 'diverged') events.push({ type: 'diverged', payload: { ...base, failures, paths: result.changedPaths, revertedTo: summary.checkpoint } });
  if (verdict.kind === 'rate_limited') events.push({ type: 'rate_limited', payload: { ...base, reason: summary.outcomeReason } });
  return events;
}

const CLOSING_EVENT: Partial<Record<RunRecord['status'], EventType>> = {
  succeeded: 'run_succeeded',
  stalled: 'stalled',
  budget_exceeded: 'budget_exceeded',
};

/** How a finished run is written on the board: status, note and closing event. */
export function conclusionOf(record: RunRecord, status: RunConclusion['status'], runDir: string): RunConclusion {
  const attempts = record.attempts.filter((attempt) => attempt.verdict !== 'rate_limited').length;
  const reason = record.reason ?? record.status;
  const payload = { run: record.run, outcome: record.status, reason, attempts, branch: record.branch, worktree: record.worktree, commit: record.commit, evidence: runDir };
  const event = { type: CLOSING_EVENT[record.status] ?? 'run_failed', payload };
  if (record.status === 'succeeded') {
    const note = `Run ${record.run} passed baton's checks after ${plural(attempts, 'attempt')}: commit ${shortSha(record.commit)} on ${record.branch}. Evidence: ${runDir}`;
    return { status, reason, commit: record.commit, note, event };
  }
  const last = record.attempts.findLast((attempt) => attempt.failures.length > 0);
  const failures = last ? `\nLast failures:\n${last.failures.map((failure) => `- ${failure.summary}`).join('\n')}` : '';
  // Reasons are sentences that end with a period already.
  const note = `Run ${record.run} stopped (${record.status}): ${reason.replace(/\.+$/, '')}. The worktree is kept at ${record.worktree} (branch ${record.branch}, checkpoint ${shortSha(record.checkpoint)}). Evidence: ${runDir}${failures}`;
  return { status, reason, commit: null, note, event };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function shortSha(sha: string | null): string {
  return sha === null ? 'none' : sha.slice(0, 10);
}
