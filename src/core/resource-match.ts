import { normaliseFilePath } from './resource.js';

/*
 * When do two resource names of the same KIND stand for overlapping things?
 *
 * - file: paths inside the repository. `*` matches within one path segment, `**` across
 *   segments (`**` followed by `/` also matches no directory at all), `?` one character other
 *   than `/`. A path also covers everything below it: `src/auth`, `src/auth/` and
 *   `src/auth/**` all overlap `src/auth/login.ts` (git cannot hold a file and a directory of
 *   the same name, so a name that has something below it is a directory).
 * - endpoint: `METHOD /path`. The methods must be equal or one of them `*` (a bare path);
 *   every path parameter matches every other (`/users/:id` ≡ `/users/{userId}`) but not a
 *   literal segment (`/users/me` is another route); `*`, `**`, `?` as for files, no prefixes.
 * - any other kind (table, module, symbol, config...): the whole name, where `*` and `**`
 *   match any run of characters and `?` any one character.
 *
 * Wildcards may appear on either side, or both: two globs match when some name matches both.
 * There is no escaping: `*` and `?` are always wildcards. A glob that matches nothing yet is
 * allowed — a task may declare a file it is about to create — it simply overlaps nothing
 * until something with a matching name appears.
 */

/** Token codes: a literal is its UTF-16 code unit (>= 0); wildcards are negative. */
const ONE_IN_SEGMENT = -1; // `?` in a path
const ONE_ANY = -2; // `?` in a flat name
const STAR = -3; // `*` in a path: a run without `/`
const GLOBSTAR = -4; // `**`, or `*` in a flat name: any run
const SLASH = 47;

/** A name prepared for matching (see `Entry`). */
interface MatchName {
  /** For endpoints, the path with every parameter written `:`; for files, no trailing `/`. */
  readonly key: string;
  readonly method: string;
  readonly glob: boolean;
  /** The key up to its first wildcard: two names can only overlap if one's starts the other's. */
  readonly literalPrefix: string;
}

interface Pattern {
  tokens: Int32Array;
  /** An extra empty move from a token: past `**` and its `/`, or over a file's optional tail. */
  jump: Int32Array;
}

/** Whether two normalised names (as `parseResource` produces them) of `kind` overlap. */
export function resourceNamesMatch(kind: string, a: string, b: string): boolean {
  return namesOverlap(kind, matchName(kind, a), matchName(kind, b));
}

/** Whether a normalised name holds a wildcard (an endpoint for any method counts as one). */
export function isResourcePattern(kind: string, name: string): boolean {
  const prepared = matchName(kind, name);
  return prepared.glob || prepared.method === '*';
}

/**
 * Of two overlapping names, which says more: negative when `a` does, positive when `b` does,
 * 0 when neither. A plain name says more than a glob, a file more than the directory that
 * holds it, a method more than `*`.
 */
export function compareSpecificity(kind: string, a: string, b: string): number {
  const [ma, mb] = [matchName(kind, a), matchName(kind, b)];
  if (ma.glob !== mb.glob) return ma.glob ? 1 : -1;
  if (kind === 'endpoint' && ma.method !== mb.method && (ma.method === '*' || mb.method === '*')) return ma.method === '*' ? 1 : -1;
  if (kind === 'file' && !ma.glob) return isBelow(ma.key, mb.key) ? -1 : isBelow(mb.key, ma.key) ? 1 : 0;
  return 0;
}

/** Of two overlapping names, the one that says more; `a` when neither does. */
export function narrowerName(kind: string, a: string, b: string): string {
  return compareSpecificity(kind, a, b) > 0 ? b : a;
}

/**
 * Resource names of many tasks, looked up by overlap without comparing every pair: plain names
 * sit in a map by kind and key (files also answer for the directories above and below them);
 * globs sit in a list per kind that is filtered by literal prefix before a full match.
 */
export class ResourceIndex<T> {
  private readonly shelves = new Map<string, Shelf<T>>();

  add(kind: string, name: string, value: T): void {
    let shelf = this.shelves.get(kind);
    if (!shelf) {
      shelf = { exact: new Map(), globs: [], sortedKeys: null };
      this.shelves.set(kind, shelf);
    }
    const entry = new Entry(kind, name, value);
    if (entry.glob) {
      shelf.globs.push(entry);
      return;
    }
    const list = shelf.exact.get(entry.key);
    if (list) list.push(entry);
    else {
      shelf.exact.set(entry.key, [entry]);
      shelf.sortedKeys = null;
    }
  }

