import { BatonError } from '../core/errors.js';
import { leaseExpiry } from '../core/lease.js';
import { returnToQueue } from './blocked-state.js';
import type { Task } from '../core/task.js';
import type { BoardDeps } from './deps.js';
import { loadTask } from './load-task.js';
import type { RunLock } from './ports.js';

/** Who holds a run: this baton process, on this host, under a token no other run has. */
export interface RunHolder {
  token: string;
  host: string;
  pid: number;
}

/**
 * Takes the task's run lock, in a transaction of its own and before anything else of the run
 * is done, so that of two `baton run` of one task started at once (by the same actor or not)
 * exactly one goes on. A lock left by a run whose baton is gone — its lease lapsed, or its
 * process is dead on this host — is taken over.
 */
export async function acquireRunLock(deps: BoardDeps, taskId: number, holder: RunHolder, ttlMs: number, isAlive: (pid: number) => boolean): Promise<RunLock> {
  const now = deps.clock.now();
  return deps.store.write(async (tx) => {
    await loadTask(tx, taskId);
    const held = await tx.runLock(taskId);
    if (held !== null && held.token !== holder.token && !lapsed(held, holder.host, now, isAlive)) throw runningElsewhere(taskId, held);
    const lock: RunLock = { taskId, ...holder, actor: deps.actor, startedAt: now.toISOString(), expiresAt: leaseExpiry(now, ttlMs) };
    await tx.saveRunLock(lock);
    return lock;
  });
}

/**
 * Refuses, writing nothing, a run of a task that a live run holds. A run asks before its own
 * checks of the worktree: a second `baton run` started at the same moment is told who runs the
 * task, not that the other run's half-made worktree is in its way (and to remove it).
 */
export async function assertNotRunning(deps: BoardDeps, taskId: number, host: string, isAlive: (pid: number) => boolean): Promise<void> {
  const now = deps.clock.now();
  const held = await deps.store.read((tx) => tx.runLock(taskId));
  if (held !== null && !lapsed(held, host, now, isAlive)) throw runningElsewhere(taskId, held);
}

function runningElsewhere(taskId: number, held: RunLock): BatonError {
  return new BatonError(
    'CONFLICT',
    `task #${taskId} is being run by ${held.actor} (baton pid ${held.pid} on ${held.host}) since ${held.startedAt}; wait for that run to end, or stop it first`,
    { id: taskId, pid: held.pid, host: held.host, actor: held.actor },
  );
}

/** Extends the run's lock; throws CONFLICT when the run no longer holds it. */
export async function renewRunLock(deps: BoardDeps, taskId: number, token: string, ttlMs: number): Promise<void> {
  const now = deps.clock.now();
  await deps.store.write(async (tx) => {
    const held = await tx.runLock(taskId);
    if (held?.token !== token) throw lostLock(taskId, held);
    await tx.saveRunLock({ ...held, expiresAt: leaseExpiry(now, ttlMs) });
  });
}

/** Gives the lock up without touching the task (a run refused before it claimed anything). */
export async function dropRunLock(deps: BoardDeps, taskId: number, token: string): Promise<void> {
  await deps.store.write((tx) => tx.deleteRunLock(taskId, token));
}

/**
 * Ends a run that reached no verdict: drops its lock and gives the task back to the queue only
 * when the run still holds it. A task someone completed, cancelled, blocked or took over
 * meanwhile is left exactly as they left it. Returns the task as it now is.
 */
export async function releaseRunHold(deps: BoardDeps, taskId: number, token: string, reason: string): Promise<{ task: Task; released: boolean }> {
  const nowIso = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    const ours = await tx.deleteRunLock(taskId, token);
    const task = await loadTask(tx, taskId);
    if (!ours || task.status !== 'in_progress' || task.assignee !== deps.actor) return { task, released: false };
    const payload = { formerAssignee: task.assignee, reason };
    const released = await returnToQueue(tx, task, { actor: deps.actor, type: 'task_released', payload }, nowIso);
    return { task: released, released: true };
  });
}

function lapsed(lock: RunLock, host: string, now: Date, isAlive: (pid: number) => boolean): boolean {
  if (lock.expiresAt <= now.toISOString()) return true;
  return lock.host === host && !isAlive(lock.pid);
}

export function lostLock(taskId: number, held: RunLock | null): BatonError {
  const who = held === null ? 'nobody holds it now' : `it is held by ${held.actor} (baton pid ${held.pid} on ${held.host})`;
  return new BatonError('CONFLICT', `this run of task #${taskId} lost its run lock (${who}); its result is kept in its evidence only`, { id: taskId });
}
