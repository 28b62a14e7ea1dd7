import type { GitRunner } from './resolve-commit.js';

/**
 * Git repositories made inside a worktree and not ignored (`lib/` with a `.git` of its own):
 * `git ls-files --others` names each as one entry with a trailing slash and does not look
 * inside. `git add` would stage only a link to its commit — or fail, before it has one — while
 * the checks run its files. Ignored ones are the ignored-files guard's.
 */
export async function nestedRepositories(git: GitRunner, cwd: string): Promise<string[]> {
  const { stdout } = await git(['ls-files', '-z', '--others', '--exclude-standard'], cwd);
  return stdout.split('\0').filter((path) => path.endsWith('/')).map((path) => path.slice(0, -1));
}

/** `git add --all` arguments that leave `nested` out (it cannot hold their files anyway). */
export function addAllBut(nested: readonly string[]): string[] {
  return nested.length === 0 ? ['add', '--all'] : ['add', '--all', '--', '.', ...nested.map((path) => `:(exclude,literal)${path}`)];
}
