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

import { collapse, docTests, itemName, maskLiterals, splitItems, stripComments, testModules, usePaths } from './rust-source.js';

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
