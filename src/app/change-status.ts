import { BatonError } from '../core/errors.js';
import { recipientsFor, type EventType } from '../core/event.js';
import { applyStatus } from '../core/task-status.js';
import type { Task } from '../core/task.js';
import { syncBlockedState, syncDependents } from './blocked-state.js';
import type { BoardDeps } from './deps.js';
import { loadTask } from './load-task.js';

/** A human block, with the reason shown to everyone who looks at the task. */
export async function blockTask(deps: BoardDeps, id: number, reason: string, force = false): Promise<Task> {
  return changeStatus(deps, id, 'task_blocked', (task, nowIso) => ({ ...applyStatus(task, 'blocked', nowIso), blockReason: reason }), { reason }, force);
}

/** Lifts a human block; refuses while gating dependencies are still open. */
export async function unblockTask(deps: BoardDeps, id: number): Promise<Task> {
  const nowIso = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    const task = await loadTask(tx, id);
    if (task.status !== 'blocked') {
      throw new BatonError('ILLEGAL_TRANSITION', `task #${id} is ${task.status}, not blocked; nothing to unblock`, { id, status: task.status });
    }
    const blockers = await tx.unmetBlockers(id);
    if (blockers.length > 0) {
      throw new BatonError(
        'DEPENDENCIES_UNMET',
        `task #${id} still waits on ${blockers.map((b) => `#${b.id}`).join(', ')}; it opens by itself when they are done or cancelled (or \`baton undepend ${id} --on ID\`)`,
        { id, blockers },
      );
    }
    const opened = await tx.updateTask(applyStatus(task, 'open', nowIso));
    await tx.appendEvent({ actor: deps.actor, taskId: id, type: 'task_unblocked', payload: {}, recipients: recipientsFor(deps.actor, task.assignee) }, nowIso);
    return opened;
  });
}

/** Cancels a task; what waited only on it opens, since a cancelled blocker gates nothing. */
export async function cancelTask(deps: BoardDeps, id: number, reason: string | null, force = false): Promise<Task> {
  return changeStatus(deps, id, 'task_cancelled', (task, nowIso) => applyStatus(task, 'cancelled', nowIso), { reason }, force);
}

/**
 * Opens a closed or failed task again. Tasks that depended on it and had moved on stay as
 * they are, but open dependents are blocked again: their blocker is no longer closed.
 */
export async function reopenTask(deps: BoardDeps, id: number): Promise<Task> {
  const nowIso = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    const task = await loadTask(tx, id);
    // A claim is given back by `release`, which only its holder may do without --force; reopen
    // would hand anyone's claim back and leave the task open but still assigned.
    if (task.status === 'in_progress') {
      throw new BatonError(
        'ILLEGAL_TRANSITION',
        `task #${id} is in progress (held by ${task.assignee ?? 'nobody'}), not closed; to give it back to the queue, \`baton release ${id}\` (--force for someone else's claim)`,
        { id, status: task.status, assignee: task.assignee },
      );
    }
    const reopened = await tx.updateTask(applyStatus(task, 'open', nowIso));
    await tx.appendEvent({ actor: deps.actor, taskId: id, type: 'task_reopened', payload: { from: task.status }, recipients: recipientsFor(deps.actor, task.assignee) }, nowIso);
    await syncDependents(tx, id, deps.actor, nowIso);
    return syncBlockedState(tx, reopened, deps.actor, nowIso);
  });
}

async function changeStatus(
  deps: BoardDeps,
  id: number,
  type: EventType,
  change: (task: Task, nowIso: string) => Task,
  payload: Record<string, unknown>,
  force: boolean,
): Promise<Task> {
  const nowIso = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    const task = await loadTask(tx, id);
    // As with `release`: work someone else holds is taken from them only on purpose.
    if (task.status === 'in_progress' && task.assignee !== null && task.assignee !== deps.actor && !force) {
      const verb = type === 'task_blocked' ? 'block' : 'cancel';
      throw new BatonError('CONFLICT', `task #${id} is held by ${task.assignee}; only its holder may ${verb} it (or pass --force)`, { id, assignee: task.assignee });
    }
    const changed = await tx.updateTask(change(task, nowIso));
    await tx.appendEvent({ actor: deps.actor, taskId: id, type, payload: { ...payload, from: task.status }, recipients: recipientsFor(deps.actor, task.assignee) }, nowIso);
    // Whether the task is closed decides whether its dependents wait (isBlockerMet).
    await syncDependents(tx, id, deps.actor, nowIso);
    return changed;
  });
}