  /** Every value added under a name of `kind` that overlaps `name`. */
  matches(kind: string, name: string): T[] {
    const shelf = this.shelves.get(kind);
    if (!shelf) return [];
    const probe = new Entry(kind, name, null);
    const found: T[] = [];
    const take = (entry: Entry<T>, check: boolean): void => {
      if (!methodsMatch(probe.method, entry.method)) return;
      if (check && !patternsOverlap(kind, probe, entry)) return;
      found.push(entry.value);
    };
    if (probe.glob) this.plainUnderPattern(kind, shelf, probe, take);
    else this.plainNear(kind, shelf, probe.key, take);
    for (const entry of shelf.globs) {
      if (prefixesCompatible(probe.literalPrefix, entry.literalPrefix)) take(entry, true);
    }
    return found;
  }

  /** The plain names equal to `key`, and for files the directories above and paths below it. */
  private plainNear(kind: string, shelf: Shelf<T>, key: string, take: (entry: Entry<T>, check: boolean) => void): void {
    for (const entry of shelf.exact.get(key) ?? []) take(entry, false);
    if (kind !== 'file') return;
    for (let slash = key.indexOf('/'); slash > 0; slash = key.indexOf('/', slash + 1)) {
      for (const entry of shelf.exact.get(key.slice(0, slash)) ?? []) take(entry, false);
    }
    // Every key below `key/` sorts between `key/` and `key0` ('0' follows '/').
    this.eachKeyBetween(shelf, `${key}/`, `${key}0`, (entries) => entries.forEach((entry) => take(entry, false)));
  }

  /** Plain names a glob probe can match: those starting with its literal prefix, and for files the directories above it. */
  private plainUnderPattern(kind: string, shelf: Shelf<T>, probe: Entry<null>, take: (entry: Entry<T>, check: boolean) => void): void {
    const prefix = probe.literalPrefix;
    this.eachKeyBetween(shelf, prefix, `${prefix}\uffff`, (entries) => entries.forEach((entry) => take(entry, true)));
    if (kind !== 'file') return;
    for (let slash = prefix.indexOf('/'); slash > 0; slash = prefix.indexOf('/', slash + 1)) {
      for (const entry of shelf.exact.get(prefix.slice(0, slash)) ?? []) take(entry, true);
    }
  }

  private eachKeyBetween(shelf: Shelf<T>, from: string, to: string, visit: (entries: readonly Entry<T>[]) => void): void {
    shelf.sortedKeys ??= [...shelf.exact.keys()].sort();
    const keys = shelf.sortedKeys;
    for (let index = lowerBound(keys, from); index < keys.length && (keys[index] as string) < to; index++) {
      visit(shelf.exact.get(keys[index] as string) as Entry<T>[]);
    }
  }
}

/** A name prepared for matching, with what it stands for. */
class Entry<T> implements MatchName {
  readonly key: string;
  /** The endpoint's method (`*` for any); '' for other kinds. */
  readonly method: string;
  readonly glob: boolean;
  readonly literalPrefix: string;
  pattern: Pattern | null = null;

  constructor(
    kind: string,
    name: string,
    readonly value: T,
  ) {
    let key = name;
    let method = '';
    if (kind === 'endpoint') {
      const space = name.indexOf(' ');
      method = space < 0 ? '*' : name.slice(0, space).toUpperCase();
      key = space < 0 ? name : name.slice(space + 1).trimStart();
      if (key.includes('/:')) key = key.replace(/\/:[^/]*/g, '/:');
    } else if (kind === 'file') {
      // Stored names are normalised already; only a name typed by hand needs the work.
      if (key.includes('\\') || key.includes('//') || key.startsWith('./')) key = normaliseFilePath(key);
      if (key.endsWith('/')) key = key.replace(/\/+$/, '');
    }
    const star = key.indexOf('*');
    const question = key.indexOf('?');
    const wildcard = star < 0 ? question : question < 0 ? star : Math.min(star, question);
    this.key = key;
    this.method = method;
    this.glob = wildcard >= 0;
    this.literalPrefix = wildcard < 0 ? key : key.slice(0, wildcard);
  }
}

interface Shelf<T> {
  exact: Map<string, Entry<T>[]>;
  globs: Entry<T>[];
  /** The keys of `exact`, sorted for range scans; rebuilt after a new key arrives. */
  sortedKeys: string[] | null;
}

