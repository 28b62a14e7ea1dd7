import type { TaskKind } from '../kind.js';

/**
 * How the merge queue brings a task branch onto the base branch: `squash` (one commit per task,
 * subject from the task, `Baton-Task` trailer), `rebase` (the task's commits replayed on the
 * tip, one by one) or `merge` (a merge commit with the task branch as second parent).
 */
export const MERGE_STRATEGIES = ['squash', 'rebase', 'merge'] as const;
export type MergeStrategy = (typeof MERGE_STRATEGIES)[number];

/**
 * Which tasks wait for a person before they merge. A task needs approval when any rule matches;
 * every other task merges on its own once the checks pass on the merged result.
 */
export interface ApprovalPolicy {
  /** Globs of paths the task's diff touches (`migrations/**`). */
  paths: string[];
  /** Patterns of the task's declared resources, `*` matching anything (`removes:*`, `modifies:api:*`). */
  resources: string[];
  kinds: TaskKind[];
  labels: string[];
}

export interface MergeSettings {
  strategy: MergeStrategy;
  /** How many times a task may come back from the queue (conflict, red after merging) before it is `failed`. */
  retries: number;
  /** How many queued tasks are checked and landed together (1: one at a time). */
  batch: number;
  approval: ApprovalPolicy;
}

export const DEFAULT_MERGE_RETRIES = 3;

export const DEFAULT_MERGE_SETTINGS: MergeSettings = {
  strategy: 'squash',
  retries: DEFAULT_MERGE_RETRIES,
  batch: 1,
  approval: { paths: [], resources: [], kinds: [], labels: [] },
};
