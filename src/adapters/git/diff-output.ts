import type { AddedLine } from '../../core/run/changed-file.js';

/** A path `git diff --name-status -z` reported; `emptied` is decided later, from the file. */
export interface NameStatusEntry {
  path: string;
  change: 'added' | 'modified' | 'deleted' | 'renamed';
  fromPath: string | null;
}

const HUNK_HEADER = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
const C_ESCAPES: Readonly<Record<string, number>> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/**
 * Parses `git diff --name-status -z -M`: a status field (`M`, `A`, `D`, `T`, `R087`, `C100`)
 * then one path, or two for a rename or copy. A copy is a new file; a type change (file to
 * symlink) counts as modified.
 */
export function parseNameStatus(stdout: string): NameStatusEntry[] {
  const fields = stdout.split('\0');
  const entries: NameStatusEntry[] = [];
  let index = 0;
  while (index < fields.length) {
    const status = fields[index++] ?? '';
    if (status === '') continue;
    const letter = status[0];
    if (letter === 'R' || letter === 'C') {
      const fromPath = fields[index++] ?? '';
      const path = fields[index++] ?? '';
      entries.push(letter === 'R' ? { path, change: 'renamed', fromPath } : { path, change: 'added', fromPath: null });
    } else {
      const path = fields[index++] ?? '';
      const change = letter === 'A' ? 'added' : letter === 'D' ? 'deleted' : 'modified';
      entries.push({ path, change, fromPath: null });
    }
  }
  return entries;
}

/**
 * The added lines of a unified diff made with `-U0`, numbered in the new file. Inside a hunk
 * the header's counts say how many lines belong to it, so an added line that itself reads
 * `++ x` (shown as `+++ x`) or `diff --git` is never taken for a file header. Context lines are
 * counted too, in case `diff.interHunkContext` joined hunks. Binary files have no hunks.
 */
export function parseAddedLines(patch: string): AddedLine[] {
  const added: AddedLine[] = [];
  let path: string | null = null;
  let oldLeft = 0;
  let newLeft = 0;
  let newLine = 0;
  for (const line of patch.split('\n')) {
    if (oldLeft > 0 || newLeft > 0) {
      const kind = line[0];
      if (kind === '+') {
        if (path !== null) added.push({ path, line: newLine, text: line.slice(1).replace(/\r$/, '') });
        newLine += 1;
        newLeft -= 1;
      } else if (kind === '-') {
        oldLeft -= 1;
      } else if (kind === ' ') {
        newLine += 1;
        oldLeft -= 1;
        newLeft -= 1;
      }
      // `\ No newline at end of file` belongs to the line before it and counts for nothing.
      continue;
    }
    if (line.startsWith('diff --git ')) path = null;
    else if (line.startsWith('+++ ')) path = headerPath(line.slice(4));
    else {
      const hunk = HUNK_HEADER.exec(line);
      if (hunk === null) continue;
      oldLeft = Number(hunk[1] ?? '1');
      newLine = Number(hunk[2]);
      newLeft = Number(hunk[3] ?? '1');
    }
  }
  return added;
}

/**
 * The path of a `+++` header made with `--dst-prefix=b/`: git appends a tab when the name
 * holds a space, and C-quotes it when it holds a quote, a backslash, a control character or
 * (with `core.quotePath`) a non-ASCII byte. Null for `/dev/null`, a deleted file.
 */
function headerPath(field: string): string | null {
  const name = field.endsWith('\t') ? field.slice(0, -1) : field;
  if (name === '/dev/null') return null;
  const unquoted = name.startsWith('"') && name.endsWith('"') && name.length >= 2 ? unquoteCString(name.slice(1, -1)) : name;
  return unquoted.startsWith('b/') ? unquoted.slice(2) : unquoted;
}

/**
 * Undoes git's C-style quoting: `\t`, `\"`, `\\` and octal bytes. A run of escapes is decoded
 * together, since one character may be several octal bytes (`\303\251` is `é`).
 */
export function unquoteCString(quoted: string): string {
  return quoted.replace(/(?:\\(?:[0-7]{3}|.))+/gs, (run) => {
    const bytes: number[] = [];
    for (const [, octal, char] of run.matchAll(/\\(?:([0-7]{3})|(.))/gs)) {
      bytes.push(octal !== undefined ? parseInt(octal, 8) : (C_ESCAPES[char as string] ?? (char as string).charCodeAt(0)));
    }
    return Buffer.from(bytes).toString('utf8');
  });
}
