import { BatonError } from '../core/errors.js';
import { quoted } from '../core/quoted.js';

export type OptionKind = 'boolean' | 'string' | 'list';

/**
 * One flag of a command. `list` flags may repeat; their values collect in order. A `string`
 * flag is given at most once: `-p 9 -p 1` would otherwise keep one of the two without a word.
 */
export interface OptionSpec {
  name: string;
  short?: string;
  kind: OptionKind;
  /** Placeholder shown in help, e.g. `ID`. */
  value?: string;
  help: string;
  /** Flags that say the opposite (`--unassign` of `--assignee`): given together, refused. */
  conflicts?: readonly string[];
  /** A flag this one only qualifies (`--reason` of `--force`): without it, refused rather than ignored. */
  requires?: string;
}

export interface ArgSpec {
  name: string;
  required: boolean;
  variadic?: boolean;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedArgs {
  args: string[];
  options: OptionValues;
}

export class UsageError extends BatonError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/**
 * Parses argv for one command against its option table: `--name value`, `--name=value`,
 * `-x value`, `--` to end options. Refuses unknown flags and stray arguments with a hint.
 */
export function parseArgs(argv: readonly string[], options: readonly OptionSpec[], argSpecs: readonly ArgSpec[], usage: string): ParsedArgs {
  const byName = new Map(options.map((option) => [option.name, option]));
  const byShort = new Map(options.filter((option) => option.short).map((option) => [option.short as string, option]));
  const values: OptionValues = {};
  const args: string[] = [];
  let lastValueOption: { option: OptionSpec; value: string; index: number } | undefined;
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index] as string;
    if (token === '--') {
      args.push(...argv.slice(index + 1));
      break;
    }
    if (!token.startsWith('-') || token === '-' || /^-\d/.test(token)) {
      if (lastValueOption && lastValueOption.index === index - 1 && args.length >= maxArgs(argSpecs)) {
        const { option, value } = lastValueOption;
        throw new UsageError(
          `unexpected argument ${quoted(token)} after --${option.name} ${quoted(value)}; if it is part of that value, quote the whole value: ` +
            `--${option.name} ${quoted(`${value} ${token}`)}`,
        );
      }
      args.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const flag = eq > 0 ? token.slice(0, eq) : token;
    const option = flag.startsWith('--') ? byName.get(flag.slice(2)) : byShort.get(flag.slice(1));
    if (!option) throw new UsageError(`unknown option ${quoted(flag)}${suggest(flag, options)}; ${usage}`);
    if (option.kind === 'boolean') {
      if (eq > 0) throw new UsageError(`--${option.name} takes no value`);
      values[option.name] = true;
      continue;
    }
    let value: string;
    if (eq > 0) value = token.slice(eq + 1);
    else {
      const next = argv[index + 1];
      // `--due --json` is a forgotten value, not a date called "--json".
      if (next === undefined || isKnownOption(next, byName)) {
        throw new UsageError(`--${option.name} needs a value (${option.value ?? 'VALUE'})`);
      }
      value = next;
      index++;
    }
    lastValueOption = { option, value, index };
    if (option.kind === 'list') values[option.name] = [...((values[option.name] as string[] | undefined) ?? []), value];
    else values[option.name] = onlyValue(option, values[option.name] as string | undefined, value);
  }
  checkCombinations(values, options);
  checkArgCount(args, argSpecs, usage);
  return { args, options: values };
}

/** A single-value flag given twice is ambiguous: which one did the user mean? */
function onlyValue(option: OptionSpec, earlier: string | undefined, value: string): string {
  if (earlier === undefined) return value;
  throw new UsageError(
    `--${option.name} is given twice (${quoted(earlier)}, then ${quoted(value)}) and takes one value; keep the one you mean` +
      (option.short ? ` (-${option.short} is the same option)` : ''),
  );
}

/** Flags that contradict each other, or qualify one that is missing, are refused by name. */
function checkCombinations(values: OptionValues, options: readonly OptionSpec[]): void {
  const given = (name: string): boolean => values[name] !== undefined;
  for (const option of options) {
    if (!given(option.name)) continue;
    const other = option.conflicts?.find(given);
    if (other !== undefined) {
      throw new UsageError(`--${option.name} and --${other} cannot go together; give one of them`);
    }
    if (option.requires !== undefined && !given(option.requires)) {
      throw new UsageError(`--${option.name} only goes with --${option.requires}; add --${option.requires}, or leave --${option.name} out`);
    }
  }
}

function isKnownOption(token: string, byName: ReadonlyMap<string, OptionSpec>): boolean {
  return token.startsWith('--') && byName.has(token.slice(2).split('=')[0] as string);
}

function maxArgs(specs: readonly ArgSpec[]): number {
  return specs.some((spec) => spec.variadic) ? Number.POSITIVE_INFINITY : specs.length;
}

function checkArgCount(args: readonly string[], specs: readonly ArgSpec[], usage: string): void {
  const required = specs.filter((spec) => spec.required).length;
  if (args.length < required) {
    const missing = specs.filter((spec) => spec.required).slice(args.length).map((spec) => spec.name);
    throw new UsageError(`missing ${missing.join(' and ')}; ${usage}`);
  }
  if (args.length > maxArgs(specs)) {
    const extra = args.slice(specs.length);
    throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((a) => `${quoted(a)}`).join(' ')}; quote values that contain spaces; ${usage}`);
  }
}

function suggest(flag: string, options: readonly OptionSpec[]): string {
  const name = flag.replace(/^-+/, '');
  const best = closest(name, options.map((option) => option.name));
  return best ? ` (did you mean --${best}?)` : '';
}

/** The closest candidate within a small edit distance, for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance >= bestDistance) continue;
    best = candidate;
    bestDistance = distance;
  }
  return best;
}

/** Edit distance counting a swap of two neighbours as one edit, the commonest typo (`lsit`). */
function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (beforePrevious[j - 2] as number) + 1);
      current[j] = best;
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] as number;
}
