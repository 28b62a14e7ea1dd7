/*
 * Some languages keep tests beside the code, in the same file: Rust's `#[cfg(test)] mod tests
 * { ... }` at the bottom of `src/lib.rs`, and its doc tests in the `///` comments above the
 * code. The test contract (test-contract.ts) protects test files by their paths, and a source
 * file is the task's to change, so the tests inside it are protected piece by piece instead:
 * every item of a test module that was there before (a test, a helper, its imports), the
 * module's own attributes and place among the modules, and every doc test's code and fence,
 * must be there after, unchanged but for formatting and comments. New tests may be added. A
 * file may not start redefining the assertion macros the tests call either.
 */

/** One source file's inline tests: key (`tests::fn totals_items`, `doc::fn total #1`) → normalised text. */
export type InlineTests = ReadonlyMap<string, string>;

/** Whether a path is in a language whose tests may live inside source files (Rust). */
export function mayHoldInlineTests(path: string): boolean {
  return path.endsWith('.rs');
}

/** The inline tests of a Rust source text: the items of its test modules and its doc tests. */
export function inlineTests(text: string): InlineTests {
  const items = new Map<string, string>();
  const masked = maskLiterals(text);
  const seen = new Map<string, number>();
  for (const module of testModules(masked)) {
    const count = (seen.get(module.path) ?? 0) + 1;
    seen.set(module.path, count);
    const path = count === 1 ? module.path : `${module.path} #${count}`;
    items.set(`${path}::#[…]`, collapse(module.attributes));
    const body = text.slice(module.open + 1, module.close);
    const uses: string[] = [];
    const counts = new Map<string, number>();
    for (const item of splitItems(body)) {
      // Comments do not count: a test commented out is gone, a comment added to one is no change.
      const code = stripComments(item);
      if (/^\s*(?:pub(?:\s*\([^)]*\))?\s+)?use\b/.test(code)) {
        uses.push(...usePaths(code));
        continue;
      }
      const base = `${path}::${itemName(code)}`;
      const n = (counts.get(base) ?? 0) + 1;
      counts.set(base, n);
      items.set(n === 1 ? base : `${base} #${n}`, collapse(code));
    }
    if (uses.length > 0) items.set(`${path}::use`, [...new Set(uses)].sort().join('; '));
  }
  for (const [key, code] of docTests(text)) items.set(key, code);
  return items;
}

/** What `now` did to the inline tests `before` had: each one removed or changed, by key. */
export function inlineTestChanges(before: InlineTests, now: InlineTests): { key: string; how: 'removed' | 'changed' }[] {
  const changes: { key: string; how: 'removed' | 'changed' }[] = [];
  for (const [key, text] of before) {
    const after = now.get(key);
    if (after === undefined) changes.push({ key, how: 'removed' });
    // Imports may be added to (a new test needs its own); the ones there stay.
    else if (key.endsWith('::use') ? !text.split('; ').every((path) => after.split('; ').includes(path)) : after !== text) changes.push({ key, how: 'changed' });
  }
  return changes;
}

/** The assertion macros a text defines or imports under their own names (`macro_rules! assert_eq`, `use x as assert_eq`). */
export function assertionShadows(text: string): string[] {
  const masked = maskLiterals(text);
  const names = [...masked.matchAll(/\bmacro_rules!\s*([A-Za-z_]\w*)|\bas\s+([A-Za-z_]\w*)\b/g)].map((match) => (match[1] ?? match[2]) as string);
  return [...new Set(names.filter((name) => ASSERTION_MACROS.test(name)))].sort();
}

/** The macros tests call to decide pass or fail. */
const ASSERTION_MACROS = /^(?:assert\w*|debug_assert\w*|panic|unreachable|todo|unimplemented)$/;

/**
 * What `now` adds to a test module that its existing tests already call by name: a function,
 * a constant, a type or an import named like something they use (`fn add` in the module, where
 * the tests called the code's `add` through `use super::*`) stands in for what they test.
 */
export function shadowingAdditions(before: string, now: string): { module: string; name: string }[] {
  const was = moduleContents(before);
  return moduleContents(now).flatMap(({ path, names }) => {
    const old = was.find((module) => module.path === path);
    if (old === undefined) return [];
    return [...names].filter((name) => !old.names.has(name) && old.words.has(name)).map((name) => ({ module: path, name }));
  });
}

