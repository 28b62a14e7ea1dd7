import { BatonError, InvalidInputError } from '../../core/errors.js';
import type { GitOutput, GitRunOptions } from './run-git.js';
import { quoted } from '../../core/quoted.js';

/** Runs one git command in `cwd` with the caller's environment and timeout. */
export type GitRunner = (args: readonly string[], cwd: string, extra?: Partial<GitRunOptions>) => Promise<GitOutput>;

/**
 * The commit id `revision` names in the repository at `cwd`. Later commands get the id, so a
 * branch that moves meanwhile cannot change what they act on, and no name reaches git where
 * it could be read as an option. NOT_FOUND when it names no commit.
 */
export async function resolveCommit(git: GitRunner, cwd: string, revision: string, field: string): Promise<string> {
  if (revision === '' || revision.startsWith('-') || /\s/.test(revision)) throw new InvalidInputError(field, `${quoted(revision)} is not a branch or commit name`);
  const output = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`], cwd, { okExitCodes: [0, 1] });
  const id = output.stdout.trim();
  if (output.exitCode !== 0 || id === '') {
    // A repository just made with `git init` has a branch name but nothing it names.
    const anyCommit = (await git(['rev-list', '-n', '1', '--all'], cwd, { okExitCodes: [0, 128] })).stdout.trim();
    if (anyCommit === '') throw new BatonError('NOT_FOUND', `the repository in ${cwd} has no commit yet, so a task has nothing to start from; commit first (git add -A && git commit -m "First commit"), then run again`, { [field]: revision });
    throw new BatonError('NOT_FOUND', `${field} ${quoted(revision)} is not a commit in ${cwd}; name an existing branch or commit (git branch --list)`, { [field]: revision });
  }
  return id;
}
