import { InvalidInputError } from './errors.js';
import { quoted } from './quoted.js';

/** Task ids are short positive integers; `#12` is accepted as well as `12`. */
export function parseTaskId(input: string, field = 'ID'): number {
  const text = input.trim().replace(/^#/, '');
  if (!/^\d{1,15}$/.test(text) || Number(text) === 0) {
    throw new InvalidInputError(field, `${quoted(input)} is not a task id; ids are positive whole numbers like 12`);
  }
  return Number(text);
}
