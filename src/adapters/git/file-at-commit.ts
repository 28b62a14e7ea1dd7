import { InvalidInputError } from '../../core/errors.js';
import { mapLimited } from './map-limited.js';
import { runGit, type Environment } from './run-git.js';
import { quoted } from '../../core/quoted.js';

export interface FileReadOptions {
  /** The environment git starts from, usually `process.env` (repository variables are dropped). */
  env?: Environment;
  timeoutMs?: number;
}

/** Blobs read at once; each is one short `git cat-file` process. */
const READ_PARALLELISM = 4;
/** Paths per listing, well below any command-line limit. */
const PATHS_PER_LISTING = 200;

/**
 * The text of `path` (from the repository root) at `commit`, in the repository at `cwd`; null
 * when the commit has no file there (a folder or a submodule is no file). Throws GitCommandError
 * when `commit` names no commit.
 */
export async function readFileAtCommit(cwd: string, commit: string, path: string, options: FileReadOptions = {}): Promise<string | null> {
  const [text] = await readFilesAtCommit(cwd, commit, [path], options);
  return text ?? null;
}

/**
 * The texts of `paths` at `commit`, in order, null for each the commit has no file at: one
 * listing for all of them, then one `git cat-file` per file found. Paths are taken literally
 * (no globs) from the repository root, wherever in it `cwd` is.
 */
export async function readFilesAtCommit(cwd: string, commit: string, paths: readonly string[], options: FileReadOptions = {}): Promise<(string | null)[]> {
  if (commit === '' || commit.startsWith('-') || /\s/.test(commit)) throw new InvalidInputError('commit', `${quoted(commit)} is not a commit name`);
  const blobs = new Map<string, string>();
  for (const chunk of chunks(paths)) {
    const { stdout } = await runGit(['--literal-pathspecs', 'ls-tree', '-z', '--full-tree', commit, '--', ...chunk], { cwd, ...gitOptions(options) });
    for (const entry of stdout.split('\0')) {
      const match = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
      if (match) blobs.set(match[2] as string, match[1] as string);
    }
  }
  return readBlobs(cwd, paths, blobs, options);
}

/**
 * The texts of `paths` in the index of the worktree at `cwd`: what `git add --all` staged, the
 * same snapshot the runner's change list is taken from. Null for a path not in the index.
 */
export async function readStagedFiles(cwd: string, paths: readonly string[], options: FileReadOptions = {}): Promise<(string | null)[]> {
  const blobs = new Map<string, string>();
  for (const chunk of chunks(paths)) {
    // `top` reads each path from the repository root, `literal` keeps `*` and `?` as characters.
    const pathspecs = chunk.map((path) => `:(top,literal)${path}`);
    const { stdout } = await runGit(['ls-files', '-s', '-z', '--full-name', '--', ...pathspecs], { cwd, ...gitOptions(options) });
    for (const entry of stdout.split('\0')) {
      // Stage 0 only: a conflicted path has no single staged text.
      const match = /^(?:100644|100755|120000) ([0-9a-f]+) 0\t(.*)$/s.exec(entry);
      if (match) blobs.set(match[2] as string, match[1] as string);
    }
  }
  return readBlobs(cwd, paths, blobs, options);
}

async function readBlobs(cwd: string, paths: readonly string[], blobs: ReadonlyMap<string, string>, options: FileReadOptions): Promise<(string | null)[]> {
  return mapLimited(paths, READ_PARALLELISM, async (path) => {
    const id = blobs.get(path);
    if (id === undefined) return null;
    return (await runGit(['cat-file', 'blob', id], { cwd, ...gitOptions(options) })).stdout;
  });
}

function gitOptions(options: FileReadOptions): { env?: Environment; timeoutMs?: number } {
  return { ...(options.env ? { env: options.env } : {}), ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) };
}

function chunks(paths: readonly string[]): string[][] {
  const unique = [...new Set(paths)];
  const result: string[][] = [];
  for (let index = 0; index < unique.length; index += PATHS_PER_LISTING) result.push(unique.slice(index, index + PATHS_PER_LISTING));
  return result;
}
