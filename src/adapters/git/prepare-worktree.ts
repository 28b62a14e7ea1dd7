import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BatonError, InvalidInputError } from '../../core/errors.js';
import { requireRepository } from './default-base-branch.js';
import { ensureExcluded } from './info-exclude.js';
import { resolveCommit, type GitRunner } from './resolve-commit.js';
import { parseWorktreeList, type WorktreeEntry } from './worktree-list.js';
import { quoted } from '../../core/quoted.js';

export interface WorktreeRequest {
  path: string;
  branch: string;
  base: string;
}

/**
 * Makes `request.path` a worktree with `request.branch` checked out: reuses it when it is one
 * already (a resumed run), adds it for an existing branch, or creates the branch from `base`.
 * Anything else at the path, or the branch checked out elsewhere, is a CONFLICT: git would
 * refuse too, and the person must decide what to do with that other work.
 */
export async function prepareWorktree(git: GitRunner, repoRoot: string, request: WorktreeRequest): Promise<{ created: boolean; head: string }> {
  // Runs side by side in one process (the supervisor) make their worktrees one at a time.
  const turn = worktreeTurns.then(() => prepareRetrying(git, repoRoot, request));
  worktreeTurns = turn.catch(() => undefined);
  return turn;
}

let worktreeTurns: Promise<unknown> = Promise.resolve();

/**
 * `git worktree add` and `list` read every worktree's admin folder, and one that another process
 * is making at that moment can be half written (`failed to read .git/worktrees/x/commondir`): the
 * whole preparation is tried again a few times, a little later each time, looking afresh at what
 * is there (the branch may exist by then).
 */
async function prepareRetrying(git: GitRunner, repoRoot: string, request: WorktreeRequest): Promise<{ created: boolean; head: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await prepareNow(git, repoRoot, request);
    } catch (error) {
      if (attempt >= 5 || !/failed to read .*worktrees\/[^/\s]+\/(commondir|gitdir)/.test(String((error as Error).message))) throw error;
      await new Promise((resolveLater) => setTimeout(resolveLater, 25 * 2 ** attempt));
    }
  }
}

async function prepareNow(git: GitRunner, repoRoot: string, request: WorktreeRequest): Promise<{ created: boolean; head: string }> {
  const location = requireRepository(repoRoot);
  const cwd = location.topLevel;
  const { branch, path, atPath, exists } = await worktreePlace(git, cwd, request);
  // Only once nothing is refused (a refusal changes nothing), and before the worktree exists:
  // one under the main worktree's `.baton/` must never show as untracked there.
  await ensureExcluded(location.commonDir);
  if (atPath) return { created: false, head: await headOf(git, path) };
  await mkdir(dirname(path), { recursive: true });
  if (exists) {
    await git(['worktree', 'add', '--quiet', path, branch], cwd);
    return { created: true, head: await headOf(git, path) };
  }
  const base = await resolveCommit(git, cwd, request.base, 'base');
  await git(['worktree', 'add', '--quiet', '--no-track', '-b', branch, path, base], cwd);
  return { created: true, head: base };
}

/**
 * Refuses, as `prepareWorktree` would, a path or branch that is taken, without making anything:
 * so a run can refuse before it writes anything at all.
 */
export async function assertWorktreeAvailable(git: GitRunner, repoRoot: string, request: WorktreeRequest): Promise<void> {
  const cwd = requireRepository(repoRoot).topLevel;
  const { atPath, exists } = await worktreePlace(git, cwd, request);
  // A branch still to be made needs its base: a bad one (or a repository without a commit) is refused here, before anything is written.
  if (atPath === undefined && !exists) await resolveCommit(git, cwd, request.base, 'base');
}

