import type { TokenCounts } from '../agent-stream/agent-event.js';
import type { AttemptOutcomeKind } from '../agent-stream/classify-attempt.js';
import type { CheckFailure } from './check-failure.js';
import type { Budgets } from './project-config.js';

/**
 * One `baton run` of a task, as its evidence directory keeps it (`run.json`). Written when
 * the run starts and after every attempt, so a run that dies leaves a record that says so.
 */
export interface RunRecord {
  schemaVersion: 1;
  taskId: number;
  /**
   * The board the run belongs to (its `boardId`): a board deleted and made anew numbers its
   * tasks from 1 again, and its task #1 must not take the old #1's runs for its own.
   */
  boardId: string;
  /** Counts the task's runs from 1. */
  run: number;
  status: RunStatus;
  /** Why the run stopped, in one sentence; null while running. */
  reason: string | null;
  agent: string;
  model: string | null;
  actor: string;
  /** The baton process driving the run, and the agent's process group while one runs. */
  pid: number;
  agentPgid: number | null;
  worktree: string;
  branch: string;
  baseBranch: string;
  /** The commit the run started from, and the latest checkpoint (one commit per attempt). */
  startCommit: string;
  checkpoint: string;
  /** The commit a successful run left for review. */
  commit: string | null;
  /**
   * The base brought into the branch when the run began (the merge queue had sent the task
   * back): its commit, from which the task's changes are now judged, and the files left with
   * conflict markers for the agent to resolve. Absent or null: none.
   */
  syncedBase?: { base: string; conflicts: string[] } | null;
  /** Work found uncommitted in the worktree when the run began, saved before the worktree was reset. */
  quarantined: { ref: string; commit: string } | null;
  startedAt: string;
  endedAt: string | null;
  budgets: Budgets;
  attempts: AttemptSummary[];
  usage: RunUsage;
}

export type RunStatus = 'running' | 'succeeded' | 'stalled' | 'diverged' | 'budget_exceeded' | 'needs_human' | 'rate_limited' | 'interrupted';

export interface RunUsage extends TokenCounts {
  costUsd: number;
}

/** What one attempt did and how baton judged it. */
export interface AttemptSummary {
  attempt: number;
  startedAt: string;
  durationMs: number;
  /** How the agent's session ended. */
  outcome: AttemptOutcomeKind;
  outcomeReason: string;
  /** The end of the agent's stderr when it crashed or hung: what it said about why. */
  outcomeDetail: string | null;
  verdict: 'passed' | 'checks_failed' | 'diverged' | 'agent_failed' | 'rate_limited' | 'needs_human';
  fingerprint: string | null;
  failures: CheckFailure[];
  usage: RunUsage;
  /** The checkpoint after this attempt (unchanged when it was reverted or changed nothing). */
  checkpoint: string;
  sessionId: string | null;
}

export const NO_USAGE: RunUsage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 };

export function addUsage(a: RunUsage, b: TokenCounts & { costUsd?: number }): RunUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedTokens: a.cachedTokens + b.cachedTokens,
    costUsd: a.costUsd + (b.costUsd ?? 0),
  };
}
