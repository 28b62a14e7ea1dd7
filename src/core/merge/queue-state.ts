import type { BoardEvent, EventType } from '../event.js';
import type { CheckFailure } from '../run/check-failure.js';

/** The events that say where a task stands with review and the merge queue. */
export const MERGE_HISTORY_EVENTS: readonly EventType[] = ['run_succeeded', 'merge_queued', 'merge_landed', 'merge_returned', 'review_approved', 'review_rejected', 'task_completed'];

/**
 * Where one task stands with the merge queue, read from its events (oldest first): the commit
 * baton's checks last passed on, whether a person approved that commit, whether it waits in the
 * queue (and since which event, for the queue's order), and how often the queue sent it back.
 */
export interface QueueState {
  /** The commit the task's last successful run left for review; null before one. */
  verifiedCommit: string | null;
  /** The branch that commit is on. */
  branch: string | null;
  approved: boolean;
  /** The `merge_queued` event that put it in the queue, while it is there. */
  queuedEventId: number | null;
  returns: number;
  /** What the latest return or rejection said, for the task's next run; cleared by a successful run. */
  sentBack: SentBack | null;
}

/** Why a task came back from review or the queue, as its next run's first prompt says it. */
export interface SentBack {
  kind: 'merge' | 'rejected';
  failures: CheckFailure[];
  /** For a return from the queue: the base tip the merge was tried on, and the paths that conflicted. */
  baseCommit: string | null;
  conflicts: string[];
}

export function queueStateOf(events: readonly BoardEvent[]): QueueState {
  const state: QueueState = { verifiedCommit: null, branch: null, approved: false, queuedEventId: null, returns: 0, sentBack: null };
  for (const event of events) {
    const payload = event.payload;
    switch (event.type) {
      case 'run_succeeded':
        state.verifiedCommit = text(payload.commit);
        state.branch = text(payload.branch);
        state.approved = false;
        state.queuedEventId = null;
        state.sentBack = null;
        break;
      case 'review_approved':
        state.approved = true;
        break;
      case 'merge_queued':
        state.queuedEventId = event.id;
        break;
      case 'merge_returned':
        state.returns += 1;
        state.queuedEventId = null;
        state.approved = false;
        state.sentBack = { kind: 'merge', failures: failuresOf(payload.failures), baseCommit: text(payload.baseCommit), conflicts: strings(payload.conflicts) };
        break;
      case 'review_rejected':
        state.queuedEventId = null;
        state.approved = false;
        state.sentBack = { kind: 'rejected', failures: failuresOf(payload.failures), baseCommit: null, conflicts: [] };
        break;
      case 'merge_landed':
      case 'task_completed':
        state.queuedEventId = null;
        break;
      default:
        break;
    }
  }
  return state;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Failures as an event carried them; anything not shaped like one is left out. */
function failuresOf(value: unknown): CheckFailure[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { checkId, kind, summary, detail } = item as Record<string, unknown>;
    if (typeof checkId !== 'string' || typeof kind !== 'string' || typeof summary !== 'string' || typeof detail !== 'string') return [];
    return [{ checkId, kind: kind as CheckFailure['kind'], summary, detail }];
  });
}
