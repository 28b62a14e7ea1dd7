import { parseManifest, scriptClosure, type PackageManifest } from './package-scripts.js';

/**
 * The part of a shared file that defines a check: package.json holds dependencies beside the
 * `test` script, pyproject.toml a project's metadata beside `[tool.pytest.ini_options]`. Only
 * the part is frozen; the rest of the file stays the task's to change.
 */
export type FilePart =
  /** package.json scripts: these (names or npm-run-all patterns), their pre and post scripts, and the scripts they run. */
  | { kind: 'scripts'; names: string[] }
  /** Top-level keys of a JSON file (`jest` in package.json). */
  | { kind: 'json-keys'; keys: string[] }
  /** Sections of an INI file (`tool:pytest` in setup.cfg); `*` matches anything. */
  | { kind: 'ini-sections'; sections: string[] }
  /** Settings of a TOML file under dotted keys (`tool.pytest`), however the file spells the tables. */
  | { kind: 'toml-keys'; prefixes: string[] }
  /** Everything in a Cargo.toml but its dependency tables. */
  | { kind: 'toml-except-dependencies' };

/** How the part of `path` differs between its base text and its text now, one line per difference; [] when it does not. */
export function partChanges(part: FilePart, path: string, base: string | null, now: string | null): string[] {
  if (base === now) return [];
  switch (part.kind) {
    case 'scripts':
      return scriptChanges(path, part.names, base, now);
    case 'json-keys':
      return jsonKeyChanges(path, part.keys, base, now);
    case 'ini-sections':
      return iniSectionChanges(path, part.sections, base, now);
    case 'toml-keys': {
      const select = (key: string): boolean => part.prefixes.some((prefix) => key === prefix || key.startsWith(`${prefix}.`));
      return sameEntries(base, now, select) ? [] : [`${path}: the settings under ${part.prefixes.map((prefix) => `[${prefix}]`).join(', ')} changed`];
    }
    case 'toml-except-dependencies':
      return sameEntries(base, now, (key) => !isDependencyKey(key)) ? [] : [`${path} changed outside its dependency tables`];
  }
}

const NO_MANIFEST: PackageManifest = { scripts: {}, fields: {} };

function scriptChanges(path: string, roots: readonly string[], base: string | null, now: string | null): string[] {
  const before = base === null ? NO_MANIFEST : parseManifest(base);
  const after = now === null ? NO_MANIFEST : parseManifest(now);
  if (before === null) return [`${path} changed; it was not valid JSON at the base, so all of it defines the checks`];
  if (after === null) return [`${path} is no longer valid JSON`];
  return scriptClosure(path, before.scripts, roots).flatMap((name) => {
    const was = before.scripts[name];
    const is = after.scripts[name];
    if (was === is) return [];
    const label = `${path} script "${name}"`;
    if (was === undefined) return [`${label} was added: \`${is}\``];
    if (is === undefined) return [`${label} was removed (was \`${was}\`)`];
    return [`${label} changed from \`${was}\` to \`${is}\``];
  });
}

function jsonKeyChanges(path: string, keys: readonly string[], base: string | null, now: string | null): string[] {
  const before = base === null ? NO_MANIFEST : parseManifest(base);
  const after = now === null ? NO_MANIFEST : parseManifest(now);
  if (before === null || after === null) return before === after ? [] : [`${path} is ${after === null ? 'no longer' : 'now'} valid JSON`];
  return keys.flatMap((key) => {
    const was = canonicalJson(before.fields[key]);
    const is = canonicalJson(after.fields[key]);
    if (was === is) return [];
    return [`${path} key "${key}" was ${was === undefined ? 'added' : is === undefined ? 'removed' : 'changed'}`];
  });
}

