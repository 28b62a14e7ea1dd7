import type { BoardEvent, EventType } from './event.js';

/**
 * The events after which an agent no longer holds a task it claimed. Whoever wrote the first
 * of them after the agent's claim decides: the agent itself let the task go; anyone else (baton
 * reaping, a forced release or completion, a block, a cancel) took it away.
 */
const HOLD_ENDING: readonly EventType[] = [
  'lease_expired',
  'task_released',
  'task_completed',
  'task_cancelled',
  'task_blocked',
  'task_reopened',
  'status_changed',
  'task_claimed',
];

/** A task an agent held and lost without having been told, and how. */
export interface LeaseLoss {
  taskId: number;
  /** The event that ended the hold (absent only if the feed does not say: an edited board). */
  endedBy: { type: EventType; actor: string; at: string; eventId: number } | null;
  reason: string;
}

/**
 * Decides, from the feed of one task after `agent`'s last claim of it, whether the agent lost
 * it: the first hold-ending event is someone else's, and the agent has written nothing on the
 * task since (no `lease_lost` acknowledgement, note, or new claim). Call it only for a task the
 * agent does not hold now.
 */
export function leaseLoss(agent: string, taskId: number, eventsAfterClaim: readonly BoardEvent[]): LeaseLoss | null {
  // Told already: without this, a loss the feed does not explain would be reported at every heartbeat.
  if (eventsAfterClaim.some((event) => event.type === 'lease_lost' && event.actor === agent)) return null;
  const index = eventsAfterClaim.findIndex((event) => HOLD_ENDING.includes(event.type));
  if (index < 0) return { taskId, endedBy: null, reason: 'it is no longer held by you, and the feed does not say why' };
  const ending = eventsAfterClaim[index] as BoardEvent;
  if (ending.actor === agent) return null;
  if (eventsAfterClaim.slice(index + 1).some((event) => event.actor === agent)) return null;
  return {
    taskId,
    endedBy: { type: ending.type, actor: ending.actor, at: ending.at, eventId: ending.id },
    reason: describeEnding(ending),
  };
}

function describeEnding(event: BoardEvent): string {
  const by = event.actor;
  switch (event.type) {
    case 'lease_expired':
      return `its lease expired (${String(event.payload.leaseExpiresAt ?? 'no renewal')}) and ${by} reaped it at ${event.at}`;
    case 'task_released':
      return `${by} released it (--force) at ${event.at}`;
    case 'task_completed':
      return `${by} completed it at ${event.at}`;
    case 'task_cancelled':
      return `${by} cancelled it at ${event.at}`;
    case 'task_blocked':
      return `${by} blocked it at ${event.at}${typeof event.payload.reason === 'string' ? ` (${event.payload.reason})` : ''}`;
    case 'task_reopened':
      return `${by} reopened it at ${event.at}`;
    case 'task_claimed':
      return `${by} took it at ${event.at}`;
    default:
      return `${by} moved it to ${String(event.payload.to ?? 'another status')} at ${event.at}`;
  }
}
