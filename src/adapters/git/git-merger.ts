import { lstat, realpath } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import type { Combined, LandOutcome, Merger, RemovalOutcome } from '../../app/merge-ports.js';
import { BatonError } from '../../core/errors.js';
import type { MergeStrategy } from '../../core/merge/merge-settings.js';
import { identityArgs, moveRef, writeCommit } from './commit-tree.js';
import type { GitRunner } from './resolve-commit.js';
import { runGit, type Environment } from './run-git.js';
import { parseWorktreeList } from './worktree-list.js';

/** How often, and how long apart, a landing tries a worktree whose index another git process has locked. */
const INDEX_LOCK_TRIES = 20;
const INDEX_LOCK_WAIT_MS = 100;

/**
 * The merge queue's git: results built from commit ids (never from names that could move), no
 * hook or fsmonitor ever run, the base branch moved only by compare-and-swap, and nothing with
 * uncommitted or unmerged work ever removed.
 */
export class GitMerger implements Merger {
  private readonly git: GitRunner;

  constructor(options: { env: Environment }) {
    this.git = (args, cwd, extra = {}) => runGit(args, { cwd, env: options.env, noHooks: true, ...extra });
  }

  async tipOf(repoRoot: string, branch: string): Promise<string | null> {
    const output = await this.git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], repoRoot, { okExitCodes: [0, 1] });
    return output.exitCode === 0 ? output.stdout.trim() : null;
  }

  async isAncestor(repoRoot: string, commit: string, of: string): Promise<boolean> {
    return (await this.git(['merge-base', '--is-ancestor', commit, of], repoRoot, { okExitCodes: [0, 1] })).exitCode === 0;
  }

  async changedPaths(repoRoot: string, baseTip: string, branchTip: string): Promise<string[]> {
    // Against where the branch left the base: what the task changed, not what the base did since.
    const output = await this.git(['diff', '--name-only', '-z', '--no-renames', `${baseTip}...${branchTip}`, '--'], repoRoot);
    return output.stdout.split('\0').filter((path) => path !== '');
  }

  async combine(repoRoot: string, request: { baseTip: string; branchTip: string; strategy: MergeStrategy; message: string; scratch: string }): Promise<Combined> {
    if (await this.isAncestor(repoRoot, request.branchTip, request.baseTip)) return { kind: 'nothing_to_land' };
    // A branch that brought the base in (a run after a conflict) has no line of its own to replay: it lands as one commit.
    if (request.strategy === 'rebase' && (await this.git(['rev-list', '--merges', '--count', `${request.baseTip}..${request.branchTip}`], repoRoot)).stdout.trim() === '0') return this.replay(repoRoot, request);
    const merged = await this.git(['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', request.baseTip, request.branchTip], repoRoot, { okExitCodes: [0, 1] });
    const [tree = '', ...paths] = merged.stdout.split('\0').filter((field) => field !== '');
    if (merged.exitCode === 1) return { kind: 'conflict', paths: [...new Set(paths)].sort() };
    // The base already holds every change of the branch (the same work landed another way): nothing to add.
    if (tree === (await this.treeOf(repoRoot, request.baseTip))) return { kind: 'nothing_to_land' };
    const parents = request.strategy === 'merge' ? [request.baseTip, request.branchTip] : [request.baseTip];
    return { kind: 'combined', commit: await writeCommit(this.git, repoRoot, { tree, parent: parents[0] ?? null, extraParents: parents.slice(1), message: request.message }) };
  }

  /** The task's commits cherry-picked onto the tip one by one, in the scratch worktree. */
  private async replay(repoRoot: string, request: { baseTip: string; branchTip: string; scratch: string }): Promise<Combined> {
    await this.checkout(repoRoot, request.scratch, request.baseTip);
    // A cherry-pick a killed baton left half done would refuse this one.
    await this.git(['cherry-pick', '--quit'], request.scratch, { okExitCodes: [0, 128] });
    const commits = (await this.git(['rev-list', '--reverse', '--topo-order', `${request.baseTip}..${request.branchTip}`], repoRoot)).stdout.split('\n').filter((id) => id !== '');
    const identity = await identityArgs(this.git, request.scratch);
    const picked = await this.git([...identity, 'cherry-pick', '--allow-empty', '--keep-redundant-commits', ...commits], request.scratch, { okExitCodes: [0, 1] });
    if (picked.exitCode === 0) {
      const head = (await this.git(['rev-parse', 'HEAD'], request.scratch)).stdout.trim();
      return (await this.treeOf(repoRoot, head)) === (await this.treeOf(repoRoot, request.baseTip)) ? { kind: 'nothing_to_land' } : { kind: 'combined', commit: head };
    }
    const unmerged = (await this.git(['diff', '--name-only', '-z', '--diff-filter=U'], request.scratch)).stdout.split('\0').filter((path) => path !== '');
    await this.git(['cherry-pick', '--abort'], request.scratch, { okExitCodes: [0, 128] });
    return { kind: 'conflict', paths: [...new Set(unmerged)].sort() };
  }

  private async treeOf(repoRoot: string, commit: string): Promise<string> {
    return (await this.git(['rev-parse', `${commit}^{tree}`], repoRoot)).stdout.trim();
  }

  async checkout(repoRoot: string, scratch: string, commit: string): Promise<{ created: boolean }> {
    const exists = await lstat(scratch).then(
      () => true,
      () => false,
    );
    if (!exists) {
      const added = await this.git(['worktree', 'add', '--detach', '--force', scratch, commit], repoRoot, { okExitCodes: [0, 128] });
      if (added.exitCode !== 0) {
        // Its folder was removed by hand and git still lists it: forgotten, then made again.
        await this.git(['worktree', 'prune'], repoRoot);
        await this.git(['worktree', 'add', '--detach', '--force', scratch, commit], repoRoot);
      }
      return { created: true };
    }
    await this.requireOwnWorktree(repoRoot, scratch);
    await this.git(['checkout', '--detach', '--force', commit], scratch);
    // What the last checks left (not ignored files: installed dependencies stay, as in a task's worktree).
    await this.git(['clean', '-ffdq'], scratch);
    return { created: false };
  }

  /**
   * What is at `scratch` must be the repository's worktree of that path: a plain folder there
   * would make git find the checkout around it (a link, the checkout it points at), and the
   * forced checkout and clean that come next would throw away a person's work there.
   */
  private async requireOwnWorktree(repoRoot: string, scratch: string): Promise<void> {
    const real = await realpath(scratch);
    const top = await this.git(['rev-parse', '--show-toplevel'], scratch, { okExitCodes: [0, 128] });
    // The linked worktrees (git lists the main one first): a link to the main checkout is no scratch worktree.
    const linked = parseWorktreeList((await this.git(['worktree', 'list', '--porcelain', '-z'], repoRoot)).stdout).slice(1);
    const registered = await Promise.all(linked.map((entry) => realpath(entry.path).catch(() => entry.path)));
    const own = !(await lstat(scratch)).isSymbolicLink() && top.exitCode === 0 && (await realpath(top.stdout.trim()).catch(() => null)) === real && registered.includes(real);
    if (own) return;
    throw new BatonError('CONFLICT', `${scratch} is where the merge queue checks merged results, but it is not a worktree of ${repoRoot} (git there would work on another checkout); move it away and retry: baton makes the worktree anew`, { path: scratch });
  }

  async land(repoRoot: string, request: { branch: string; from: string; to: string; reason: string }): Promise<LandOutcome> {
    const ref = `refs/heads/${request.branch}`;
    // Every worktree the branch is checked out in (`--force` or `--ignore-other-worktrees` makes more than one).
    const holders = await this.worktreesOn(repoRoot, request.branch);
    for (const holder of holders) {
      const dirty = await this.uncommitted(holder);
      if (dirty.length > 0) return { kind: 'paused', worktree: holder, dirty, inTheWay: [], refused: null };
      const inTheWay = await this.untrackedInTheWay(holder, request.from, request.to);
      if (inTheWay.length > 0) return { kind: 'paused', worktree: holder, dirty: [], inTheWay, refused: null };
      // What status does not show (a local edit under assume-unchanged): git's own dry run of the move says whether the files can follow.
      await this.refreshIndex(holder);
      const dryRun = await this.readTree(['-n', '-m', '-u', request.from, request.to], holder);
      if (dryRun.exitCode !== 0) return { kind: 'paused', worktree: holder, dirty: [], inTheWay: [], refused: dryRun.stderr.trim().split('\n').slice(0, 3).join('; ') };
    }
    try {
      await moveRef(this.git, repoRoot, ref, request.to, request.from, request.reason);
    } catch (error) {
      if (error instanceof BatonError && error.code === 'CONFLICT') return { kind: 'moved', tip: await this.tipOf(repoRoot, request.branch) };
      throw error;
    }
    const stale: string[] = [];
    for (const holder of holders) {
      // A checked-out worktree follows its branch: files and index from the old tip's tree to the new one.
      await this.refreshIndex(holder);
      const moved = await this.readTree(['-m', '-u', request.from, request.to], holder);
      if (moved.exitCode !== 0) stale.push(`${holder} changed while baton landed; its files are still those of ${request.from.slice(0, 12)}: run \`git -C ${holder} read-tree -m -u ${request.from} ${request.to}\` once its own changes are saved`);
    }
    return { kind: 'landed', worktree: holders[0] ?? null, stale: stale.length === 0 ? null : stale.join('\n') };
  }

  /**
   * Paths where moving `worktree` from `from` to `to` would write a file over something git does
   * not track there: a file it ignores (`uncommitted` does not list those), which `read-tree -u`
   * would replace without a word. A folder whose tracked files the move removes is git's to replace.
   */
  private async untrackedInTheWay(worktree: string, from: string, to: string): Promise<string[]> {
    const fields = (await this.git(['diff', '--name-status', '--no-renames', '-z', from, to, '--'], worktree)).stdout.split('\0');
    const changes = Array.from({ length: Math.floor(fields.length / 2) }, (_, index) => ({ status: fields[2 * index] ?? '', path: fields[2 * index + 1] ?? '' }));
    const removed = new Set(changes.filter((change) => change.status === 'D').map((change) => change.path));
    // Folders that held a removed file: every folder above each one.
    const emptied = new Set([...removed].flatMap((path) => path.split('/').slice(0, -1).map((_, index, parts) => parts.slice(0, index + 1).join('/'))));
    const inTheWay = new Set<string>();
    for (const { path } of changes.filter((change) => change.status === 'A')) {
      const parts = path.split('/');
      for (let depth = 1; depth <= parts.length; depth++) {
        const prefix = parts.slice(0, depth).join('/');
        const found = await lstat(join(worktree, prefix)).catch(() => null);
        if (found === null || removed.has(prefix)) break;
        if (found.isDirectory() && (depth < parts.length || emptied.has(prefix))) continue;
        inTheWay.add(prefix);
        break;
      }
    }
    return [...inTheWay].sort();
  }

  async followInterrupted(repoRoot: string, request: { branch: string; reasonPrefix: string }): Promise<string[]> {
    const ref = `refs/heads/${request.branch}`;
    const log = await this.git(['reflog', 'show', '--format=%H%x00%gs', '-n', '2', ref, '--'], repoRoot, { okExitCodes: [0, 128] });
    const [last, before] = log.stdout.split('\n').filter((line) => line !== '').map((line) => line.split('\0'));
    const to = last?.[0];
    const from = before?.[0];
    if (to === undefined || from === undefined || !(last?.[1] ?? '').startsWith(request.reasonPrefix) || to !== (await this.tipOf(repoRoot, request.branch))) return [];
    const fromTree = await this.treeOf(repoRoot, from);
    const followed: string[] = [];
    for (const holder of await this.worktreesOn(repoRoot, request.branch)) {
      // Exactly where the landing left it: index at the old tip's tree, files as the index says.
      await this.refreshIndex(holder);
      const index = await this.git(['write-tree'], holder, { okExitCodes: [0, 128] });
      const unstaged = await this.git(['diff', '--quiet', '--no-ext-diff'], holder, { okExitCodes: [0, 1] });
      if (index.exitCode !== 0 || index.stdout.trim() !== fromTree || unstaged.exitCode !== 0) continue;
      const moved = await this.readTree(['-m', '-u', from, to], holder);
      if (moved.exitCode === 0) followed.push(holder);
    }
    return followed;
  }

  async worktreeState(repoRoot: string, branch: string): Promise<{ worktree: string; dirty: string[] } | null> {
    const states = await Promise.all((await this.worktreesOn(repoRoot, branch)).map(async (worktree) => ({ worktree, dirty: await this.uncommitted(worktree) })));
    return states.find((state) => state.dirty.length > 0) ?? states[0] ?? null;
  }

  async removeTaskWorkspace(repoRoot: string, request: { worktree: string | null; branch: string; tip: string }): Promise<RemovalOutcome> {
    const kept: string[] = [];
    const tip = await this.tipOf(repoRoot, request.branch);
    if (tip !== null && tip !== request.tip) kept.push(`branch ${request.branch} moved to ${tip.slice(0, 12)} after the landed commit ${request.tip.slice(0, 12)}: it holds work that did not land`);
    const holders = await this.worktreesOn(repoRoot, request.branch);
    for (const holder of holders) {
      const dirty = await this.uncommitted(holder);
      if (dirty.length > 0) kept.push(`worktree ${holder} holds uncommitted work (${dirty.slice(0, 3).join(', ')}${dirty.length > 3 ? ', ...' : ''})`);
    }
    if (kept.length > 0) return { removed: [], kept };
    const removed: string[] = [];
    for (const holder of holders) {
      // Without --force: git itself refuses a worktree that holds anything untracked or changed.
      const output = await this.git(['worktree', 'remove', holder], repoRoot, { okExitCodes: [0, 128] });
      if (output.exitCode !== 0) return { removed, kept: [`worktree ${holder}: ${output.stderr.trim()}`] };
      removed.push(holder);
    }
    if (tip !== null) {
      const deleted = await this.git(['update-ref', '-d', `refs/heads/${request.branch}`, request.tip], repoRoot, { okExitCodes: [0, 1, 128] });
      if (deleted.exitCode !== 0) return { removed, kept: [`branch ${request.branch}: ${deleted.stderr.trim()}`] };
      removed.push(`branch ${request.branch}`);
    }
    return { removed, kept: [] };
  }

  /**
   * `git read-tree` in a checked-out worktree, waiting while another git process holds its index
   * lock: even the dry run takes it, and a `git status` nearby holds it for a moment to refresh
   * the index. A lock still held after that (a crashed git's) is git's answer.
   */
  private async readTree(args: readonly string[], worktree: string): Promise<{ exitCode: number; stderr: string }> {
    for (let attempt = 1; ; attempt++) {
      const output = await this.git(['read-tree', ...args], worktree, { okExitCodes: [0, 128] });
      if (output.exitCode === 0 || !output.stderr.includes('index.lock') || attempt >= INDEX_LOCK_TRIES) return output;
      await sleep(INDEX_LOCK_WAIT_MS);
    }
  }

  /**
   * Brings the index's file stats up to date, so that `read-tree -u` sees an unchanged file as
   * unchanged. It fails only on a locked index (saying nothing under -q): waited for like
   * `readTree`, and left to the `readTree` after it to report.
   */
  private async refreshIndex(worktree: string): Promise<void> {
    for (let attempt = 1; attempt <= INDEX_LOCK_TRIES; attempt++) {
      if ((await this.git(['update-index', '-q', '--refresh'], worktree, { okExitCodes: [0, 1, 128] })).exitCode !== 128) return;
      await sleep(INDEX_LOCK_WAIT_MS);
    }
  }

  /** Worktrees (not bare, still on disk) with `branch` checked out. */
  private async worktreesOn(repoRoot: string, branch: string): Promise<string[]> {
    const listed = parseWorktreeList((await this.git(['worktree', 'list', '--porcelain', '-z'], repoRoot)).stdout);
    return listed.filter((entry) => !entry.bare && !entry.prunable && entry.branch === branch).map((entry) => entry.path);
  }

  /** Tracked changes and untracked files (ignored ones do not count), repository-relative. */
  private async uncommitted(worktree: string): Promise<string[]> {
    const output = await this.git(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignore-submodules=none'], worktree);
    return output.stdout
      .split('\0')
      .filter((field) => field.length > 3 && field[2] === ' ')
      .map((field) => field.slice(3));
  }
}