/** Per test module: the names its items and imports bring in, and every word its code uses. */
function moduleContents(text: string): { path: string; names: Set<string>; words: Set<string> }[] {
  const masked = maskLiterals(text);
  return testModules(masked).map((module) => {
    const names = new Set<string>();
    const words = new Set<string>();
    for (const item of splitItems(text.slice(module.open + 1, module.close))) {
      const code = stripComments(item);
      for (const word of code.match(/[A-Za-z_]\w*/g) ?? []) words.add(word);
      if (/^\s*(?:pub(?:\s*\([^)]*\))?\s+)?use\b/.test(code)) {
        for (const path of usePaths(code)) names.add(/\bas\s+(\w+)$/.exec(path)?.[1] ?? (path.split('::').pop() as string));
        continue;
      }
      const named = /\b(?:fn|struct|enum|const|static|type|trait|union|mod)\s+([A-Za-z_]\w*)|macro_rules!\s*([A-Za-z_]\w*)/.exec(code.replace(/#\s*\[[^\]]*\]/g, ''));
      if (named) names.add((named[1] ?? named[2]) as string);
    }
    return { path: module.path, names, words };
  });
}

/** An inline test an attempt changed or removed, as the test contract reports it. */
export interface InlineTestEdit {
  path: string;
  how: string;
}

/** A file the task changed that may hold inline tests: its text when the task started (null: it added the file) and now (null: deleted). */
export interface InlineTestFile {
  path: string;
  before: string | null;
  now: string | null;
}

/**
 * The inline tests of each file that its text when the task started had and its text now
 * changed or lost, except those `editable` allows: a glob matching the file (the config's
 * `scope.editableTests`) or the test's own name, `<file>::<module>::<test>`, as a `test`
 * resource of the task gives it (`modifies:test:src/lib.rs::tests::totals_items`); and the
 * assertion macros a file newly redefines.
 */
export function inlineTestEdits(files: readonly InlineTestFile[], editable: (name: string) => boolean): InlineTestEdit[] {
  return files.flatMap(({ path, before, now }) => {
    if (editable(path)) return [];
    const shadows = assertionShadows(now ?? '').filter((name) => !assertionShadows(before ?? '').includes(name));
    const redefined = shadows.map((name) => ({ path, how: `redefines ${name}!, which the tests call to pass or fail` }));
    if (before === null) return redefined;
    const changed = inlineTestChanges(inlineTests(before), inlineTests(now ?? '')).flatMap(({ key, how }) => {
      const name = key.replace('::fn ', '::');
      return editable(`${path}::${name}`) ? [] : [{ path, how: `${how} ${describeKey(key)}` }];
    });
    const shadowing = shadowingAdditions(before, now ?? '').map(({ module, name }) => ({
      path,
      how: `adds ${name} to test module ${module}, whose tests already call ${name}: it would stand in for what they test`,
    }));
    return [...changed, ...shadowing, ...redefined];
  });
}

/** How a person reads a key: `test tests::adds_tax`, `the attributes of test module tests`, `the doc test of fn total`. */
function describeKey(key: string): string {
  if (key.startsWith('doc::')) return `the doc test of ${key.slice('doc::'.length)}`;
  if (key.endsWith('::#[…]')) return `the attributes of test module ${key.slice(0, -'::#[…]'.length)}`;
  if (key.endsWith('::use')) return `the imports of test module ${key.slice(0, -'::use'.length)}`;
  const fn = /^(.*)::fn (\w+)( #\d+)?$/.exec(key);
  if (fn) return `test ${fn[1]}::${fn[2]}${fn[3] ?? ''}`;
  return `${key} (in a test module)`;
}

interface TestModule {
  /** The module's path in the file: `tests`, `outer::tests`. */
  path: string;
  /** Its attributes, `#[cfg(test)]` among them. */
  attributes: string;
  open: number;
  close: number;
}

/**
 * Every module compiled only for tests: a `cfg` (or `cfg_attr`) attribute naming `test` (`#[cfg(test)]`,
 * `#[cfg(all(test, unix))]`), outermost ones only. Found in `masked` text, so a module in a
 * comment or a string is none.
 */
function testModules(masked: string): TestModule[] {
  const modules: TestModule[] = [];
  const stack: { name: string | null; open: number; test: boolean; attributes: string }[] = [];
  for (let index = 0; index < masked.length; index += 1) {
    const char = masked[index];
    if (char === '{') {
      const declared = /\bmod\s+([A-Za-z_]\w*)\s*$/.exec(masked.slice(Math.max(0, index - 200), index));
      const attributes = declared ? moduleAttributes(masked, index - (masked.slice(Math.max(0, index - 200), index).length - declared.index)) : '';
      const test = /#\s*\[\s*cfg(?:_attr)?\s*\([^\]]*\btest\b/.test(attributes);
      stack.push({ name: declared?.[1] ?? null, open: index, test, attributes });
    } else if (char === '}') {
      const frame = stack.pop();
      if (frame?.test && !stack.some((outer) => outer.test)) {
        const path = [...stack.flatMap((outer) => (outer.name === null ? [] : [outer.name])), frame.name].join('::');
        modules.push({ path, attributes: frame.attributes, open: frame.open, close: index });
      }
    }
  }
  return modules.sort((left, right) => left.open - right.open);
}

/** The attributes (and visibility) written before the `mod` keyword at `modAt`. */
function moduleAttributes(masked: string, modAt: number): string {
  const before = masked.slice(Math.max(0, modAt - 2000), modAt);
  return /((?:#\s*\[[^\]]*\]\s*)*)(?:pub(?:\s*\([^)]*\))?\s+)?$/.exec(before)?.[1] ?? '';
}

/**
 * The doc tests: the fenced code blocks of `///` and `//!` comments, each keyed by the item the
 * comment documents (`fn total`, `crate` for `//!`) and its place among the blocks of items so named.
 * The fence's words count (`no_run`, `ignore` change what runs), and so does every line of code.
 */
function docTests(text: string): Map<string, string> {
  const tests = new Map<string, string>();
  const counts = new Map<string, number>();
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; ) {
    const doc = /^\s*\/\/[/!](?!\/)/.exec(lines[index] as string);
    if (!doc) {
      index += 1;
      continue;
    }
    const inner = (lines[index] as string).trimStart().startsWith('//!');
    const comment: string[] = [];
    while (index < lines.length && /^\s*\/\/[/!](?!\/)/.test(lines[index] as string)) comment.push((lines[index++] as string).trimStart().slice(3));
    const next = lines.slice(index).find((line) => line.trim() !== '' && !line.trim().startsWith('#[')) ?? '';
    const owner = inner ? 'crate' : itemName(next);
    let fence: string | null = null;
    let code: string[] = [];
    // rustdoc runs no code block inside an HTML comment: one there is no test, and its copy is no protection.
    let inHtmlComment = false;
    for (const line of comment) {
      if (fence === null && inHtmlComment) {
        inHtmlComment = !line.includes('-->');
        continue;
      }
      const opens = line.lastIndexOf('<!--');
      if (fence === null && opens >= 0 && !line.slice(opens).includes('-->')) {
        inHtmlComment = true;
        continue;
      }
      const marker = /^\s*(```+|~~~+)\s*(.*)$/.exec(line);
      if (marker && fence === null) {
        fence = marker[2] as string;
        code = [];
      } else if (marker && fence !== null) {
        const count = (counts.get(owner) ?? 0) + 1;
        counts.set(owner, count);
        tests.set(`doc::${owner} #${count}`, `${fence} | ${collapse(code.join('\n'))}`);
        fence = null;
      } else if (fence !== null) code.push(line);
    }
  }
  return tests;
}

/** `fn totals_items` for a function (attributes and visibility aside), else the item's first words. */
function itemName(item: string): string {
  const head = item.split('{')[0] ?? '';
  const fn = /\bfn\s+([A-Za-z_]\w*)/.exec(head);
  if (fn) return `fn ${fn[1]}`;
  return collapse(head.replace(/#\s*\[[^\]]*\]/g, '')).slice(0, 60);
}

/** Each path a `use` item brings in: `use super::{total, tax as t};` → `super::tax as t`, `super::total`. */
function usePaths(item: string): string[] {
  const tree = item.replace(/^\s*(?:pub(?:\s*\([^)]*\))?\s+)?use\s+/, '').replace(/;\s*$/, '').replace(/\s+/g, ' ').trim();
  const expand = (prefix: string, part: string): string[] => {
    const open = part.indexOf('{');
    if (open < 0) return [`${prefix}${part.trim()}`.replace(/::self$/, '')];
    const head = part.slice(0, open).trim();
    const inside = part.slice(open + 1, part.lastIndexOf('}'));
    return splitTopLevel(inside).flatMap((piece) => expand(`${prefix}${head}`, piece));
  };
  return expand('', tree).filter((path) => path !== '');
}

/** The comma-separated parts of a use tree's braces, nested braces kept whole. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    if (text[index] === '{') depth += 1;
    else if (text[index] === '}') depth -= 1;
    else if (text[index] === ',' && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/**
 * The text as a formatter would not change it: whitespace only where it separates two words,
 * and no trailing comma before a closing bracket (rustfmt adds one when it breaks a list).
 */
function collapse(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/ (?=\W)|(?<=\W) /g, '')
    .replace(/,(?=[)\]}])/g, '')
    .trim();
}

