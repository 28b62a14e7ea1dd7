import { InvalidInputError } from './errors.js';
import { quoted } from './quoted.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const UNIT_DAYS: Record<string, number> = { d: 1, w: 7 };

/**
 * Parses a due date: an ISO date (`2025-09-01`), an ISO date-time, or a relative offset from
 * `now` (`+3d`, `+2w`, `today`, `tomorrow`). Returns an ISO date (YYYY-MM-DD) or date-time.
 */
export function parseDueDate(input: string, now: Date, field = '--due'): string {
  const text = input.trim().toLowerCase();
  if (text === 'today') return isoDay(now);
  if (text === 'tomorrow') return isoDay(new Date(now.getTime() + DAY_MS));
  const relative = /^\+(\d{1,4})([dw])$/.exec(text);
  if (relative) {
    const days = Number(relative[1]) * (UNIT_DAYS[relative[2] as string] ?? 1);
    return isoDay(new Date(now.getTime() + days * DAY_MS));
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    if (isCalendarDate(text)) return text;
  } else if (/^\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+-]\d{2}:\d{2})$/.test(text)) {
    // `Date` rolls 2025-02-30 over into March, so the day is checked on its own first.
    const parsed = new Date(input.trim());
    if (isCalendarDate(text.slice(0, 10)) && !Number.isNaN(parsed.getTime())) return parsed.toISOString();
  }
  throw new InvalidInputError(
    field,
    `${quoted(input)} is not a date; use YYYY-MM-DD (2025-09-01), an ISO date-time, today, tomorrow, or +Nd / +Nw`,
  );
}

/** `YYYY-MM-DD` names a day that exists (no 2025-02-30). */
function isCalendarDate(text: string): boolean {
  const [year, month, date] = text.split('-').map(Number) as [number, number, number];
  const parsed = new Date(Date.UTC(year, month - 1, date));
  return parsed.getUTCFullYear() === year && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === date;
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