function lowerBound(sorted: readonly string[], value: string): number {
  let [low, high] = [0, sorted.length];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as string) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function matchName(kind: string, name: string): MatchName {
  return new Entry(kind, name, null);
}

function methodsMatch(a: string, b: string): boolean {
  return a === b || a === '*' || b === '*';
}

/** Whether `path` lies inside the directory `dir`. */
function isBelow(path: string, dir: string): boolean {
  return path.length > dir.length && path.startsWith(dir) && path.charCodeAt(dir.length) === SLASH;
}

function prefixesCompatible(a: string, b: string): boolean {
  return a.length <= b.length ? b.startsWith(a) : a.startsWith(b);
}

function namesOverlap(kind: string, a: MatchName, b: MatchName): boolean {
  if (!methodsMatch(a.method, b.method)) return false;
  if (!a.glob && !b.glob) {
    return a.key === b.key || (kind === 'file' && (isBelow(a.key, b.key) || isBelow(b.key, a.key)));
  }
  return prefixesCompatible(a.literalPrefix, b.literalPrefix) && patternsOverlap(kind, { key: a.key, pattern: null }, { key: b.key, pattern: null });
}

function patternsOverlap(kind: string, a: { key: string; pattern: Pattern | null }, b: { key: string; pattern: Pattern | null }): boolean {
  a.pattern ??= compile(kind, a.key);
  b.pattern ??= compile(kind, b.key);
  return intersects(a.pattern, b.pattern);
}

function compile(kind: string, key: string): Pattern {
  const inPath = kind === 'file' || kind === 'endpoint';
  const tokens: number[] = [];
  const jump: number[] = [];
  for (let index = 0; index < key.length; index++) {
    const char = key[index];
    if (char === '*') {
      const double = key[index + 1] === '*';
      if (double) index++;
      const beforeSlash = double && inPath && key[index + 1] === '/';
      // `**/` may match no directory at all: allow a move past the `/` that follows.
      jump.push(beforeSlash ? tokens.length + 2 : -1);
      tokens.push(double || !inPath ? GLOBSTAR : STAR);
    } else if (char === '?') {
      jump.push(-1);
      tokens.push(inPath ? ONE_IN_SEGMENT : ONE_ANY);
    } else {
      jump.push(-1);
      tokens.push(key.charCodeAt(index));
    }
  }
  if (kind === 'file') {
    // The optional tail `/**` that makes a path cover everything below it.
    const end = tokens.length + 2;
    tokens.push(SLASH, GLOBSTAR);
    jump.push(end, -1);
  }
  return { tokens: Int32Array.from(tokens), jump: Int32Array.from(jump) };
}

/** Whether some string matches both patterns: a search over pairs of positions, one in each. */
function intersects(a: Pattern, b: Pattern): boolean {
  const [n, m] = [a.tokens.length, b.tokens.length];
  const width = m + 1;
  const seen = new Uint8Array((n + 1) * width);
  const stack = [0];
  seen[0] = 1;
  const visit = (i: number, j: number): void => {
    const state = i * width + j;
    if (seen[state] === 0) {
      seen[state] = 1;
      stack.push(state);
    }
  };
  while (stack.length > 0) {
    const state = stack.pop() as number;
    const i = Math.floor(state / width);
    const j = state - i * width;
    if (i === n && j === m) return true;
    if (i < n) {
      const token = a.tokens[i] as number;
      if (token <= STAR) visit(i + 1, j);
      if ((a.jump[i] as number) >= 0) visit(a.jump[i] as number, j);
    }
    if (j < m) {
      const token = b.tokens[j] as number;
      if (token <= STAR) visit(i, j + 1);
      if ((b.jump[j] as number) >= 0) visit(i, b.jump[j] as number);
    }
    if (i < n && j < m) {
      const [x, y] = [a.tokens[i] as number, b.tokens[j] as number];
      if (!sameCharPossible(x, y)) continue;
      const [nextI, nextJ] = [x <= STAR ? i : i + 1, y <= STAR ? j : j + 1];
      if (nextI !== i || nextJ !== j) visit(nextI, nextJ);
    }
  }
  return false;
}

/** Whether one character can satisfy both tokens. */
function sameCharPossible(x: number, y: number): boolean {
  if (x >= 0 && y >= 0) return x === y;
  if (x >= 0) return x !== SLASH || (y !== ONE_IN_SEGMENT && y !== STAR);
  if (y >= 0) return y !== SLASH || (x !== ONE_IN_SEGMENT && x !== STAR);
  return true;
}
