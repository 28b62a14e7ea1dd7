import { collisionsWith } from '../core/collision.js';
import type { ImpactSubject } from '../core/finding.js';
import type { RankedTask } from '../core/ranking.js';
import type { Task } from '../core/task.js';
import { hasImpactSurface, IN_FLIGHT, impactSubjects, subjectOf } from './impact-subjects.js';
import type { BoardReader, ReadyQuery } from './ports.js';

export interface ReadyEntry extends RankedTask {
  task: Task;
  /** Running tasks this one would collide with, and why; empty when it collides with nothing. */
  collisions: { taskId: number; reason: string }[];
}

const PAGE = 200;

/**
 * The ready queue with one more rule on top of the rank: inside a priority, a task whose
 * declared resources or links overlap what a running task declares or has changed goes after
 * the tasks that collide with nothing. When nothing is running with anything to compare, this
 * is the rank order read in one page.
 */
export async function readyWithCollisions(tx: BoardReader, query: Omit<ReadyQuery, 'offset'>): Promise<ReadyEntry[]> {
  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  const running = (await impactSubjects(tx, await tx.listTasks({ statuses: IN_FLIGHT, withImpactSurface: true }))).filter(hasImpactSurface);
  if (running.length === 0) {
    const ranked = await tx.readyQueue(query);
    const tasks = await tx.getTasks(ranked.map((entry) => entry.id));
    return ranked.map((entry, index) => ({ ...entry, task: tasks[index] as Task, collisions: [] }));
  }
  const result: ReadyEntry[] = [];
  let demoted: ReadyEntry[] = [];
  let priority: number | undefined;
  for (let offset = 0; result.length < limit; offset += PAGE) {
    const page = await tx.readyQueue({ ...query, limit: PAGE, offset });
    if (page.length === 0) break;
    const tasks = await tx.getTasks(page.map((entry) => entry.id));
    for (const [index, entry] of page.entries()) {
      if (entry.priority !== priority) {
        result.push(...demoted);
        demoted = [];
        priority = entry.priority;
      }
      if (result.length >= limit) break;
      const task = tasks[index] as Task;
      const collisions = collisionsWith(subjectOf(task, []), running.filter((other: ImpactSubject) => other.id !== task.id));
      if (collisions.length > 0) demoted.push({ ...entry, task, collisions });
      else result.push({ ...entry, task, collisions });
    }
  }
  result.push(...demoted);
  return result.slice(0, limit);
}
