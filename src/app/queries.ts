import type { BoardEvent } from '../core/event.js';
import type { Note, Task } from '../core/task.js';
import type { BoardDeps } from './deps.js';
import { loadTask } from './load-task.js';
import type { BlockedTask, DependencyLink, TaskFilter } from './ports.js';

export interface TaskDetail {
  task: Task;
  dependsOn: DependencyLink[];
  dependents: DependencyLink[];
  notes: Note[];
}

export async function showTask(deps: Pick<BoardDeps, 'store'>, id: number): Promise<TaskDetail> {
  return deps.store.read(async (tx) => {
    const task = await loadTask(tx, id);
    return { task, dependsOn: await tx.dependenciesOf(id), dependents: await tx.dependentsOf(id), notes: await tx.notesOf(id) };
  });
}

export async function listTasks(deps: Pick<BoardDeps, 'store'>, filter: TaskFilter): Promise<Task[]> {
  return deps.store.read((tx) => tx.listTasks(filter));
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
