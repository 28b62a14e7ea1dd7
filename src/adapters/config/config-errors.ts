import type * as z from 'zod/mini';

/** One problem in the config file, at a path written as in the file (`checks[1].run`). */
export interface ConfigFieldError {
  path: string;
  message: string;
}

const MAX_SHOWN_VALUE = 60;

/**
 * Turns zod's issues into one error per field: "required" for a missing key, one entry per
 * unknown key with the closest known key as a hint, and the offending value appended. The
 * schema is walked to learn which keys an object takes at the issue's path. One error per path.
 */
export function configFieldErrors(issues: readonly z.core.$ZodIssue[], schema: z.core.$ZodType): ConfigFieldError[] {
  const errors: ConfigFieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) errors.push({ path: formatPath([...issue.path, key]), message: unknownKeyMessage(key, known) });
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      errors.push({ path: formatPath(issue.path), message: 'required' });
    } else {
      const shown = 'input' in issue && issue.input !== undefined ? ` (got ${showValue(issue.input)})` : '';
      errors.push({ path: formatPath(issue.path), message: `${issue.message}${shown}` });
    }
  }
  // A value can fail several checks that say the same thing (a string both empty and blank).
  const seen = new Set<string>();
  return errors.filter((error) => (seen.has(error.path) ? false : (seen.add(error.path), true)));
}

/** `['checks', 1, 'run']` → `checks[1].run`; the empty path is the file itself. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(key))) out += out === '' ? String(key) : `.${String(key)}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === '' ? '(top level)' : out;
}

function showValue(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > MAX_SHOWN_VALUE ? `${json.slice(0, MAX_SHOWN_VALUE - 3)}...` : json;
}

function unknownKeyMessage(key: string, known: string[]): string {
  const suggestion = closestKey(key, known);
  if (suggestion !== null) return `unknown key; did you mean "${suggestion}"?`;
  return known.length > 0 ? `unknown key; known keys here: ${known.join(', ')}` : 'unknown key';
}

/**
 * The known key a misspelt one most likely meant: same letters in another case, a known key
 * inside it (`extraArgs` → `args`), or at most a third of its letters away.
 */
export function closestKey(key: string, known: readonly string[]): string | null {
  const lower = key.toLowerCase();
  const exact = known.find((candidate) => candidate.toLowerCase() === lower);
  if (exact) return exact;
  let best: { key: string; distance: number } | null = null;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= Math.max(1, Math.floor(candidate.length / 3)) && (best === null || distance < best.distance)) best = { key: candidate, distance };
  }
  if (best) return best.key;
  return known.find((candidate) => candidate.length >= 4 && lower.includes(candidate.toLowerCase())) ?? null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** What the walk below reads of a schema's definition. */
interface Def {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  innerType?: z.core.$ZodType;
}

/** The keys the object at `path` takes, looking through optional, nullable and list wrappers. */
function knownKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.core.$ZodType | undefined = unwrap(schema);
  for (const key of path) {
    const def: Def = node._zod.def;
    if (def.type === 'object') node = def.shape?.[String(key)];
    else if (def.type === 'array') node = def.element;
    else return [];
    if (node === undefined) return [];
    node = unwrap(node);
  }
  const def: Def = node._zod.def;
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let node = schema;
  for (;;) {
    const def: Def = node._zod.def;
    if ((def.type !== 'optional' && def.type !== 'nullable') || !def.innerType) return node;
    node = def.innerType;
  }
}
