import { BatonError } from '../../core/errors.js';
import type { GitRunner } from './resolve-commit.js';

const FALLBACK_IDENTITY = { name: 'baton', email: 'baton@localhost' };
const ZERO_ID = /^0+$/;

export interface CommitRequest {
  tree: string;
  /** Null for a root commit (a repository without commits yet). */
  parent: string | null;
  /** Further parents after `parent` (the task branch of a merge commit). */
  extraParents?: readonly string[];
  message: string;
}

/**
 * Writes a commit of exactly `tree` with plumbing (`commit-tree`): no hook, no
 * `prepare-commit-msg`, no signing, nothing restaged. The message is cleaned up as
 * `git commit --cleanup=whitespace` would, so `#` lines (a task id) are kept.
 */
export async function writeCommit(git: GitRunner, cwd: string, request: CommitRequest): Promise<string> {
  const identity = await identityArgs(git, cwd);
  const parents = [...(request.parent === null ? [] : [request.parent]), ...(request.extraParents ?? [])].flatMap((parent) => ['-p', parent]);
  const args = [...identity, 'commit-tree', '--no-gpg-sign', request.tree, ...parents, '-F', '-'];
  return (await git(args, cwd, { input: cleanupMessage(request.message) })).stdout.trim();
}

/**
 * Moves `ref` to `commit` only if it still holds `expected` (null: only if it does not
 * exist), so a ref someone else moved meanwhile is never overwritten. CONFLICT otherwise.
 */
export async function moveRef(git: GitRunner, cwd: string, ref: string, commit: string, expected: string | null, reason: string): Promise<void> {
  const output = await git(['update-ref', '-m', reason, ref, commit, expected ?? ''], cwd, { okExitCodes: [0, 1, 128] });
  if (output.exitCode === 0) return;
  throw new BatonError('CONFLICT', `${ref} is no longer at ${expected ?? '(nothing)'} in ${cwd}, so baton did not move it to ${commit}; look at \`git reflog ${ref}\``, {
    ref,
    commit,
    expected,
    stderr: output.stderr.trim(),
  });
}

/**
 * What `--cleanup=whitespace` does: trailing whitespace off every line, runs of blank lines
 * made one, blank lines at both ends dropped, one newline at the end.
 */
export function cleanupMessage(message: string): string {
  const lines = message.split('\n').map((line) => line.replace(/\s+$/, ''));
  const kept: string[] = [];
  for (const line of lines) {
    if (line === '' && (kept.length === 0 || kept[kept.length - 1] === '')) continue;
    kept.push(line);
  }
  while (kept[kept.length - 1] === '') kept.pop();
  return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
}

/** True for git's all-zero id, which stands for "no object". */
export function isZeroId(id: string): boolean {
  return ZERO_ID.test(id);
}

/** `-c user.name=... -c user.email=...` for what git has no value for; env variables still win. */
export async function identityArgs(git: GitRunner, cwd: string): Promise<string[]> {
  const { stdout } = await git(['config', '--get-regexp', '^user\\.(name|email)$'], cwd, { okExitCodes: [0, 1] });
  const keys = new Set(
    stdout
      .split('\n')
      .filter((line) => / \S/.test(line))
      .map((line) => line.slice(0, line.indexOf(' ')).toLowerCase()),
  );
  return [...(keys.has('user.name') ? [] : ['-c', `user.name=${FALLBACK_IDENTITY.name}`]), ...(keys.has('user.email') ? [] : ['-c', `user.email=${FALLBACK_IDENTITY.email}`])];
}
