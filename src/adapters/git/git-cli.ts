import { existsSync } from 'node:fs';
import type { Footprint, FootprintResult, GitPort, MergePrediction, PairPrediction } from '../../app/ports.js';

export type { FootprintResult, PairPrediction } from '../../app/ports.js';
import { BatonError, InvalidInputError } from '../../core/errors.js';
import { mapLimited } from './map-limited.js';
import { defaultBaseBranch, requireRepository } from './default-base-branch.js';
import { currentBranch } from './repository.js';
import { GitCommandError, runGit, type Environment, type GitOutput, type GitRunOptions } from './run-git.js';
import { quoted } from '../../core/quoted.js';

export interface GitCliOptions {
  /**
   * The environment git starts from, usually `process.env`. Required: inside a git hook it
   * holds GIT_DIR and GIT_INDEX_FILE of the committing worktree, which every command here drops.
   */
  env: Environment;
  /** Git processes (or worktrees) worked on at once by the `*Many` calls; 3 by default. */
  parallelism?: number;
  timeoutMs?: number;
}


const DEFAULT_PARALLELISM = 3;
const OBJECT_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** Below this many merges a batch is not worth another git process. */
const MIN_BATCH = 16;

/** `GitPort` over the git command line: a few short processes per call, no checkout touched. */
export class GitCli implements GitPort {
  private readonly parallelism: number;

  constructor(private readonly options: GitCliOptions) {
    this.parallelism = Math.max(1, options.parallelism ?? DEFAULT_PARALLELISM);
  }

  /** Read from the common dir's HEAD, which is the main worktree's: no process needed. */
  async defaultBaseBranch(repoDir: string): Promise<string> {
    return defaultBaseBranch(repoDir, this.options);
  }

