import type { ImpactSubject } from '../core/finding.js';
import type { Task } from '../core/task.js';
import type { BoardReader } from './ports.js';

/** Tasks whose work is under way: their branches and declared resources are live. */
export const IN_FLIGHT = ['in_progress', 'review'] as const;
/** Tasks a completion can still affect. */
export const NOT_STARTED_OR_IN_FLIGHT = ['open', 'blocked', 'in_progress', 'review'] as const;

/** Joins tasks with their last recorded footprints into what impact analysis reads. */
export async function impactSubjects(tx: BoardReader, tasks: readonly Task[]): Promise<ImpactSubject[]> {
  const footprints = new Map((await tx.footprintsOf(tasks.map((task) => task.id))).map((footprint) => [footprint.taskId, footprint]));
  return tasks.map((task) => subjectOf(task, footprints.get(task.id)?.paths ?? []));
}

export function subjectOf(task: Task, footprint: readonly string[]): ImpactSubject {
  return {
    id: task.id,
    title: task.title,
    status: task.status,
    assignee: task.assignee,
    resources: task.resources,
    links: task.links,
    footprint,
  };
}

/** Whether impact analysis has anything to compare for this subject. */
export function hasImpactSurface(subject: ImpactSubject): boolean {
  return subject.resources.length > 0 || subject.links.length > 0 || subject.footprint.length > 0;
}
