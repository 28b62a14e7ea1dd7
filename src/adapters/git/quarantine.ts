import { randomUUID } from 'node:crypto';
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCommit } from './commit-tree.js';
import { addAllBut, nestedRepositories } from './nested-repositories.js';
import { requireRepository } from './default-base-branch.js';
import { ensureExcluded } from './info-exclude.js';
import type { GitRunner } from './resolve-commit.js';
import type { Environment } from './run-git.js';

/**
 * Saves everything uncommitted in `worktree` (tracked changes, untracked files, not ignored
 * ones, not `.baton/`) as a commit on `ref` whose parent is HEAD; null when nothing is
 * uncommitted. Staging happens in a temporary index (GIT_INDEX_FILE), so HEAD, the
 * worktree's index and its files stay exactly as they were: it is safe before a reset, and
 * between `stageAll` and the reads that rely on it. The ref keeps a reflog, so saving twice
 * under one name loses nothing.
 */
export async function quarantine(git: GitRunner, env: Environment, worktree: string, ref: string): Promise<string | null> {
  const location = requireRepository(worktree);
  const cwd = location.topLevel;
  await ensureExcluded(location.commonDir);
  const head = await headOrNull(git, cwd);
  // Beside the real index, so a split index finds its shared part; a copy keeps its stat data,
  // which spares `git add` from reading every file again.
  const index = join(location.gitDir, `baton-quarantine-${randomUUID()}.index`);
  try {
    await copyFile(join(location.gitDir, 'index'), index).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    const withIndex = { env: { ...env, GIT_INDEX_FILE: index }, keep: ['GIT_INDEX_FILE'] };
    await git(addAllBut(await nestedRepositories(git, cwd)), cwd, withIndex);
    const tree = (await git(['write-tree'], cwd, withIndex)).stdout.trim();
    if (tree === (head === null ? await emptyTree(git, cwd) : await treeOf(git, cwd, head))) return null;
    const message = `baton: uncommitted work in ${cwd}, saved before it was reset\n`;
    const commit = await writeCommit(git, cwd, { tree, parent: head, message });
    await git(['update-ref', '--create-reflog', '-m', 'baton: quarantine', ref, commit], cwd);
    return commit;
  } finally {
    await rm(index, { force: true });
  }
}

/** The tree of no files, in the repository's own hash (SHA-1 or SHA-256). */
async function emptyTree(git: GitRunner, cwd: string): Promise<string> {
  return (await git(['mktree'], cwd, { input: '' })).stdout.trim();
}

async function headOrNull(git: GitRunner, cwd: string): Promise<string | null> {
  const output = await git(['rev-parse', '--verify', '--quiet', 'HEAD'], cwd, { okExitCodes: [0, 1] });
  return output.exitCode === 0 ? output.stdout.trim() : null;
}

async function treeOf(git: GitRunner, cwd: string, commit: string): Promise<string> {
  return (await git(['rev-parse', '--verify', `${commit}^{tree}`], cwd)).stdout.trim();
}
