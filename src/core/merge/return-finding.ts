import type { FindingDraft } from '../finding.js';
import type { Task } from '../task.js';

/** Why a task in review went back to work. */
export type ReturnCause = 'conflict' | 'checks' | 'rejected';

const SUBJECTS: Record<ReturnCause, string> = { conflict: 'merge:conflict', checks: 'merge:checks', rejected: 'review:rejected' };

/**
 * The finding a task sent back from review gets, addressed (by the caller) to the agent that
 * held it: its inbox then says why the work came back and where, not only the task's notes.
 * One per return (`eventId`, the return's event), so a second return is news again.
 */
export function returnFinding(task: Pick<Task, 'id' | 'title'>, back: { cause: ReturnCause; paths: readonly string[]; reason: string; eventId: number }): FindingDraft {
  const subject = SUBJECTS[back.cause];
  const where = back.paths.length > 0 ? ` (${back.paths.join(', ')})` : '';
  return {
    kind: 'merge_returned',
    severity: back.cause === 'checks' ? 'medium' : 'high',
    taskId: task.id,
    otherTaskId: null,
    subject,
    paths: [...back.paths],
    message: `#${task.id} '${task.title}' came back from review${where}: ${back.reason}`,
    key: `merge_returned:${task.id}:${back.eventId}`,
  };
}
