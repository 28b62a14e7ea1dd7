import type { RunRecord } from '../core/run/run-record.js';
import { returnToQueue } from './blocked-state.js';
import type { BoardDeps } from './deps.js';
import type { RunLock } from './ports.js';
import type { EvidenceStore, ProcessTable } from './run-ports.js';

/** A run whose baton process died, found and put in order. */
export interface ReconciledRun {
  taskId: number;
  pid: number;
  run: number | null;
}

/**
 * Runs whose baton died on this host (a supervisor killed with SIGKILL takes its runs with it;
 * the watchdog has already ended their agents): each task goes back to the queue at once rather
 * than when its lease lapses, its run lock is dropped, and its record says `interrupted`. The
 * next run of the task resumes from its last checkpoint. Runs of live processes, and of other
 * hosts (whose processes cannot be seen from here), are left alone.
 */
export async function reconcileDeadRuns(deps: { board: BoardDeps; evidence: EvidenceStore; processes: ProcessTable; host: string }): Promise<ReconciledRun[]> {
  const dead = await deps.board.store.read(async (tx) => {
    const locks = await Promise.all((await tx.listTasks({ statuses: ['in_progress'] })).map((task) => tx.runLock(task.id)));
    return locks.filter((lock): lock is RunLock => lock !== null && lock.host === deps.host && !deps.processes.isAlive(lock.pid));
  });
  const reconciled: ReconciledRun[] = [];
  for (const lock of dead) {
    const record = (await deps.evidence.listRuns(lock.taskId)).filter((run) => run.status === 'running' && run.pid === lock.pid).at(-1) ?? null;
    const reason = `baton (pid ${lock.pid}) stopped during the run`;
    const nowIso = deps.board.clock.now().toISOString();
    const released = await deps.board.store.write(async (tx) => {
      // Only the lock found dead: a run that took the task over meanwhile is left to itself.
      if (!(await tx.deleteRunLock(lock.taskId, lock.token))) return false;
      const task = await tx.getTask(lock.taskId);
      if (task === null || task.status !== 'in_progress' || task.assignee !== lock.actor) return true;
      await returnToQueue(tx, task, { actor: deps.board.actor, type: 'run_interrupted', payload: { run: record?.run ?? null, reason, branch: record?.branch ?? null, checkpoint: record?.checkpoint ?? null } }, nowIso);
      return true;
    });
    if (!released) continue;
    if (record !== null) await deps.evidence.saveRun(interrupted(record, reason, nowIso));
    reconciled.push({ taskId: lock.taskId, pid: lock.pid, run: record?.run ?? null });
  }
  return reconciled;
}

function interrupted(record: RunRecord, reason: string, nowIso: string): RunRecord {
  return { ...record, status: 'interrupted', reason, endedAt: nowIso, agentPgid: null };
}
