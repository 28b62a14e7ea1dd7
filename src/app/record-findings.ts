import type { Finding, FindingDraft } from '../core/finding.js';
import type { BoardWriter, FindingChange } from './ports.js';

/**
 * Stores findings and sends each to the assignee of the task it affects, in the caller's
 * transaction. A finding already on record (same key) is not repeated, only updated when its
 * wording changed. Returns the findings that are new, reopened or updated.
 */
export async function recordFindings(tx: BoardWriter, drafts: readonly FindingDraft[], actor: string, nowIso: string): Promise<FindingChange[]> {
  const changes: FindingChange[] = [];
  for (const draft of drafts) {
    const affected = await tx.getTask(draft.taskId);
    const recipient = affected?.assignee ?? null;
    const stored = await tx.upsertFinding(draft, recipient, nowIso);
    if (!stored) continue;
    const { finding, change } = stored;
    const event = await tx.appendEvent(
      {
        actor,
        taskId: draft.taskId,
        type: change === 'updated' ? 'finding_updated' : 'finding_created',
        payload: { findingId: finding.id, kind: finding.kind, severity: finding.severity, otherTaskId: finding.otherTaskId, subject: finding.subject, paths: finding.paths, message: finding.message },
        recipients: recipient === null ? [] : [recipient],
      },
      nowIso,
    );
    const withEvent = { ...finding, eventId: event.id };
    await tx.updateFinding(withEvent);
    changes.push({ change, finding: withEvent });
  }
  return changes;
}

/** Closes findings that no longer hold (e.g. a predicted conflict that a rebase removed). */
export async function resolveStale(tx: BoardWriter, stale: readonly Finding[], nowIso: string, reason: string): Promise<void> {
  for (const finding of stale) {
    await tx.updateFinding({ ...finding, status: 'resolved', resolvedAt: nowIso, resolvedBy: 'baton' });
    await tx.appendEvent(
      {
        actor: 'baton',
        taskId: finding.taskId,
        type: 'finding_resolved',
        payload: { findingId: finding.id, kind: finding.kind, reason },
        recipients: finding.recipient === null ? [] : [finding.recipient],
      },
      nowIso,
    );
  }
}

/**
 * A task that changes hands takes its unresolved findings with it: they are readdressed to the
 * new holder, as open, so they show in the new holder's inbox and can be settled there.
 */
export async function readdressFindings(tx: BoardWriter, taskId: number, holder: string, actor: string, nowIso: string): Promise<void> {
  const unresolved = await tx.findings({ taskId, statuses: ['open', 'acknowledged'] });
  for (const finding of unresolved) {
    if (finding.recipient === holder) continue;
    const moved = { ...finding, recipient: holder, status: 'open' as const, ackedAt: null, ackedBy: null, ackMessage: null };
    await tx.updateFinding(moved);
    await tx.appendEvent(
      {
        actor,
        taskId,
        type: 'finding_updated',
        payload: { findingId: finding.id, kind: finding.kind, message: finding.message, formerRecipient: finding.recipient },
        recipients: [holder],
      },
      nowIso,
    );
  }
}
