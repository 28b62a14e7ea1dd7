import { statusAfterRun, type RunOutcome } from '../core/run/convergence.js';
import { addUsage, type RunRecord } from '../core/run/run-record.js';
import type { Task } from '../core/task.js';
import { dropRunLock, releaseRunHold } from './run-lock.js';
import type { AttemptResult } from './run-attempt.js';
import { concludeRun, recordRunEvent } from './run-on-board.js';
import { conclusionOf, runEventsOf } from './run-report.js';
import type { RunTaskDeps, RunTaskResult } from './run-task.js';
import type { Stop } from './run-state.js';

/* How a run is written down: each attempt on the record and the feed, then its end on the board. */

export async function conclude(deps: RunTaskDeps, record: RunRecord, task: Task, token: string, stop: Stop): Promise<RunTaskResult> {
  record.status = stop.outcome;
  record.reason = stop.reason;
  record.endedAt = deps.board.clock.now().toISOString();
  await deps.evidence.saveRun(record);
  let concluded: Task | null = null;
  if (stop.boardUntrusted === true) {
    // Nothing is written on a board that changed under the run; the lock goes if it still can.
    await dropRunLock(deps.board, task.id, token).catch(() => undefined);
    deps.onProgress({ kind: 'finished', record, task: null });
    return { record, task: null };
  }
  try {
    concluded = await concludeRun(deps.board, task.id, token, conclusionOf(record, statusAfterRun(stop.outcome as RunOutcome), deps.evidence.runDir(record.taskId, record.run)));
  } catch (error) {
    // Someone completed, cancelled or took the task meanwhile: their decision stands.
    record.reason = `${stop.reason} (${(error as Error).message})`;
    await deps.evidence.saveRun(record);
    await releaseRunHold(deps.board, task.id, token, record.reason).catch(() => undefined);
  }
  deps.onProgress({ kind: 'finished', record, task: concluded });
  return { record, task: concluded };
}

export async function interrupt(deps: RunTaskDeps, record: RunRecord, token: string, reason: string): Promise<RunTaskResult> {
  record.status = 'interrupted';
  record.reason = reason;
  record.endedAt = deps.board.clock.now().toISOString();
  record.agentPgid = null;
  await deps.evidence.saveRun(record);
  let task: Task | null = null;
  try {
    // Only what the run still holds goes back to the queue; a task someone else moved stays put.
    task = (await releaseRunHold(deps.board, record.taskId, token, reason)).task;
    await recordRunEvent(deps.board, record.taskId, 'run_interrupted', { run: record.run, reason, branch: record.branch, checkpoint: record.checkpoint });
  } catch {
    // The board cannot be written (removed, or changed under the run): the evidence says what this run did.
  }
  deps.onProgress({ kind: 'finished', record, task });
  return { record, task };
}
export async function recordAttempt(deps: RunTaskDeps, record: RunRecord, result: AttemptResult, where = { onBoard: true }): Promise<void> {
  record.attempts.push(result.summary);
  record.usage = addUsage(record.usage, result.summary.usage);
  record.checkpoint = result.summary.checkpoint;
  record.agentPgid = null;
  await deps.evidence.saveRun(record);
  if (!where.onBoard) return;
  for (const event of runEventsOf(record, result)) await recordRunEvent(deps.board, record.taskId, event.type, event.payload);
}
