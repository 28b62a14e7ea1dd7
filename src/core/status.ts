import { BatonError, InvalidInputError } from './errors.js';
import { quoted } from './quoted.js';

export const STATUSES = ['open', 'in_progress', 'review', 'done', 'blocked', 'cancelled', 'failed'] as const;
export type Status = (typeof STATUSES)[number];

/**
 * The legal status transitions. Every status change in baton goes through this table, so a
 * task can never reach a state the rest of the system does not expect.
 */
const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  open: ['in_progress', 'done', 'blocked', 'cancelled'],
  in_progress: ['open', 'review', 'done', 'blocked', 'cancelled', 'failed'],
  review: ['in_progress', 'open', 'done', 'cancelled', 'failed'],
  blocked: ['open', 'cancelled'],
  done: ['open'],
  cancelled: ['open'],
  failed: ['open', 'cancelled'],
};

/** Statuses in which a task is finished and gates nothing. */
export const CLOSED_STATUSES: readonly Status[] = ['done', 'cancelled'];

export function legalTransitions(from: Status): readonly Status[] {
  return TRANSITIONS[from];
}

export function canTransition(from: Status, to: Status): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(taskId: number, from: Status, to: Status): void {
  if (canTransition(from, to)) return;
  const legal = TRANSITIONS[from];
  const reopenable = from === 'done' || from === 'cancelled' || from === 'failed';
  const hint = reopenable ? `; to work on it again, run \`baton reopen ${taskId}\` first` : '';
  throw new BatonError(
    'ILLEGAL_TRANSITION',
    `task #${taskId} is ${from} and cannot become ${to}; from ${from} it can become: ${legal.join(', ')}${hint}`,
    { id: taskId, from, to, legal },
  );
}

export function parseStatus(input: string, field = '--status'): Status {
  const text = input.trim().toLowerCase().replace('-', '_');
  if ((STATUSES as readonly string[]).includes(text)) return text as Status;
  throw new InvalidInputError(field, `unknown status ${quoted(input)}; use one of ${STATUSES.join(', ')}`);
}
