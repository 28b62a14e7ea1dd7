import { BatonError } from '../core/errors.js';
import { BLOCKING_FINDING_KINDS } from '../core/finding.js';
import { completionFindings } from '../core/impact-check.js';
import type { CompletionCheck } from './complete-task.js';
import { hasImpactSurface, impactSubjects, NOT_STARTED_OR_IN_FLIGHT } from './impact-subjects.js';
import { recordFindings, resolveStale } from './record-findings.js';

/**
 * Refuses to complete a task while a conflict addressed to it is neither acknowledged nor
 * resolved. With `override`, completes anyway: the reason goes to the feed and the findings
 * are closed as resolved by the actor.
 */
export function refuseOnOpenConflicts(override: { reason: string } | null): CompletionCheck {
  return async (tx, task, actor, nowIso) => {
    const open = await tx.findings({ taskId: task.id, statuses: ['open'], kinds: BLOCKING_FINDING_KINDS });
    if (open.length === 0) return;
    if (!override) {
      const list = open.map((finding) => `[${finding.id}] ${finding.kind}: ${finding.message}`).join('; ');
      throw new BatonError(
        'CONFLICT',
        `task #${task.id} has ${open.length} unresolved finding${open.length === 1 ? '' : 's'}: ${list}. ` +
          'Acknowledge (`baton ack ID`) or resolve (`baton resolve ID`) them, or pass --force --reason "..."',
        { id: task.id, findings: open.map((finding) => finding.id) },
      );
    }
    for (const finding of open) await tx.updateFinding({ ...finding, status: 'resolved', resolvedAt: nowIso, resolvedBy: actor, ackMessage: override.reason });
    await tx.appendEvent(
      { actor, taskId: task.id, type: 'completion_forced', payload: { reason: override.reason, findings: open.map((finding) => finding.id) }, recipients: [] },
      nowIso,
    );
  };
}

/**
 * Compares what the completed task declared and changed with every task that is not closed,
 * and tells each affected task's assignee. Only tasks with something to compare are loaded,
 * so a board of tasks without resources pays one query.
 */
export const recordCompletionImpact: CompletionCheck = async (tx, task, actor, nowIso) => {
  // What was live about the finished task's own work is moot now; what it did to others is not.
  const moot = await tx.findings({ taskId: task.id, statuses: ['open', 'acknowledged'], kinds: ['overlap', 'merge_conflict_predicted'] });
  await resolveStale(tx, moot, nowIso, `#${task.id} is done`);
  const [done] = await impactSubjects(tx, [task]);
  if (!done || !hasImpactSurface(done)) return [];
  const others = await tx.listTasks({ statuses: NOT_STARTED_OR_IN_FLIGHT, withImpactSurface: true });
  const subjects = await impactSubjects(tx, others.filter((other) => other.id !== task.id));
  const changes = await recordFindings(tx, completionFindings(done, subjects), actor, nowIso);
  return changes.map((entry) => entry.finding);
};