/** Where the worktree goes, what is there now, and whether the branch exists (asked side by side: each is a git process). */
async function worktreePlace(git: GitRunner, cwd: string, request: WorktreeRequest): Promise<{ branch: string; path: string; atPath: WorktreeEntry | undefined; exists: boolean }> {
  const branch = await checkedBranchName(git, cwd, request.branch);
  const path = resolve(cwd, request.path);
  const [worktrees, exists] = await Promise.all([listWorktrees(git, cwd), branchExists(git, cwd, branch)]);
  const atPath = worktrees.find((worktree) => samePath(worktree.path, path));
  if (atPath?.branch !== branch) refuseTakenPath(worktrees, atPath, path, branch);
  return { branch, path, atPath, exists };
}

/** Refuses a path held by another worktree or other files, and a branch checked out elsewhere. */
function refuseTakenPath(worktrees: readonly WorktreeEntry[], atPath: WorktreeEntry | undefined, path: string, branch: string): void {
  if (atPath) {
    const holding = atPath.branch === null ? 'a worktree with a detached HEAD' : `a worktree of branch ${atPath.branch}`;
    throw conflict(`${path} is already ${holding}, not of ${branch}; remove it (git worktree remove ${path}) or choose another worktree path`, path, branch);
  }
  const holder = worktrees.find((worktree) => worktree.branch === branch);
  if (holder) {
    throw conflict(`branch ${branch} is already checked out in ${holder.path}; work there, or free the branch (git worktree remove ${holder.path}, or check out another branch there)`, path, branch);
  }
  // git itself accepts an empty directory, so baton does too.
  if (existsSync(path) && !isEmptyDirectory(path)) {
    throw conflict(`${path} already exists and is not a worktree of ${branch}; move or delete it, or choose another worktree path`, path, branch);
  }
}

/** The repository's worktrees, after forgetting those whose directory was deleted by hand. */
async function listWorktrees(git: GitRunner, cwd: string): Promise<WorktreeEntry[]> {
  const list = async () => parseWorktreeList((await git(['worktree', 'list', '--porcelain', '-z'], cwd)).stdout).filter((entry) => !entry.bare);
  const worktrees = await list();
  // A deleted directory still holds its branch for git; `prune` skips locked ones, which stay in the way.
  if (!worktrees.some((entry) => entry.prunable && !entry.locked)) return worktrees;
  await git(['worktree', 'prune'], cwd);
  return list();
}

/** Names git accepted as branch names: its answer depends on the name alone, and a run asks twice (plan, then worktree). */
const validBranchNames = new Set<string>();

async function checkedBranchName(git: GitRunner, cwd: string, branch: string): Promise<string> {
  if (validBranchNames.has(branch)) return branch;
  // `@{-1}` and the like name a branch through the repository's state, not by themselves.
  const remember = !branch.includes('@{');
  const valid = !branch.startsWith('-') && (await git(['check-ref-format', '--branch', branch], cwd, { okExitCodes: [0, 1, 128] })).exitCode === 0;
  if (!valid) throw new InvalidInputError('branch', `${quoted(branch)} is not a valid branch name`);
  if (remember) validBranchNames.add(branch);
  return branch;
}

/** Whether the repository at `cwd` has the local branch `branch`. */
export async function branchExists(git: GitRunner, cwd: string, branch: string): Promise<boolean> {
  const output = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], cwd, { okExitCodes: [0, 1] });
  return output.exitCode === 0;
}

async function headOf(git: GitRunner, worktree: string): Promise<string> {
  return (await git(['rev-parse', '--verify', 'HEAD'], worktree)).stdout.trim();
}

function conflict(message: string, path: string, branch: string): BatonError {
  return new BatonError('CONFLICT', message, { path, branch });
}

function isEmptyDirectory(path: string): boolean {
  try {
    return readdirSync(path).length === 0;
  } catch {
    return false;
  }
}

/** Paths compared after resolving symlinks (a temp dir may sit behind one); a missing tail is kept as written. */
function samePath(left: string, right: string): boolean {
  return canonical(left) === canonical(right);
}

function canonical(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync.native(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(canonical(parent), basename(absolute));
  }
}
