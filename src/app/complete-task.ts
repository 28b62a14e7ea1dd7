import { BatonError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { recipientsFor } from '../core/event.js';
import { applyStatus } from '../core/task-status.js';
import type { Task } from '../core/task.js';
import { syncDependents } from './blocked-state.js';
import type { BoardDeps } from './deps.js';
import { loadTask } from './load-task.js';
import type { BoardWriter } from './ports.js';

/**
 * The seam for impact analysis: runs inside the completion transaction, before the status
 * changes. It may refuse completion by throwing, or append findings as events.
 */
export type CompletionCheck = (tx: BoardWriter, task: Task, actor: string, nowIso: string) => Promise<Finding[] | void>;

export interface CompleteOptions {
  message: string | null;
  /** Complete a task someone else holds. */
  force: boolean;
  checks?: readonly CompletionCheck[];
}

export interface CompleteResult {
  task: Task;
  /** Dependents that became ready because this task is done. */
  unblocked: Task[];
  /** Findings the checks sent to the assignees of tasks this completion affects. */
  findings: Finding[];
}

/**
 * Marks a task done: from in_progress or review, or straight from open for work finished
 * elsewhere (the `tm` habit of `complete 2 -m "Merged PR #123"`). Unblocks dependents and
 * tells their assignees, all in one transaction.
 */
export async function completeTask(deps: BoardDeps, id: number, options: CompleteOptions): Promise<CompleteResult> {
  const nowIso = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    const task = await loadTask(tx, id);
    if (task.status === 'in_progress' && task.assignee !== null && task.assignee !== deps.actor && !options.force) {
      throw new BatonError(
        'ALREADY_CLAIMED',
        `task #${id} is held by ${task.assignee}; only its holder completes it (or pass --force)`,
        { id, assignee: task.assignee },
      );
    }
    if (task.status === 'open') {
      const blockers = await tx.unmetBlockers(id);
      if (blockers.length > 0) {
        throw new BatonError('DEPENDENCIES_UNMET', `task #${id} is waiting on ${blockers.map((b) => `#${b.id}`).join(', ')}; complete those first`, {
          id,
          blockers,
        });
      }
    }
    const findings: Finding[] = [];
    for (const check of options.checks ?? []) findings.push(...((await check(tx, task, deps.actor, nowIso)) ?? []));
    const done = await tx.updateTask({ ...applyStatus(task, 'done', nowIso), completionMessage: options.message });
    await tx.appendEvent(
      {
        actor: deps.actor,
        taskId: id,
        type: 'task_completed',
        payload: { message: options.message, from: task.status },
        recipients: recipientsFor(deps.actor, task.assignee, task.createdBy),
      },
      nowIso,
    );
    const unblocked = await syncDependents(tx, id, deps.actor, nowIso);
    return { task: done, unblocked, findings };
  });
}
