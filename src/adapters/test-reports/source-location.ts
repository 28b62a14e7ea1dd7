/**
 * Turning the paths test runners print (absolute, `file://` URLs, relative) into what an agent
 * in the repository can open, and finding the stack frame that points into the repository
 * rather than into node_modules or the runtime.
 */

export interface ReaderOptions {
  /** The repository's absolute path: paths under it are made relative, frames outside it are not the repository's. */
  root?: string;
}

/** A path with a line (and column) in a stack or report line: `src/x.js:12:5`, `tests/test_a.py:11`. */
const PATH_WITH_LINE = /(?:file:\/\/)?((?:[A-Za-z]:[\\/]|\/|\.{1,2}\/)?[^\s():'"`[\]]*\.[A-Za-z][A-Za-z0-9]*):(\d+)(?::(\d+))?/g;

/**
 * A line that is a stack frame or points at the failing line: `at f (file:12:3)`, vitest's
 * `❯ file:12:3`, a bare `Fn (file:12:3)` as node's TAP stack prints it, pytest's
 * `tests/test_a.py:11: AssertionError`.
 */
const FRAME_LINE = /^\s*(?:at\s|❯\s|›\s)|\([^()]*:\d+:\d+\)\s*(?:\{\s*)?$|^\s*[^\s:]+\.[A-Za-z]\w*:\d+:\s/;

/** `path` relative to `root` when it lies under it; `file://` URLs become paths. */
export function repositoryPath(path: string, root: string | undefined): string {
  const plain = fromFileUrl(path);
  if (root === undefined || root === '') return plain;
  const base = root.replace(/[\\/]+$/, '');
  if (plain.startsWith(`${base}/`) || plain.startsWith(`${base}\\`)) return plain.slice(base.length + 1);
  return plain;
}

function fromFileUrl(path: string): string {
  if (!path.startsWith('file://')) return path;
  const rest = path.slice('file://'.length);
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

/** Whether a path is the project's own code: not a dependency, not the runtime, not outside the root. */
export function isRepositoryFile(path: string, root: string | undefined): boolean {
  if (/(?:^|[\\/])node_modules[\\/]|(?:^|[\\/])site-packages[\\/]|^node:|^internal[\\/]|<anonymous>/.test(path)) return false;
  const absolute = /^(?:[\\/]|[A-Za-z]:[\\/])/.test(path);
  if (!absolute || root === undefined || root === '') return true;
  return repositoryPath(path, root) !== path;
}

/** The first stack frame (or failure pointer) in the text that lies in the repository, as `path:line:column`. */
export function firstRepositoryFrame(text: string, root: string | undefined, { anyLine = false } = {}): string | null {
  for (const line of text.split('\n')) {
    if (!anyLine && !FRAME_LINE.test(line)) continue;
    for (const match of line.matchAll(PATH_WITH_LINE)) {
      const path = fromFileUrl(match[1] as string);
      if (!isRepositoryFile(path, root)) continue;
      const column = match[3] === undefined ? '' : `:${match[3]}`;
      return `${repositoryPath(path, root)}:${match[2]}${column}`;
    }
  }
  return null;
}

/** Whether a line is a stack frame (or a pointer to a source line). */
export function isFrameLine(line: string): boolean {
  return FRAME_LINE.test(line);
}

/** A location a runner gives (`/abs/test/a.test.js:7:5`), made repository-relative. */
export function repositoryLocation(location: string, root: string | undefined): string {
  const match = /^(.*?)(:\d+(?::\d+)?)$/.exec(location.trim());
  if (!match) return repositoryPath(location.trim(), root);
  return `${repositoryPath(match[1] as string, root)}${match[2]}`;
}
