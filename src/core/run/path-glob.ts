import { normaliseFilePath } from '../resource.js';

/*
 * Whether one changed file lies inside a glob, with the glob language of file resources
 * (core/resource-match): `*` within one segment, `**` across segments (`**` then `/` may also
 * match no directory), `?` one character other than `/`, and a name covers everything below
 * it (`src`, `src/` and `src/**` all hold `src/a/b.ts`).
 *
 * `resourceNamesMatch('file', glob, path)` is not this question: it asks whether two names
 * *overlap*, and it treats the plain path as a directory too, so `**\/*.test.*` "overlaps"
 * `src/app.ts` (through `src/app.ts/x.test.js`). A changed path is a file; only the glob side
 * may cover what is below it.
 */

/** A test for paths against a list of globs; an empty list matches nothing. */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  const patterns = globs.map(globRegExp);
  return (path) => {
    const clean = normaliseFilePath(path);
    return patterns.some((pattern) => pattern.test(clean));
  };
}

/** Whether the file at `path` lies inside `glob`. */
export function pathMatchesGlob(glob: string, path: string): boolean {
  return globRegExp(glob).test(normaliseFilePath(path));
}

function globRegExp(glob: string): RegExp {
  const key = normaliseFilePath(glob).replace(/\/+$/, '');
  let source = '';
  for (let index = 0; index < key.length; index++) {
    const char = key[index] as string;
    if (char === '*' && key[index + 1] === '*') {
      index++;
      if (key[index + 1] === '/') {
        index++;
        source += '(?:.*/)?';
      } else source += '.*';
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // The optional tail: a name covers everything below it.
  return new RegExp(`^${source}(?:/.*)?$`, 's');
}
