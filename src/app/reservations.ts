import { BatonError } from '../core/errors.js';
import { isClosed } from '../core/dependency.js';
import { leaseExpiry } from '../core/lease.js';
import { resourceNamesMatch } from '../core/resource-match.js';
import type { BoardDeps } from './deps.js';
import { loadTask } from './load-task.js';
import type { Reservation } from './ports.js';
import { quoted } from '../core/quoted.js';

export interface ReserveOptions {
  taskId: number;
  /** Repository-relative paths or globs, already normalised. */
  patterns: readonly string[];
  shared: boolean;
  ttlMs: number | null;
}

/**
 * Reserves paths for a task. An exclusive reservation may not overlap any other task's
 * reservation; a shared one may overlap only other shared ones. Refusals change nothing.
 */
export async function reservePaths(deps: BoardDeps, options: ReserveOptions): Promise<Reservation[]> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  return deps.store.write(async (tx) => {
    const task = await loadTask(tx, options.taskId);
    if (isClosed(task.status)) {
      throw new BatonError('CONFLICT', `task #${task.id} is ${task.status}; reserve paths for work that is still to be done`, { id: task.id });
    }
    const others = (await tx.activeReservations(nowIso)).filter((reservation) => reservation.taskId !== task.id);
    for (const pattern of options.patterns) {
      const clash = others.find((other) => (!options.shared || !other.shared) && resourceNamesMatch('file', pattern, other.pattern));
      if (clash) {
        throw new BatonError(
          'CONFLICT',
          `${quoted(pattern)} overlaps ${quoted(clash.pattern)}, reserved ${clash.shared ? 'shared' : 'exclusively'} for task #${clash.taskId} by ${clash.holder}; ` +
            (options.shared ? 'wait for it to be released' : 'reserve with --shared, or wait for it to be released'),
          { pattern, reservation: clash },
        );
      }
    }
    const saved: Reservation[] = [];
    for (const pattern of options.patterns) {
      saved.push(
        await tx.saveReservation({
          taskId: task.id,
          pattern,
          shared: options.shared,
          holder: deps.actor,
          createdAt: nowIso,
          expiresAt: options.ttlMs === null ? null : leaseExpiry(now, options.ttlMs),
        }),
      );
    }
    await tx.appendEvent(
      { actor: deps.actor, taskId: task.id, type: 'reservation_added', payload: { patterns: options.patterns, shared: options.shared }, recipients: [] },
      nowIso,
    );
    return saved;
  });
}

export async function unreservePaths(deps: BoardDeps, taskId: number, patterns: readonly string[] | null): Promise<number> {
  const nowIso = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    await loadTask(tx, taskId);
    const removed = await tx.removeReservations(taskId, patterns);
    if (removed > 0) {
      await tx.appendEvent({ actor: deps.actor, taskId, type: 'reservation_removed', payload: { patterns, removed }, recipients: [] }, nowIso);
    }
    return removed;
  });
}

export interface ReservationViolation {
  path: string;
  reservation: Reservation;
}

/** Staged paths that another task holds an exclusive reservation on (the pre-commit guard). */
export async function reservationViolations(deps: Pick<BoardDeps, 'store' | 'clock'>, paths: readonly string[], ownTaskId: number | null): Promise<ReservationViolation[]> {
  const nowIso = deps.clock.now().toISOString();
  const active = await deps.store.read((tx) => tx.activeReservations(nowIso));
  const foreign = active.filter((reservation) => !reservation.shared && reservation.taskId !== ownTaskId);
  const violations: ReservationViolation[] = [];
  for (const path of paths) {
    const reservation = foreign.find((candidate) => resourceNamesMatch('file', path, candidate.pattern));
    if (reservation) violations.push({ path, reservation });
  }
  return violations;
}
