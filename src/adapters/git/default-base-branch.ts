import { BatonError } from '../../core/errors.js';
import { currentBranch, locateRepository, type RepositoryLocation } from './repository.js';
import { runGit, type Environment } from './run-git.js';

/** Where `dir` sits in git; NOT_IN_REPOSITORY when it is in no repository. */
export function requireRepository(dir: string): RepositoryLocation {
  const location = locateRepository(dir);
  if (location === null) throw new BatonError('NOT_IN_REPOSITORY', `${dir} is not inside a git repository`);
  return location;
}

/**
 * The branch checked out in the main worktree, read from the common dir's HEAD (which is the
 * main worktree's) without a process; when that HEAD is detached, main or master, whichever
 * exists. Shared by the board's git port and the runner's workspace.
 */
export async function defaultBaseBranch(repoDir: string, options: { env: Environment; timeoutMs?: number }): Promise<string> {
  const location = requireRepository(repoDir);
  const branch = currentBranch({ ...location, gitDir: location.commonDir });
  if (branch !== null) return branch;
  const args = ['for-each-ref', '--format=%(refname:short)', 'refs/heads/main', 'refs/heads/master'];
  const { stdout } = await runGit(args, { cwd: location.topLevel, env: options.env, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const existing = stdout.split('\n').filter(Boolean);
  const fallback = ['main', 'master'].find((name) => existing.includes(name));
  if (fallback === undefined) {
    throw new BatonError('NOT_FOUND', `the main worktree's HEAD is detached and there is no main or master branch in ${location.topLevel}; name the base branch`);
  }
  return fallback;
}
