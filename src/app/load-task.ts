import { TaskNotFoundError } from '../core/errors.js';
import type { Task } from '../core/task.js';
import type { BoardReader } from './ports.js';

export async function loadTask(tx: BoardReader, id: number): Promise<Task> {
  const task = await tx.getTask(id);
  if (!task) throw new TaskNotFoundError(id);
  return task;
}
