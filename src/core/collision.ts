import type { ImpactSubject } from './finding.js';
import { listText, resourceUses, taskRef } from './impact-rules.js';
import { sharedText, sharedUses } from './overlap.js';

export interface Collision {
  taskId: number;
  /** One plain sentence: which running task, and what the two share. */
  reason: string;
}

/**
 * The running tasks that `candidate` would collide with if it started now: its declared
 * resources or file links overlap a running task's declared resources or footprint (reads
 * against reads never collide). `claim` warns about these (or refuses with --strict), and
 * `ready` ranks a colliding task after equal-priority tasks that collide with nothing.
 */
export function collisionsWith(candidate: ImpactSubject, running: readonly ImpactSubject[]): Collision[] {
  const mine = resourceUses(candidate).filter((use) => use.origin !== 'footprint');
  if (mine.length === 0) return [];
  const collisions: Collision[] = [];
  for (const other of running) {
    if (other.id === candidate.id) continue;
    const shared = sharedUses(mine, other, (use) => use.origin !== 'link');
    if (shared.length === 0) continue;
    const who = other.assignee ? ` (${other.assignee})` : '';
    collisions.push({
      taskId: other.id,
      reason: `${taskRef(other)}${who} is already working on ${listText(shared.map(sharedText))}`,
    });
  }
  return collisions;
}