  /**
   * Three git processes, run together: the merge base, what the branch committed since it
   * (`diff-tree`, tree against tree), and what is staged, unstaged or untracked (`status`).
   * Not `git diff <merge-base>`: it rewrites a stat-dirty index even with optional locks off,
   * and that index belongs to an agent. Renames count as both paths (`--no-renames`).
   */
  async footprint(worktree: string, baseBranch: string): Promise<Footprint> {
    // Else a removed worktree nested in the main checkout would report the main checkout's changes.
    if (!existsSync(worktree)) throw new BatonError('NOT_FOUND', `worktree ${worktree} does not exist any more; bind the task to its new worktree or release it`, { worktree });
    const location = requireRepository(worktree);
    const cwd = location.topLevel;
    const base = revision('base branch', baseBranch);
    const [mergeBase, committed, uncommitted] = await Promise.allSettled([
      this.git(['merge-base', '--end-of-options', 'HEAD', base], cwd),
      this.git(['diff-tree', '-r', '--name-only', '-z', '--no-renames', '--merge-base', '--end-of-options', base, 'HEAD', '--'], cwd),
      this.git(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames'], cwd),
    ]);
    const uncommittedPaths = statusPaths(settledValue(uncommitted).stdout);
    const footprint = { worktree: cwd, branch: currentBranch(location), base: baseBranch };
    if (mergeBase.status === 'fulfilled') {
      const mergeBaseId = mergeBase.value.stdout.trim();
      // `--merge-base` refuses criss-cross histories (several merge bases); diff against the one merge-base chose.
      const diff = committed.status === 'fulfilled' ? committed.value : await this.git(['diff-tree', '-r', '--name-only', '-z', '--no-renames', mergeBaseId, 'HEAD', '--'], cwd);
      return { ...footprint, mergeBase: mergeBaseId, paths: sortedUnique([...nulSeparated(diff.stdout), ...uncommittedPaths]) };
    }
    // No merge base: an unborn HEAD, or a branch unrelated to the base. Everything it tracks is its own.
    await this.requireCommit(cwd, baseBranch);
    const { stdout } = await this.git(['ls-files', '--full-name', '-z'], cwd);
    return { ...footprint, mergeBase: null, paths: sortedUnique([...nulSeparated(stdout), ...uncommittedPaths]) };
  }

  /** Footprints of many worktrees, a few at a time; one missing worktree does not fail the rest. */
  async footprints(worktrees: readonly string[], baseBranch: string): Promise<FootprintResult[]> {
    return mapLimited(worktrees, Math.max(1, Math.floor(this.parallelism / 2)), (worktree) =>
      this.footprint(worktree, baseBranch).then(
        (footprint): FootprintResult => ({ kind: 'footprint', footprint }),
        (error: unknown): FootprintResult => ({ kind: 'failed', worktree, message: messageOf(error) }),
      ),
    );
  }

  /**
   * `git merge-tree --write-tree` merges in memory; it writes only unreachable objects, never a
   * ref, an index or a file in a checkout. Exit 1 means conflicts, unless git printed no tree:
   * then a revision was bad.
   */
  async predictMerge(repoDir: string, ours: string, theirs: string): Promise<MergePrediction> {
    const cwd = requireRepository(repoDir).topLevel;
    const args = ['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', '--end-of-options', revision('ours', ours), revision('theirs', theirs)];
    const output = await this.git(args, cwd, { okExitCodes: [0, 1] });
    const [tree = '', ...paths] = output.stdout.split('\0');
    if (!OBJECT_ID.test(tree)) throw failedGit(args, cwd, output);
    return output.exitCode === 0 ? { conflicted: false, paths: [] } : { conflicted: true, paths: sortedUnique(paths.filter(Boolean)) };
  }

  /**
   * Every branch against `base` (base is ours), then every pair of branches, in that order.
   * Merges go to `git merge-tree --stdin` in a few batches, one process each; a batch that git
   * rejects (a branch deleted meanwhile) is retried pair by pair so only the bad pairs fail.
   */
  async predictMany(repoDir: string, base: string, branches: readonly string[]): Promise<PairPrediction[]> {
    const cwd = requireRepository(repoDir).topLevel;
    revision('base', base);
    const heads = [...new Set(branches)].filter((branch) => branch !== base);
    const pairs: [string, string][] = heads.map((branch) => [base, branch]);
    heads.forEach((ours, index) => heads.slice(index + 1).forEach((theirs) => pairs.push([ours, theirs])));
    const batchCount = Math.min(this.parallelism, Math.ceil(pairs.length / MIN_BATCH));
    const batchSize = Math.ceil(pairs.length / Math.max(1, batchCount));
    const batches = Array.from({ length: batchCount }, (_, index) => pairs.slice(index * batchSize, (index + 1) * batchSize));
    const results = await mapLimited(batches, this.parallelism, (batch) =>
      this.predictBatch(cwd, batch).catch(() => this.predictEach(repoDir, batch)),
    );
    return results.flat();
  }

  private async predictBatch(cwd: string, pairs: readonly [string, string][]): Promise<PairPrediction[]> {
    if (pairs.length === 0) return [];
    const args = ['merge-tree', '--stdin', '--write-tree', '--name-only', '--no-messages', '-z'];
    const input = pairs.map(([ours, theirs]) => `${revision('ours', ours)} ${revision('theirs', theirs)}\n`).join('');
    const output = await this.git(args, cwd, { input });
    const merges = parseBatch(output.stdout);
    if (merges === null || merges.length !== pairs.length) throw failedGit(args, cwd, output);
    return pairs.map(([ours, theirs], index) => ({ kind: 'predicted', ours, theirs, ...(merges[index] as MergePrediction) }));
  }

  private async predictEach(repoDir: string, pairs: readonly [string, string][]): Promise<PairPrediction[]> {
    return mapLimited(pairs, this.parallelism, ([ours, theirs]) =>
      this.predictMerge(repoDir, ours, theirs).then(
        (prediction): PairPrediction => ({ kind: 'predicted', ours, theirs, ...prediction }),
        (error: unknown): PairPrediction => ({ kind: 'failed', ours, theirs, message: messageOf(error) }),
      ),
    );
  }

  private async requireCommit(cwd: string, name: string): Promise<void> {
    const found = await this.git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${name}^{commit}`], cwd, { okExitCodes: [0, 1] });
    if (found.exitCode !== 0) {
      throw new BatonError('NOT_FOUND', `base branch ${quoted(name)} does not exist in ${cwd}; name an existing branch (git branch --list)`, { branch: name });
    }
  }

  private git(args: readonly string[], cwd: string, extra: Partial<GitRunOptions> = {}): Promise<GitOutput> {
    return runGit(args, { cwd, env: this.options.env, ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}), ...extra });
  }
}

/**
 * `merge-tree --stdin -z --name-only --no-messages` prints, per merge: `1` (clean) or `0`
 * (conflicts), the tree id, the conflicted paths, then an empty field. Null when the output
 * does not have that shape.
 */
function parseBatch(stdout: string): MergePrediction[] | null {
  const fields = stdout.split('\0');
  const merges: MergePrediction[] = [];
  let index = 0;
  while (index < fields.length - 1) {
    const status = fields[index];
    const tree = fields[index + 1] ?? '';
    if ((status !== '0' && status !== '1') || !OBJECT_ID.test(tree)) return null;
    index += 2;
    const paths: string[] = [];
    while (index < fields.length && fields[index] !== '') paths.push(fields[index++] as string);
    index += 1;
    merges.push(status === '1' ? { conflicted: false, paths: [] } : { conflicted: true, paths: sortedUnique(paths) });
  }
  return merges;
}

/** Refuses what git would read as an option, or what would split a `--stdin` line. */
function revision(field: string, name: string): string {
  if (name === '' || name.startsWith('-') || /\s/.test(name)) throw new InvalidInputError(field, `${quoted(name)} is not a branch or commit name`);
  return name;
}

function settledValue(outcome: PromiseSettledResult<GitOutput>): GitOutput {
  if (outcome.status === 'rejected') throw outcome.reason;
  return outcome.value;
}

function failedGit(args: readonly string[], cwd: string, output: GitOutput): GitCommandError {
  return new GitCommandError({ args, cwd, exitCode: output.exitCode, signal: null, timedOut: false, stderr: output.stderr });
}

/** Paths of `status --porcelain=v1 -z --no-renames`: each entry is `XY path`. */
function statusPaths(text: string): string[] {
  return nulSeparated(text).map((entry) => entry.slice(3));
}

function nulSeparated(text: string): string[] {
  return text.split('\0').filter(Boolean);
}

function sortedUnique(paths: readonly string[]): string[] {
  return [...new Set(paths)].sort();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
