/** One `key = value` line of a git config file; `value` is null for a bare `key` (git's boolean true). */
export interface GitConfigEntry {
  /** As git names it: section and key lower-cased, subsection as written (`user.name`, `remote.origin.url`). */
  key: string;
  value: string | null;
}

/**
 * The entries of a git config file, in order, or null where git would refuse a line (or we
 * cannot be sure what git would make of it). A line-by-line port of git's own parser
 * (config.c: git_parse_source, get_base_var, get_value, parse_value), so that a value read
 * here is the one `git config` prints.
 */
export function parseGitConfig(text: string): GitConfigEntry[] | null {
  const source = `${text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n')}\n`;
  const entries: GitConfigEntry[] = [];
  let at = 0;
  let section: string | null = null;
  let comment = false;
  while (at < source.length) {
    const c = source[at++] as string;
    if (c === '\n') {
      comment = false;
      continue;
    }
    if (comment || isSpace(c)) continue;
    if (c === '#' || c === ';') {
      comment = true;
      continue;
    }
    if (c === '[') {
      const header = parseSectionHeader(source, at);
      if (header === null) return null;
      section = header.name;
      at = header.next;
      continue;
    }
    if (!/[A-Za-z]/.test(c) || section === null) return null;
    const entry = parseEntry(source, at - 1);
    if (entry === null) return null;
    entries.push({ key: `${section}.${entry.name}`, value: entry.value });
    at = entry.next;
  }
  return entries;
}

/** `[section]`, `[section "subsection"]` or the older `[section.subsection]`, from just after the `[`. */
function parseSectionHeader(source: string, start: number): { name: string; next: number } | null {
  let name = '';
  let at = start;
  for (;;) {
    const c = source[at++];
    if (c === undefined || c === '\n') return null;
    if (c === ']') return name === '' ? null : { name, next: at };
    if (isSpace(c)) break;
    if (!isKeyChar(c) && c !== '.') return null;
    name += c.toLowerCase();
  }
  let c = source[at - 1] as string;
  while (isSpace(c)) {
    if (c === '\n') return null;
    c = source[at++] ?? '\n';
  }
  if (c !== '"') return null;
  name += '.';
  for (;;) {
    let next = source[at++] ?? '\n';
    if (next === '\n') return null;
    if (next === '"') break;
    if (next === '\\') {
      next = source[at++] ?? '\n';
      if (next === '\n') return null;
    }
    name += next;
  }
  if (source[at++] !== ']') return null;
  return name === '' ? null : { name, next: at };
}

function parseEntry(source: string, start: number): { name: string; value: string | null; next: number } | null {
  let name = '';
  let at = start;
  let c = source[at++] as string;
  while (isKeyChar(c)) {
    name += c.toLowerCase();
    c = source[at++] ?? '\n';
  }
  while (c === ' ' || c === '\t') c = source[at++] ?? '\n';
  if (c === '\n') return { name, value: null, next: at };
  if (c !== '=') return null;
  const parsed = parseValue(source, at);
  return parsed === null ? null : { name, value: parsed.value, next: parsed.next };
}

/** git's parse_value: quotes, the escapes \\ \" \n \t \b, continued lines, comments, trimmed whitespace. */
function parseValue(source: string, start: number): { value: string; next: number } | null {
  let value = '';
  let quote = false;
  let comment = false;
  let trimTo = 0;
  let at = start;
  for (;;) {
    let c = source[at++] ?? '\n';
    if (c === '\n') {
      if (quote) return null;
      return { value: trimTo > 0 ? value.slice(0, trimTo) : value, next: at };
    }
    if (comment) continue;
    if (isSpace(c) && !quote) {
      if (trimTo === 0) trimTo = value.length;
      if (value.length > 0) value += c;
      continue;
    }
    if (!quote && (c === ';' || c === '#')) {
      comment = true;
      continue;
    }
    trimTo = 0;
    if (c === '\\') {
      c = source[at++] ?? '\n';
      if (c === '\n') continue;
      const escaped = ESCAPES[c];
      if (escaped === undefined) return null;
      value += escaped;
      continue;
    }
    if (c === '"') {
      quote = !quote;
      continue;
    }
    value += c;
  }
}

const ESCAPES: Readonly<Record<string, string>> = { t: '\t', b: '\b', n: '\n', '\\': '\\', '"': '"' };

/** C's isspace in the C locale. */
function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

function isKeyChar(c: string): boolean {
  return /^[A-Za-z0-9-]$/.test(c);
}
