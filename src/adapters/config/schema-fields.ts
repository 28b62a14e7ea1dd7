import * as z from 'zod/mini';
import { parseDurationMs } from '../../core/duration.js';

/*
 * Field builders for the config file's schema. Every schema here carries its own error text, so
 * a user never sees zod's generic wording; config-errors.ts adds the path and the value given.
 * Patterns are written without regex flags because JSON Schema has none.
 *
 * zod/mini rather than zod: the CLI is one eagerly loaded bundle, and the full zod API adds
 * ~430 KB and ~25 ms to every start; what this file uses of zod/mini is ~20 KB.
 */

/** The grammar of core/duration.ts (`90s`, `30m`, `500ms`, bare seconds), case-insensitive. */
export const DURATION_PATTERN = '^\\s*\\d+(\\.\\d+)?([mM][sS]|[sSmMhHdD])?\\s*$';
/** Names a check or a forbidden pattern in feedback, evidence and failure fingerprints. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** `claude`, `codex`, `acp:<command>`, `cmd:<command>`. */
export const AGENT_NAME_PATTERN = /^(claude|codex|(acp|cmd):\S.*)$/;
/** Not an option (no leading `-`) and no whitespace; git checks the rest when the run starts. */
const BRANCH_PATTERN = /^[^\s-]\S*$/;
const NO_GLOB_PATTERN = /^[^*?[\]{}]*$/;

const DURATION_ERROR = 'must be a duration such as 90s, 30m, 2h or 1d (above 0, at most 365d)';
const UNIT_MS: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];

/** A duration as users write it; `defaultMs` is shown to them in the same units. */
export function duration(description: string, defaultMs: number) {
  const shown = formatDurationMs(defaultMs);
  return z.string({ error: DURATION_ERROR }).check(
    z.refine(isDuration, { error: DURATION_ERROR }),
    z.meta({ description: `${description} Default: ${shown}.`, default: shown, pattern: DURATION_PATTERN, examples: ['90s', '30m', '2h'] }),
  );
}

/** `1800000` → `30m`: the largest unit that divides it evenly. */
export function formatDurationMs(ms: number): string {
  const [unit, size] = UNIT_MS.find(([, size]) => ms % size === 0) ?? ['ms', 1];
  return `${ms / size}${unit}`;
}

function isDuration(text: string): boolean {
  try {
    parseDurationMs(text, 'duration');
    return true;
  } catch {
    return false;
  }
}

/** A whole number in `[min, max]`; `orNull` completes the error text when null is allowed too. */
export function wholeNumber(options: { min: number; max?: number; description?: string; defaultValue?: number; orNull?: string }) {
  const { min, max, defaultValue } = options;
  const error = `must be a whole number ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}${options.orNull ? `, or null ${options.orNull}` : ''}`;
  const bounds = max === undefined ? [z.minimum(min, { error })] : [z.minimum(min, { error }), z.maximum(max, { error })];
  const meta = defaultValue === undefined ? { description: options.description } : { description: `${options.description} Default: ${defaultValue}.`, default: defaultValue };
  return z.int({ error }).check(...bounds, ...(options.description === undefined ? [] : [z.meta(meta)]));
}

/** A non-empty string; `what` names it in the error (`a command`, `a directory path`). */
export function text(what: string) {
  const error = `must be ${what}`;
  return z.string({ error }).check(z.minLength(1, { error }), z.refine((value) => value.trim() !== '', { error }));
}

/** A list of globs of repository paths, relative to the repository root. */
export function globs(description: string) {
  return z.array(text('a non-empty glob such as "docs/**"'), { error: 'must be a list of globs such as ["docs/**"]' }).check(z.describe(description));
}

/** A list of paths from the repository root, not globs. */
export function filePaths(description: string) {
  const error = 'must be a file path such as "CHANGELOG.md", not a glob';
  const path = z.string({ error }).check(z.minLength(1, { error }), z.regex(NO_GLOB_PATTERN, { error }));
  return z.array(path, { error: 'must be a list of file paths such as ["CHANGELOG.md"]' }).check(z.describe(description));
}

export function boolean(description: string, defaultValue: boolean) {
  return z.boolean({ error: 'must be true or false' }).check(z.meta({ description: `${description} Default: ${defaultValue}.`, default: defaultValue }));
}

/** An id: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export function id(description: string) {
  const error = 'must be an id of letters, digits, ".", "_" or "-", starting with a letter or digit';
  return z.string({ error }).check(z.regex(ID_PATTERN, { error }), z.describe(description));
}

export function agentName(description: string) {
  const error = 'must be claude, codex, acp:<command> or cmd:<command>';
  return z.string({ error }).check(
    z.regex(AGENT_NAME_PATTERN, { error }),
    z.meta({ description, default: 'claude', examples: ['claude', 'codex', 'acp:gemini --experimental-acp', 'cmd:./scripts/agent.sh'] }),
  );
}

export function branchName() {
  const error = 'must be a branch name such as "main" (no spaces, not starting with "-")';
  return z.string({ error }).check(z.regex(BRANCH_PATTERN, { error }));
}

/** A JavaScript regular expression source; it must compile (`new RegExp(source)`, no flags). */
export function regexSource(description: string) {
  const error = 'must be a regular expression';
  return z.string({ error }).check(
    z.minLength(1, { error }),
    z.superRefine((source, ctx) => {
      const problem = regexProblem(source);
      // `input: undefined` keeps the value out of the error: the engine's message quotes it.
      if (problem) ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${problem}`, input: undefined });
    }),
    z.describe(description),
  );
}

function regexProblem(source: string): string | null {
  try {
    new RegExp(source);
    return null;
  } catch (error) {
    return (error as Error).message.replace(/^Invalid regular expression: /, '');
  }
}

/**
 * A list whose items have ids that must differ. Runs even when some items are invalid (`when`),
 * so a duplicate is reported together with every other error.
 */
export function listWithUniqueIds<T extends z.core.SomeType>(item: T, key: string, what: string, description: string) {
  const findDuplicates = z.superRefine<unknown[]>(
    (items, ctx) => {
      const firstIndex = new Map<string, number>();
      items.forEach((entry, index) => {
        const value = (entry as { id?: unknown } | null)?.id;
        if (typeof value !== 'string') return;
        const first = firstIndex.get(value);
        if (first === undefined) firstIndex.set(value, index);
        else ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate id "${value}"; ${key}[${first}] has it already`, input: undefined });
      });
    },
    { when: (payload) => Array.isArray(payload.value) },
  );
  return z.array(item, { error: `must be a list of ${what}` }).check(findDuplicates, z.describe(description));
}

/** An object that rejects unknown keys; config-errors.ts turns those into "did you mean" hints. */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T, what: string, description: string) {
  return z.strictObject(shape, { error: `must be ${what}` }).check(z.describe(description));
}

/** Optional and nullable: absent takes the default, null says "none" explicitly. */
export function nullable<T extends z.core.SomeType>(schema: T, description: string) {
  return z.optional(z.nullable(schema).check(z.describe(description)));
}