/**
 * The top-level items of a module body: each ends with a `;` or a `}` outside any bracket.
 * Comments between items go with the next one; a lone `;` (after `S { .. };`) with the last.
 */
function splitItems(body: string): string[] {
  const items: string[] = [];
  let start = 0;
  let depth = 0;
  for (let index = 0; index < body.length; index += 1) {
    const skipped = skipLiteral(body, index);
    if (skipped !== index) {
      index = skipped - 1;
      continue;
    }
    const char = body[index] as string;
    if ('([{'.includes(char)) depth += 1;
    else if (')]}'.includes(char)) depth -= 1;
    if (depth === 0 && (char === ';' || char === '}')) {
      const item = body.slice(start, index + 1);
      if (item.trim() === ';' && items.length > 0) items[items.length - 1] += item;
      else if (item.trim() !== '') items.push(item);
      start = index + 1;
    }
  }
  return items.filter((item) => stripComments(item).trim() !== '');
}

/** The text with every comment, and the inside of every string and character literal, blanked: same length, same places. */
function maskLiterals(text: string): string {
  let out = '';
  for (let index = 0; index < text.length; index += 1) {
    const skipped = skipLiteral(text, index);
    if (skipped === index) out += text[index];
    else {
      out += text.slice(index, skipped).replace(/[^\n]/g, ' ');
      index = skipped - 1;
    }
  }
  return out;
}

