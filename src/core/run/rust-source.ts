/*
 * Reading Rust source as far as the test contract needs (inline-tests.ts): where the comments and
 * literals are (so that braces, attributes and modules inside them count for nothing), the
 * modules compiled only for tests, their items and imports, and the doc tests. Not a parser: a
 * scanner that knows Rust's comments, strings, raw strings, characters and lifetimes.
 */

export interface TestModule {
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
export function testModules(masked: string): TestModule[] {
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
export function docTests(text: string): Map<string, string> {
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
export function itemName(item: string): string {
  const head = item.split('{')[0] ?? '';
  const fn = /\bfn\s+([A-Za-z_]\w*)/.exec(head);
  if (fn) return `fn ${fn[1]}`;
  return collapse(head.replace(/#\s*\[[^\]]*\]/g, '')).slice(0, 60);
}

/** Each path a `use` item brings in: `use super::{total, tax as t};` → `super::tax as t`, `super::total`. */
export function usePaths(item: string): string[] {
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
export function collapse(text: string): string {
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
export function splitItems(body: string): string[] {
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

/** The text with every comment, and every string and character literal, blanked: same length, same places. */
export function maskLiterals(text: string): string {
  return replaceLiterals(text, (literal) => literal.replace(/[^\n]/g, ' '));
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
export function stripComments(text: string): string {
  return replaceLiterals(text, (literal) => (literal.startsWith('/') ? ' ' : literal));
}

/** The text with each comment and literal (as skipLiteral finds them) replaced by what `replace` makes of it. */
function replaceLiterals(text: string, replace: (literal: string) => string): string {
  let out = '';
  for (let index = 0; index < text.length; index += 1) {
    const skipped = skipLiteral(text, index);
    if (skipped === index) out += text[index];
    else {
      out += replace(text.slice(index, skipped));
      index = skipped - 1;
    }
  }
  return out;
}
