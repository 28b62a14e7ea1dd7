import { InvalidInputError } from './errors.js';
import { quoted } from './quoted.js';

export const TASK_KINDS = ['task', 'bug', 'feature', 'chore', 'idea'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export function parseKind(input: string, field = '--kind'): TaskKind {
  const text = input.trim().toLowerCase();
  if ((TASK_KINDS as readonly string[]).includes(text)) return text as TaskKind;
  throw new InvalidInputError(field, `unknown kind ${quoted(input)}; use one of ${TASK_KINDS.join(', ')}`);
}
