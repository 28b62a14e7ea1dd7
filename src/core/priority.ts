import { InvalidInputError } from './errors.js';
import { quoted } from './quoted.js';

export type Priority = 0 | 1 | 2 | 3 | 4;

export const PRIORITY_NAMES = ['critical', 'high', 'medium', 'low', 'backlog'] as const;
export const DEFAULT_PRIORITY: Priority = 2;

/** Accepts 0-4 or a name (`critical|high|medium|low|backlog`); 0 is the most urgent. */
export function parsePriority(input: string, field = '--priority'): Priority {
  const text = input.trim().toLowerCase();
  if (/^[0-4]$/.test(text)) return Number(text) as Priority;
  const index = (PRIORITY_NAMES as readonly string[]).indexOf(text);
  if (index >= 0) return index as Priority;
  throw new InvalidInputError(
    field,
    `unknown priority ${quoted(input)}; use 0-4 (0 most urgent) or one of ${PRIORITY_NAMES.join(', ')}`,
  );
}

export function priorityName(priority: Priority): string {
  return PRIORITY_NAMES[priority];
}
