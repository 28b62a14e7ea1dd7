import { BatonError, InvalidInputError } from './errors.js';
import { CLOSED_STATUSES, type Status } from './status.js';
import { quoted } from './quoted.js';

export const DEPENDENCY_TYPES = ['blocks', 'related', 'discovered-from', 'parent-child'] as const;
export type DependencyType = (typeof DEPENDENCY_TYPES)[number];

/** `taskId` depends on `dependsOnId`. */
export interface Dependency {
  taskId: number;
  dependsOnId: number;
  type: DependencyType;
}

/** Only these types hold a task back until the other is done. */
export function isGating(type: DependencyType): boolean {
  return type === 'blocks' || type === 'parent-child';
}

export function parseDependencyType(input: string, field = '--type'): DependencyType {
  const text = input.trim().toLowerCase().replace('_', '-');
  if ((DEPENDENCY_TYPES as readonly string[]).includes(text)) return text as DependencyType;
  throw new InvalidInputError(field, `unknown dependency type ${quoted(input)}; use one of ${DEPENDENCY_TYPES.join(', ')}`);
}

/** A blocker that still holds a task back. */
export interface Blocker {
  id: number;
  title: string;
  status: Status;
}

/**
 * A gating dependency is met once the task it points at is closed: done, or cancelled. A
 * cancelled blocker will never be done, and waiting on it would hold its dependents forever;
 * as in most trackers, cancelling work releases what waited on it.
 */
export function isBlockerMet(status: Status): boolean {
  return isClosed(status);
}

export function isClosed(status: Status): boolean {
  return CLOSED_STATUSES.includes(status);
}

/**
 * Refuses `taskId depends on dependsOnId` when it would close a loop among gating edges.
 * `dependenciesOf` returns the ids a task gates on. Throws with the loop spelled out.
 */
export function assertNoCycle(taskId: number, dependsOnId: number, dependenciesOf: (id: number) => readonly number[]): void {
  if (taskId === dependsOnId) {
    throw new InvalidInputError('--on', `task #${taskId} cannot depend on itself; name another task`);
  }
  const path = findPath(dependsOnId, taskId, dependenciesOf);
  if (!path) return;
  const cycle = [taskId, ...path];
  throw new BatonError(
    'DEPENDENCY_CYCLE',
    `#${taskId} depending on #${dependsOnId} would make a cycle: ${cycle.map((id) => `#${id}`).join(' → ')}; ` +
      'remove one of these dependencies first (baton undepend)',
    { cycle },
  );
}

/** Depth-first search for a chain of dependencies from `from` to `to`; returns it or null. */
function findPath(from: number, to: number, dependenciesOf: (id: number) => readonly number[]): number[] | null {
  const cameFrom = new Map<number, number>();
  const stack = [from];
  const seen = new Set([from]);
  while (stack.length > 0) {
    const current = stack.pop() as number;
    if (current === to) {
      const path = [current];
      let step = current;
      while (step !== from) {
        step = cameFrom.get(step) as number;
        path.unshift(step);
      }
      return path;
    }
    for (const next of dependenciesOf(current)) {
      if (seen.has(next)) continue;
      seen.add(next);
      cameFrom.set(next, current);
      stack.push(next);
    }
  }
  return null;
}
