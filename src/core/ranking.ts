import type { Priority } from './priority.js';

/** The little the ranking needs to know about a ready task. */
export interface ReadyCandidate {
  id: number;
  priority: Priority;
  createdAt: string;
  assignee: string | null;
}

/** A gating edge between two tasks that are not closed: `taskId` waits on `dependsOnId`. */
export interface GatingEdge {
  taskId: number;
  dependsOnId: number;
}

export interface RankedTask {
  id: number;
  priority: Priority;
  /** How many not-closed tasks wait on this one, directly or through others. */
  unblocks: number;
  createdAt: string;
}

/**
 * Orders ready tasks: most urgent priority first, then the one that the most work waits on
 * (transitively), then the oldest, then the lowest id so the order is total and stable.
 */
export function rankReady(candidates: readonly ReadyCandidate[], edges: readonly GatingEdge[]): RankedTask[] {
  const dependents = dependentsIndex(edges);
  const ranked = candidates.map((candidate) => ({
    id: candidate.id,
    priority: candidate.priority,
    createdAt: candidate.createdAt,
    unblocks: countTransitiveDependents(candidate.id, dependents),
  }));
  return ranked.sort(compareRanked);
}

export function compareRanked(a: RankedTask, b: RankedTask): number {
  return (
    a.priority - b.priority ||
    b.unblocks - a.unblocks ||
    (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0) ||
    a.id - b.id
  );
}

/** Who waits on whom: task id → ids of the tasks that gate on it directly. */
export function dependentsIndex(edges: readonly GatingEdge[]): Map<number, number[]> {
  const dependents = new Map<number, number[]>();
  for (const edge of edges) {
    const list = dependents.get(edge.dependsOnId);
    if (list) list.push(edge.taskId);
    else dependents.set(edge.dependsOnId, [edge.taskId]);
  }
  return dependents;
}

/** How many tasks wait on `id`, directly or through others, each counted once. */
export function countTransitiveDependents(id: number, dependents: ReadonlyMap<number, readonly number[]>): number {
  const direct = dependents.get(id);
  if (!direct) return 0;
  const seen = new Set<number>();
  const stack = [...direct];
  while (stack.length > 0) {
    const current = stack.pop() as number;
    if (seen.has(current)) continue;
    seen.add(current);
    const next = dependents.get(current);
    if (next) stack.push(...next);
  }
  return seen.size;
}

/** One line a person can read: why this task sits where it does in the queue. */
export function explainRank(task: RankedTask, position: number): string {
  const waiting = task.unblocks === 1 ? '1 task waits on it' : `${task.unblocks} tasks wait on it`;
  return `#${position}: priority ${task.priority}, ${waiting}, created ${task.createdAt}`;
}
