import { BatonError } from '../core/errors.js';
import type { Task } from '../core/task.js';
import type { BoardDeps } from './deps.js';
import { IN_FLIGHT } from './impact-subjects.js';
import { loadTask } from './load-task.js';

/** Binds an in-flight task to the worktree and branch its work happens in. */
export async function bindTask(deps: BoardDeps, id: number, binding: { worktree: string; branch: string | null }, force = false): Promise<Task> {
  const nowIso = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    const task = await loadTask(tx, id);
    if (!(IN_FLIGHT as readonly string[]).includes(task.status)) {
      throw new BatonError(
        'CONFLICT',
        `task #${id} is ${task.status}; only a task in progress or in review has a worktree to watch (claim it first)`,
        { id, status: task.status },
      );
    }
    if (task.assignee !== deps.actor && !force) {
      throw new BatonError(
        'CONFLICT',
        `task #${id} is held by ${task.assignee ?? 'nobody'}, not ${deps.actor}; only its holder binds it to a worktree (or pass --force)`,
        { id, assignee: task.assignee },
      );
    }
    if (task.worktree === binding.worktree && task.branch === binding.branch) return task;
    const bound = await tx.updateTask({ ...task, ...binding, updatedAt: nowIso });
    await tx.appendEvent({ actor: deps.actor, taskId: id, type: 'task_bound', payload: binding, recipients: [] }, nowIso);
    return bound;
  });
}
