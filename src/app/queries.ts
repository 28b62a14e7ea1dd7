import type { BoardEvent } from '../core/event.js';
import type { Finding } from '../core/finding.js';
import type { Note, Task } from '../core/task.js';
import type { BoardDeps } from './deps.js';
import { loadTask } from './load-task.js';
import type { BlockedTask, DependencyLink, StoredFootprint, TaskFilter } from './ports.js';

export interface TaskDetail {
  task: Task;
  dependsOn: DependencyLink[];
  dependents: DependencyLink[];
  notes: Note[];
  footprint: StoredFootprint | null;
  /** Findings about this task that are not resolved. */
  findings: Finding[];
}

/** A task in a list, with how many open findings wait for its assignee. */
export type ListedTask = Task & { openFindings: number };

export async function showTask(deps: Pick<BoardDeps, 'store'>, id: number): Promise<TaskDetail> {
  return deps.store.read(async (tx) => {
    const task = await loadTask(tx, id);
    return {
      task,
      dependsOn: await tx.dependenciesOf(id),
      dependents: await tx.dependentsOf(id),
      notes: await tx.notesOf(id),
      footprint: await tx.footprintOf(id),
      findings: await tx.findings({ taskId: id, statuses: ['open', 'acknowledged'] }),
    };
  });
}

export async function listTasks(deps: Pick<BoardDeps, 'store'>, filter: TaskFilter): Promise<ListedTask[]> {
  return deps.store.read(async (tx) => {
    const tasks = await tx.listTasks(filter);
    const counts = await tx.openFindingCounts(tasks.map((task) => task.id));
    return tasks.map((task) => ({ ...task, openFindings: counts.get(task.id) ?? 0 }));
  });
}

export async function listBlocked(deps: Pick<BoardDeps, 'store'>): Promise<BlockedTask[]> {
  return deps.store.read((tx) => tx.blockedTasks());
}

/** One task's timeline: every event about it, oldest first. */
export async function taskLog(deps: Pick<BoardDeps, 'store'>, id: number): Promise<BoardEvent[]> {
  return deps.store.read(async (tx) => {
    await loadTask(tx, id);
    return tx.events({ taskId: id });
  });
}
