import { locateRepository } from './repository.js';
import { runGit, type Environment } from './run-git.js';

/**
 * Paths staged for the commit being made, for the pre-commit guard. Unlike the other git
 * reads it keeps GIT_INDEX_FILE from `env`: inside the hook it names the index that
 * `git commit -a` or `git commit PATH` is about to commit, not the worktree's usual one.
 */
export async function stagedPaths(worktree: string, env?: Environment): Promise<string[]> {
  const cwd = locateRepository(worktree)?.topLevel ?? worktree;
  const args = ['diff', '--cached', '--name-only', '-z', '--no-renames', '--no-relative', '--no-ext-diff'];
  const { stdout } = await runGit(args, { cwd, ...(env ? { env, keep: ['GIT_INDEX_FILE'] } : {}) });
  return [...new Set(stdout.split('\0').filter(Boolean))].sort();
}
