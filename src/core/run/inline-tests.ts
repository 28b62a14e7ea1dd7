/*
 * Some languages keep tests beside the code, in the same file: Rust's `#[cfg(test)] mod tests
 * { ... }` at the bottom of `src/lib.rs`. The test contract (test-contract.ts) protects test
 * files by their paths, and a source file is the task's to change, so the tests inside it are
 * protected item by item instead: every item of a test module that was there before (a test,
 * a helper, a `use`) must be there after, unchanged but for whitespace. New items may be added.
 */

/** One source file's inline tests: item key (`tests::fn totals_items`) → its text, whitespace collapsed. */
export type InlineTests = ReadonlyMap<string, string>;

/** Whether a path is in a language whose tests may live inside source files (Rust). */
export function mayHoldInlineTests(path: string): boolean {
  return path.endsWith('.rs');
}

/** The items of every `#[cfg(test)]` module in a Rust source text; empty for a text with none. */
export function inlineTests(text: string): InlineTests {
  const items = new Map<string, string>();
  const attribute = /#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]/g;
  for (const match of text.matchAll(attribute)) {
    const rest = text.slice(match.index + match[0].length);
    const module = /^(?:\s*#\s*\[[^\]]*\])*\s*(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+([A-Za-z_]\w*)\s*\{/.exec(rest);
    if (!module) continue;
    const open = match.index + match[0].length + module[0].length - 1;
    const close = matchingBrace(text, open);
    const body = text.slice(open + 1, close < 0 ? text.length : close);
    const counts = new Map<string, number>();
    for (const item of splitItems(body)) {
      // Comments do not count: a test commented out is gone, a comment added to one is no change.
      const code = stripComments(item);
      const base = `${module[1]}::${itemName(code)}`;
      const count = (counts.get(base) ?? 0) + 1;
      counts.set(base, count);
      items.set(count === 1 ? base : `${base} #${count}`, collapse(code));
    }
  }
  return items;
}

/** What `now` did to the inline tests `before` had: each item removed or changed, by key. */
export function inlineTestChanges(before: InlineTests, now: InlineTests): { key: string; how: 'removed' | 'changed' }[] {
  const changes: { key: string; how: 'removed' | 'changed' }[] = [];
  for (const [key, text] of before) {
    const after = now.get(key);
    if (after === undefined) changes.push({ key, how: 'removed' });
    else if (after !== text) changes.push({ key, how: 'changed' });
  }
  return changes;
}

/** `fn totals_items` for a function (attributes and visibility aside), else the item's first words. */
function itemName(item: string): string {
  const fn = /\bfn\s+([A-Za-z_]\w*)/.exec(item.split('{')[0] ?? '');
  if (fn) return `fn ${fn[1]}`;
  return collapse(item.replace(/#\s*\[[^\]]*\]/g, '')).slice(0, 60);
}

/** The text with whitespace only where it separates two words: what a formatter changes does not count. */
function collapse(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/ (?=\W)|(?<=\W) /g, '')
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

/** The index of the `}` closing the `{` at `open`; -1 when the text ends first. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index += 1) {
    const skipped = skipLiteral(text, index);
    if (skipped !== index) {
      index = skipped - 1;
      continue;
    }
    if (text[index] === '{') depth += 1;
    else if (text[index] === '}' && --depth === 0) return index;
  }
  return -1;
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
  const raw = /^b?r(#*)"/.exec(text.slice(index, index + 260));
  if (raw && !/\w/.test(text[index - 1] ?? '')) {
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
      if (text[index] !== '/') out += text.slice(index, skipped);
      else out += ' ';
      index = skipped - 1;
    }
  }
  return out;
}

/** An inline test an attempt changed or removed, as the test contract reports it. */
export interface InlineTestEdit {
  path: string;
  how: string;
}

/**
 * The inline tests of each file in `paths` that `before` (the texts when the task started) had
 * and `now` changed or lost, except those `editable` allows: a glob matching the file (the
 * config's `scope.editableTests`) or the test's own name, `<file>::<module>::<test>`, as a
 * `test` resource of the task gives it (`modifies:test:src/lib.rs::tests::totals_items`).
 */
export function inlineTestEdits(paths: readonly string[], before: readonly (string | null)[], now: readonly (string | null)[], editable: (name: string) => boolean): InlineTestEdit[] {
  return paths.flatMap((path, index) => {
    const was = before[index];
    if (was === null || was === undefined || editable(path)) return [];
    return inlineTestChanges(inlineTests(was), inlineTests(now[index] ?? '')).flatMap(({ key, how }) => {
      const name = `${path}::${key.replace('::fn ', '::')}`;
      return editable(name) ? [] : [{ path, how: `${how} ${key.replace('::fn ', '::')}, a test inside it` }];
    });
  });
}
