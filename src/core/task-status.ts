import { assertTransition, type Status } from './status.js';
import type { Task } from './task.js';

/**
 * Moves a task to `to`, keeping the fields that depend on status consistent: closing stamps
 * `closedAt`, leaving in_progress drops the lease, reopening clears what closing set.
 */
export function applyStatus(task: Task, to: Status, nowIso: string): Task {
  assertTransition(task.id, task.status, to);
  const closing = to === 'done' || to === 'cancelled';
  return {
    ...task,
    status: to,
    updatedAt: nowIso,
    closedAt: closing ? nowIso : null,
    leaseExpiresAt: to === 'in_progress' ? task.leaseExpiresAt : null,
    blockReason: to === 'blocked' ? task.blockReason : null,
    completionMessage: to === 'done' ? task.completionMessage : to === 'open' ? null : task.completionMessage,
  };
}
