import { InvalidInputError } from './errors.js';
import { quoted } from './quoted.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90s`, `30m`, `2h`, `1d`, `500ms`; a bare number means seconds. */
export function parseDurationMs(input: string, field: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(input.trim().toLowerCase());
  const amount = match ? Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1000)) : NaN;
  if (!match || !(amount > 0) || amount > 365 * UNIT_MS.d!) {
    throw new InvalidInputError(field, `${quoted(input)} is not a duration; use e.g. 90s, 30m, 2h or 1d`);
  }
  return amount;
}
