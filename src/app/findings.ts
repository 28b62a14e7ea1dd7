import { BatonError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import type { BoardDeps } from './deps.js';

export interface InboxOptions {
  /** Every agent's findings, not only mine. */
  all: boolean;
  /** Include acknowledged and resolved findings. */
  history: boolean;
}

/** Findings addressed to the actor (or to everyone with `all`), unacknowledged unless `history`. */
export async function inbox(deps: BoardDeps, options: InboxOptions): Promise<Finding[]> {
  return deps.store.read((tx) =>
    tx.findings({
      ...(options.all ? {} : { recipient: deps.actor }),
      ...(options.history ? {} : { statuses: ['open'] }),
    }),
  );
}

/**
 * Acknowledges (`ack`: seen, will handle) or resolves a finding. Only its recipient may, so an
 * agent cannot silence a warning meant for another; `force` lets a human supervisor do it,
 * and the event names who did.
 */
export async function settleFinding(
  deps: BoardDeps,
  id: number,
  to: 'acknowledged' | 'resolved',
  options: { message: string | null; force: boolean },
): Promise<Finding> {
  const nowIso = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    const finding = await tx.getFinding(id);
    if (!finding) throw new BatonError('NOT_FOUND', `finding ${id} does not exist; see \`baton inbox --all\``, { id });
    if (finding.recipient !== null && finding.recipient !== deps.actor && !options.force) {
      throw new BatonError(
        'CONFLICT',
        `finding ${id} is addressed to ${finding.recipient}, not ${deps.actor}; only its recipient settles it (or pass --force)`,
        { id, recipient: finding.recipient },
      );
    }
    if (finding.status === 'resolved' || finding.status === to) return finding;
    const settled: Finding =
      to === 'acknowledged'
        ? { ...finding, status: 'acknowledged', ackedAt: nowIso, ackedBy: deps.actor, ackMessage: options.message }
        : { ...finding, status: 'resolved', resolvedAt: nowIso, resolvedBy: deps.actor, ackMessage: options.message ?? finding.ackMessage };
    await tx.updateFinding(settled);
    // An unaddressed finding (its task had no assignee) is anyone's to settle: not forced.
    const forced = finding.recipient !== null && finding.recipient !== deps.actor;
    await tx.appendEvent(
      {
        actor: deps.actor,
        taskId: finding.taskId,
        type: to === 'acknowledged' ? 'finding_acknowledged' : 'finding_resolved',
        payload: { findingId: id, kind: finding.kind, message: options.message, forced },
        recipients: forced ? [finding.recipient as string] : [],
      },
      nowIso,
    );
    return settled;
  });
}