/** JSON with object keys sorted: reordering keys changes nothing. */
function canonicalJson(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

function iniSectionChanges(path: string, patterns: readonly string[], base: string | null, now: string | null): string[] {
  const matchers = patterns.map((pattern) => new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
  const before = iniSections(base ?? '');
  const after = iniSections(now ?? '');
  const names = [...new Set([...before.keys(), ...after.keys()])].filter((name) => matchers.some((matcher) => matcher.test(name)));
  return names.flatMap((name) => {
    const was = before.get(name);
    const is = after.get(name);
    if (was === is) return [];
    return [`${path} section [${name}] was ${was === undefined ? 'added' : is === undefined ? 'removed' : 'changed'}`];
  });
}

/** Each section's settings, trimmed, without comments and blank lines. */
export function iniSections(text: string): Map<string, string> {
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      const name = (header[1] as string).trim();
      current = sections.get(name) ?? [];
      sections.set(name, current);
    } else current?.push(line);
  }
  return new Map([...sections].map(([name, lines]) => [name, lines.join('\n')]));
}

function sameEntries(base: string | null, now: string | null, select: (key: string) => boolean): boolean {
  const pick = (text: string | null): string =>
    tomlEntries(text ?? '')
      .filter((entry) => select(entry.key))
      .map((entry) => entry.line)
      .join('\n');
  return pick(base) === pick(now);
}

function isDependencyKey(key: string): boolean {
  const segments = key.split('.');
  return segments[0] === 'patch' || segments[0] === 'replace' || segments.some((segment) => /^(dev-|build-)?dependencies$/.test(segment));
}

/**
 * The lines of a TOML file, each with the full dotted key it sets (a table header counts as its
 * table's key): `[tool]` then `pytest.ini_options.addopts = ...` sets `tool.pytest.ini_options.addopts`.
 * Lines of a multi-line array or string belong to the key they continue. Not a full TOML parser:
 * enough to tell which settings a line touches.
 */
export function tomlEntries(text: string): { key: string; line: string }[] {
  const entries: { key: string; line: string }[] = [];
  let table = '';
  let key = '';
  let depth = 0;
  let openString: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (openString !== null || depth > 0) {
      entries.push({ key, line });
      const scanned = scanValue(line, openString);
      openString = scanned.open;
      depth += bracketDepth(scanned.code);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[\[?\s*(.+?)\s*\]\]?\s*(#.*)?$/.exec(line);
    const equals = header ? -1 : topLevelEquals(line);
    if (header) table = key = dottedKey(header[1] as string);
    else if (equals > 0) {
      const name = dottedKey(line.slice(0, equals));
      key = table === '' ? name : `${table}.${name}`;
      const scanned = scanValue(line.slice(equals + 1), null);
      openString = scanned.open;
      depth = bracketDepth(scanned.code);
    }
    entries.push({ key, line });
  }
  return entries;
}

/** `"tool" . pytest` → `tool.pytest`: dots inside quotes do not split. */
function dottedKey(text: string): string {
  const parts = text.match(/"[^"]*"|'[^']*'|[^.]+/g) ?? [];
  return parts.map((part) => part.trim().replace(/^["']|["']$/g, '')).join('.');
}

function topLevelEquals(line: string): number {
  let quote: string | null = null;
  for (let index = 0; index < line.length; index++) {
    const char = line[index] as string;
    if (quote !== null) quote = char === quote ? null : quote;
    else if (char === '"' || char === "'") quote = char;
    else if (char === '=') return index;
  }
  return -1;
}

/**
 * One line of a value, read from `open` (the multi-line string it starts inside, or null):
 * `code` is what lies outside strings and the comment, `open` the multi-line string still open
 * at its end. A `"""` in a comment opens nothing (`x = 1 # """` ends the value).
 */
function scanValue(line: string, open: string | null): { code: string; open: string | null } {
  let code = '';
  let quote = open;
  for (let index = 0; index < line.length; index++) {
    const rest = line.slice(index);
    if (quote === null) {
      if (rest.startsWith('#')) break;
      quote = ['"""', "'''", '"', "'"].find((candidate) => rest.startsWith(candidate)) ?? null;
      if (quote === null) code += line[index];
      else index += quote.length - 1;
    } else if (quote !== "'" && quote !== "'''" && line[index] === '\\') {
      index += 1;
    } else if (rest.startsWith(quote)) {
      index += quote.length - 1;
      quote = null;
    }
  }
  return { code, open: quote === '"""' || quote === "'''" ? quote : null };
}

/** Opening minus closing brackets and braces in code (strings and comments taken out). */
function bracketDepth(code: string): number {
  return count(code, '[') + count(code, '{') - count(code, ']') - count(code, '}');
}

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}
