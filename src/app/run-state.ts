import type { KnownFailure } from '../core/run/check-verdict.js';
import type { RunDecision } from '../core/run/convergence.js';
import type { RunRecord } from '../core/run/run-record.js';
import type { Task } from '../core/task.js';
import type { RunPlan } from './run-plan.js';

/* What a run carries from step to step. */

export interface Running {
  plan: RunPlan;
  task: Task;
  record: RunRecord;
  created: boolean;
  /** The worktree's HEAD when the run began: the checkpoint its first attempt starts from. */
  startHead: string;
  signal: AbortSignal;
  /** A folder outside the worktree where checks write reports baton reads. */
  checkScratchDir: string;
  /** What the agent wrote to its home, kept across its attempts (its sessions) and never seen by the checks. */
  agentHomeDir: string;
  /** What already failed on the base, for the prompt (set once the baselines are known). */
  knownFailures: KnownFailure[];
}

/** A decision to stop; `boardUntrusted` when the board changed under the run and must not be written to. */
export type Stop = Extract<RunDecision, { kind: 'stop' }> & { boardUntrusted?: boolean };