/**
 * Past the comment, string or character literal at `index` (whose brackets do not count), or
 * `index` itself. Block comments nest; raw strings (`r#"…"#`) end at their own quote and hashes;
 * a quote that closes within a character or escape is a character literal, else a lifetime.
 */
function skipLiteral(text: string, index: number): number {
  const char = text[index];
  if (char === '/' && text[index + 1] === '/') {
    const end = text.indexOf('\n', index);
    return end < 0 ? text.length : end;
  }
  if (char === '/' && text[index + 1] === '*') {
    let depth = 0;
    let at = index;
    while (at < text.length - 1) {
      const pair = text.slice(at, at + 2);
      if (pair === '/*') depth += 1;
      else if (pair === '*/') depth -= 1;
      at += pair === '/*' || pair === '*/' ? 2 : 1;
      if (depth === 0) return at;
    }
    return text.length;
  }
  const raw = (char === 'r' || char === 'b') && !/\w/.test(text[index - 1] ?? '') ? /^b?r(#*)"/.exec(text.slice(index, index + 260)) : null;
  if (raw) {
    const end = text.indexOf(`"${raw[1]}`, index + raw[0].length);
    return end < 0 ? text.length : end + 1 + (raw[1] as string).length;
  }
  if (char === '"') {
    for (let at = index + 1; at < text.length; at += 1) {
      if (text[at] === '\\') at += 1;
      else if (text[at] === '"') return at + 1;
    }
    return text.length;
  }
  if (char === "'") {
    if (text[index + 1] === '\\') {
      // Past the escaped character itself, which may be a quote: '\''.
      const end = text.indexOf("'", index + 3);
      return end < 0 ? index + 1 : end + 1;
    }
    const next = String.fromCodePoint(text.codePointAt(index + 1) ?? 0);
    if (text[index + 1 + next.length] === "'") return index + 2 + next.length;
  }
  return index;
}

/** The text without its comments; string and character literals kept whole (`"http://…"` is no comment). */
function stripComments(text: string): string {
  let out = '';
  for (let index = 0; index < text.length; index += 1) {
    const skipped = skipLiteral(text, index);
    if (skipped === index) out += text[index];
    else {
      out += text[index] === '/' ? ' ' : text.slice(index, skipped);
      index = skipped - 1;
    }
  }
  return out;
}
