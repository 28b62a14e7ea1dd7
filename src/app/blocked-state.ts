import { recipientsFor, type EventType } from '../core/event.js';
import { applyStatus } from '../core/task-status.js';
import type { Task } from '../core/task.js';
import type { BoardWriter } from './ports.js';

/**
 * Keeps `blocked` in step with the dependency graph: an open task with an unmet gating
 * dependency becomes blocked, and a task blocked only by dependencies (no human reason)
 * opens again when its last blocker is done. Returns the task as it now stands.
 */
export async function syncBlockedState(tx: BoardWriter, task: Task, actor: string, nowIso: string): Promise<Task> {
  if (task.status !== 'open' && !(task.status === 'blocked' && task.blockReason === null)) return task;
  const blockers = await tx.unmetBlockers(task.id);
  if (task.status === 'open' && blockers.length > 0) {
    const updated = await tx.updateTask(applyStatus(task, 'blocked', nowIso));
    await tx.appendEvent(
      {
        actor,
        taskId: task.id,
        type: 'task_blocked',
        payload: { blockers: blockers.map((blocker) => blocker.id) },
        recipients: recipientsFor(actor, task.assignee),
      },
      nowIso,
    );
    return updated;
  }
  if (task.status === 'blocked' && blockers.length === 0) {
    const updated = await tx.updateTask(applyStatus(task, 'open', nowIso));
    await tx.appendEvent(
      { actor, taskId: task.id, type: 'task_unblocked', payload: {}, recipients: recipientsFor(actor, task.assignee) },
      nowIso,
    );
    return updated;
  }
  return task;
}

/** Re-checks every task that depends on `taskId`; returns those whose status changed. */
export async function syncDependents(tx: BoardWriter, taskId: number, actor: string, nowIso: string): Promise<Task[]> {
  const changed: Task[] = [];
  for (const link of await tx.dependentsOf(taskId)) {
    const dependent = await tx.getTask(link.taskId);
    if (!dependent) continue;
    const after = await syncBlockedState(tx, dependent, actor, nowIso);
    if (after.status !== dependent.status) changed.push(after);
  }
  return changed;
}

/**
 * Gives an in-flight task back to the queue, unassigned, with the event that says why, then
 * re-derives its blocked state: a dependency added while it was in flight may still be unmet,
 * and such a task must wait as `blocked`, not sit in the queue as `open`.
 */
export async function returnToQueue(
  tx: BoardWriter,
  task: Task,
  event: { actor: string; type: EventType; payload: Record<string, unknown> },
  nowIso: string,
): Promise<Task> {
  const reopened = await tx.updateTask({ ...applyStatus(task, 'open', nowIso), assignee: null, worktree: null, branch: null });
  await tx.appendEvent(
    { actor: event.actor, taskId: task.id, type: event.type, payload: event.payload, recipients: recipientsFor(event.actor, task.assignee) },
    nowIso,
  );
  return syncBlockedState(tx, reopened, event.actor, nowIso);
}
