/** The kinds of events on the feed; each is written in the transaction of the change it records. */
export const EVENT_TYPES = [
  'task_created',
  'task_updated',
  'status_changed',
  'task_claimed',
  'task_released',
  'lease_expired',
  'lease_lost',
  'task_blocked',
  'task_unblocked',
  'task_completed',
  'task_cancelled',
  'task_reopened',
  'dependency_added',
  'dependency_removed',
  'note_added',
  'idea_created',
  'board_imported',
  'task_bound',
  'footprint_changed',
  'finding_created',
  'finding_updated',
  'finding_acknowledged',
  'finding_resolved',
  'completion_forced',
  'reservation_added',
  'reservation_removed',
  'run_started',
  'attempt_finished',
  'checks_passed',
  'checks_failed',
  'diverged',
  'stalled',
  'budget_exceeded',
  'rate_limited',
  'run_succeeded',
  'run_failed',
  'run_interrupted',
  'merge_queued',
  'merge_landed',
  'merge_returned',
  'review_approved',
  'review_rejected',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface BoardEvent {
  id: number;
  at: string;
  actor: string;
  taskId: number | null;
  type: EventType;
  payload: Record<string, unknown>;
  /** Agents this event is addressed to (the affected assignee, never the actor by mistake). */
  recipients: string[];
}

export type NewEvent = Omit<BoardEvent, 'id' | 'at'>;

/** Addresses an event to the people it affects, leaving out the one who caused it. */
export function recipientsFor(actor: string, ...candidates: (string | null | undefined)[]): string[] {
  const names = candidates.filter((name): name is string => typeof name === 'string' && name !== '' && name !== actor);
  return [...new Set(names)];
}
