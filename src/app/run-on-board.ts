import { BatonError } from '../core/errors.js';
import { recipientsFor, type EventType } from '../core/event.js';
import { applyStatus } from '../core/task-status.js';
import type { Task } from '../core/task.js';
import { syncBlockedState } from './blocked-state.js';
import type { BoardDeps } from './deps.js';
import { loadTask } from './load-task.js';
import { lostLock } from './run-lock.js';

/** What a finished run does to its task. */
export interface RunConclusion {
  /** `open`: the task goes back to the queue, unassigned (the run was rate limited). */
  status: 'review' | 'failed' | 'blocked' | 'open';
  /** One sentence: why the run stopped. */
  reason: string;
  /** The commit left for review (succeeded runs only). */
  commit: string | null;
  /** A note for the task's history: the run's summary, where its evidence is. */
  note: string;
  event: { type: EventType; payload: Record<string, unknown> };
}

/**
 * Moves the task out of in_progress and records why, in one transaction: the status change,
 * the run's note, the run's closing event and the end of its run lock land together or not at
 * all. Refuses when the run lost its lock, or the task is no longer held by this runner (its
 * lease ran out and someone else claimed it; someone completed, cancelled or blocked it).
 */
export async function concludeRun(deps: BoardDeps, id: number, token: string, conclusion: RunConclusion): Promise<Task> {
  const nowIso = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    const task = await loadTask(tx, id);
    const lock = await tx.runLock(id);
    if (lock?.token !== token) throw lostLock(id, lock);
    await tx.deleteRunLock(id, token);
    if (task.status !== 'in_progress' || task.assignee !== deps.actor) {
      throw new BatonError(
        'CONFLICT',
        `task #${id} is no longer held by ${deps.actor} (it is ${task.status}${task.assignee ? `, held by ${task.assignee}` : ''}); the run's result is kept in its evidence only`,
        { id, status: task.status, assignee: task.assignee },
      );
    }
    const moved = applyStatus(task, conclusion.status, nowIso);
    const concluded = await tx.updateTask(
      conclusion.status === 'blocked' ? { ...moved, blockReason: conclusion.reason } : conclusion.status === 'open' ? { ...moved, assignee: null, worktree: null, branch: null } : moved,
    );
    const recipients = recipientsFor(deps.actor, task.createdBy);
    await tx.addNote({ taskId: id, author: deps.actor, body: conclusion.note, createdAt: nowIso });
    await tx.appendEvent({ actor: deps.actor, taskId: id, type: conclusion.event.type, payload: conclusion.event.payload, recipients }, nowIso);
    await tx.appendEvent(
      { actor: deps.actor, taskId: id, type: 'status_changed', payload: { from: task.status, to: conclusion.status, reason: conclusion.reason, commit: conclusion.commit, branch: task.branch }, recipients },
      nowIso,
    );
    // Back in the queue, it waits as `blocked` if a dependency added during the run is unmet.
    return syncBlockedState(tx, concluded, deps.actor, nowIso);
  });
}

/** A run event on the feed (`run_started`, `attempt_finished`, `checks_failed`...). */
export async function recordRunEvent(deps: BoardDeps, taskId: number, type: EventType, payload: Record<string, unknown>): Promise<void> {
  const nowIso = deps.clock.now().toISOString();
  await deps.store.write((tx) => tx.appendEvent({ actor: deps.actor, taskId, type, payload, recipients: [] }, nowIso));
}
