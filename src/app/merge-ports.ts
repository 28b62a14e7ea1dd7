import type { MergeStrategy } from '../core/merge/merge-settings.js';
import type { AttemptEvidence } from './run-ports.js';

/** A task branch brought onto the base tip, as a commit nobody has moved a ref to yet. */
export type Combined = { kind: 'combined'; commit: string } | { kind: 'conflict'; paths: string[] } | { kind: 'nothing_to_land' };

export type LandOutcome =
  /** The base branch moved to the new commit; the worktree that has it checked out (if any) followed, unless `stale` says why not. */
  | { kind: 'landed'; worktree: string | null; stale: string | null }
  /** Someone moved the base meanwhile: nothing changed, start over on `tip`. */
  | { kind: 'moved'; tip: string | null }
  /**
   * The base is checked out in a worktree with uncommitted work, with untracked files the
   * landing would write over, or whose files git refuses to move (`refused`, git's words): nothing changed.
   */
  | { kind: 'paused'; worktree: string; dirty: string[]; inTheWay: string[]; refused: string | null };

export interface RemovalOutcome {
  removed: string[];
  /** Why something was kept (unmerged commits, uncommitted work); empty when all went. */
  kept: string[];
}

/** The merge queue's git (adapters/git/git-merger.ts). */
export interface Merger {
  tipOf(repoRoot: string, branch: string): Promise<string | null>;
  isAncestor(repoRoot: string, commit: string, of: string): Promise<boolean>;
  /** Paths the branch changes since it left the base. */
  changedPaths(repoRoot: string, baseTip: string, branchTip: string): Promise<string[]>;
  /** The branch brought onto the base tip by `strategy`; no ref moved, no checkout but the scratch one touched. */
  combine(repoRoot: string, request: { baseTip: string; branchTip: string; strategy: MergeStrategy; message: string; scratch: string }): Promise<Combined>;
  /** The scratch worktree at `commit`, clean (made when missing). */
  checkout(repoRoot: string, scratch: string, commit: string): Promise<{ created: boolean }>;
  /** Moves `branch` from `from` to `to` by compare-and-swap, bringing the worktrees it is checked out in along (paused when one holds uncommitted work). */
  land(repoRoot: string, request: { branch: string; from: string; to: string; reason: string }): Promise<LandOutcome>;
  /**
   * A landing killed after it moved `branch` (its reflog's last entry, whose reason starts with
   * `reasonPrefix`) but before the worktrees that have it checked out followed: those still
   * exactly at the old tip follow now. Returns them.
   */
  followInterrupted(repoRoot: string, request: { branch: string; reasonPrefix: string }): Promise<string[]>;
  /** A worktree `branch` is checked out in, with its uncommitted paths (one that has some, if any does); null when none. */
  worktreeState(repoRoot: string, branch: string): Promise<{ worktree: string; dirty: string[] } | null>;
  /** Removes the task's worktree and branch when the branch is still at `tip` and nothing is uncommitted. */
  removeTaskWorkspace(repoRoot: string, request: { worktree: string | null; branch: string; tip: string }): Promise<RemovalOutcome>;
}

/** One process lands at a time per board: the scratch worktree and the base branch are shared. */
export interface LandingLock {
  /** Null when another live process holds it (`holder` says who). */
  acquire(): Promise<{ release: () => Promise<void> } | { holder: string }>;
}

/** Where the checks of a landing keep their output: `runs/<task>/merges/<n>/checks/<id>.log`. */
export interface MergeEvidence {
  open(taskId: number): Promise<AttemptEvidence>;
}
