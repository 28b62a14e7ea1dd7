/*
 * Paths inside a repository, relative to its root with `/` separators; `''` is the root. Check
 * commands name folders and files relative to where they run (`cd web && npm test`), and the
 * scope guard compares them with the paths git reports, so both must be spelled alike.
 */

/** `relative` resolved against `dir`; null when it is absolute, starts from home, or climbs out of the repository. */
export function joinRepoPath(dir: string, relative: string): string | null {
  const path = relative.replace(/\\/g, '/');
  if (path.startsWith('/') || path.startsWith('~') || /^[A-Za-z]:\//.test(path)) return null;
  const parts = dir === '' ? [] : dir.split('/');
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.length === 0) return null;
    else parts.pop();
  }
  return parts.join('/');
}

/** `name` inside `dir`. */
export function inDir(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** The folder holding `path`; `''` for a file at the root. */
export function parentDir(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** `dir` and every folder above it, the root last: `a/b` → `a/b`, `a`, `''`. */
export function dirAndAncestors(dir: string): string[] {
  const dirs = [dir];
  for (let current = dir; current !== ''; ) {
    current = parentDir(current);
    dirs.push(current);
  }
  return dirs;
}
