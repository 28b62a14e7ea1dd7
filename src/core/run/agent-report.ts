/**
 * The report the agent is asked to write at `.baton/report.json`: what it did, in its own
 * words. Baton keeps it with the evidence and puts it in the commit message; it never takes
 * it as proof that the task is done (the checks decide that).
 */
export interface AgentReport {
  /** What was done, for the person reviewing. */
  summary: string;
  /** One entry per change made. */
  changes: string[];
  /** Tests added or run. */
  tests: string[];
  /** Anything the reviewer should know: doubts, follow-ups, things left out. */
  notes: string | null;
}

export type ReportReading = { kind: 'valid'; report: AgentReport } | { kind: 'missing' } | { kind: 'invalid'; errors: string[] };

export const MAX_REPORT_SUMMARY_CHARS = 2_000;

/** Shown to the agent in the prompt; valid by `readAgentReport` (a test holds it to that). */
export const REPORT_EXAMPLE = `${JSON.stringify(
  {
    summary: 'Rate-limited POST /api/login to 5 attempts per minute per IP.',
    changes: ['src/auth/rate-limit.ts: new sliding-window limiter', 'src/auth/login.ts: reject with 429 over the limit'],
    tests: ['src/auth/rate-limit.test.ts: limiter allows 5, rejects the 6th, resets after a minute'],
    notes: 'The limit is hard-coded; a config option may be wanted later.',
  },
  null,
  2,
)}`;

/**
 * Reads the report file's text (null: no file). Hand-checked, as the core uses no schema
 * library: a JSON object whose `summary` is a non-empty string of at most 2000 characters,
 * `changes` and `tests` lists of strings (absent: empty), `notes` a string or null (absent:
 * null). Other keys are tolerated. Every error names its field.
 */
export function readAgentReport(text: string | null): ReportReading {
  if (text === null) return { kind: 'missing' };
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') return { kind: 'invalid', errors: ['report: the file is empty; write a JSON object'] };
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    return { kind: 'invalid', errors: [`report: not valid JSON (${(error as Error).message})`] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', errors: [`report: must be a JSON object, not ${describe(value)}`] };
  }
  const fields = value as Record<string, unknown>;
  const errors: string[] = [];
  const summary = readSummary(fields.summary, errors);
  const changes = readStrings('changes', fields.changes, errors);
  const tests = readStrings('tests', fields.tests, errors);
  const notes = readNotes(fields.notes, errors);
  if (errors.length > 0) return { kind: 'invalid', errors };
  return { kind: 'valid', report: { summary, changes, tests, notes } };
}

function readSummary(value: unknown, errors: string[]): string {
  if (typeof value !== 'string') {
    errors.push(value === undefined ? 'summary: missing; say in a sentence or two what was done' : `summary: must be a string, not ${describe(value)}`);
    return '';
  }
  const summary = value.trim();
  if (summary === '') errors.push('summary: is empty; say in a sentence or two what was done');
  if (summary.length > MAX_REPORT_SUMMARY_CHARS) errors.push(`summary: is ${summary.length} characters, over the limit of ${MAX_REPORT_SUMMARY_CHARS}`);
  return summary;
}

function readStrings(field: string, value: unknown, errors: string[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push(`${field}: must be a list of strings, not ${describe(value)}`);
    return [];
  }
  value.forEach((item, index) => {
    if (typeof item !== 'string') errors.push(`${field}[${index}]: must be a string, not ${describe(item)}`);
  });
  return value.filter((item): item is string => typeof item === 'string');
}

function readNotes(value: unknown, errors: string[]): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    errors.push(`notes: must be a string, not ${describe(value)}`);
    return null;
  }
  return value.trim() === '' ? null : value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
