import { lstat, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import type { Workspace } from '../../app/run-ports.js';
import type { AddedLine, ChangedFile } from '../../core/run/changed-file.js';
import { BatonError } from '../../core/errors.js';
import { restoreBranch, verifyBranch, type BranchExpectation, type BranchVerdict } from './branch-guard.js';
import { identityArgs, moveRef, writeCommit } from './commit-tree.js';
import { defaultBaseBranch, requireRepository } from './default-base-branch.js';
import { parseAddedLines, parseNameStatus } from './diff-output.js';
import { fileState, holdsSomething } from './file-content.js';
import { readFilesAtCommit, readStagedFiles } from './file-at-commit.js';
import { ensureExcluded } from './info-exclude.js';
import { mapLimited } from './map-limited.js';
import { addAllBut, nestedRepositories } from './nested-repositories.js';
import { removeIgnoredWrites, snapshotIgnored, type IgnoredSnapshot } from './ignored-files.js';
import { compareOutside, snapshotOutside, type OutsideSnapshot, type OutsideWrite } from './outside-writes.js';
import { assertWorktreeAvailable, branchExists, prepareWorktree, type WorktreeRequest } from './prepare-worktree.js';
import { quarantine } from './quarantine.js';
import { resolveCommit, type GitRunner } from './resolve-commit.js';
import { runGit, type Environment } from './run-git.js';

export interface GitWorkspaceOptions {
  /** The environment git starts from, usually `process.env` (repository variables are dropped). */
  env: Environment;
  timeoutMs?: number;
}

/**
 * Patch options that user config must not change: no colour, no external diff or textconv
 * program, the usual `a/` `b/` prefixes (`diff.noprefix`, `diff.mnemonicPrefix`), renames found.
 */
const PATCH_OPTIONS = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-relative', '--src-prefix=a/', '--dst-prefix=b/', '-M'];
/** A full object id (SHA-1 or SHA-256): it names the same object for good. */
const FULL_OBJECT_ID = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
/** Files read at once to tell emptied ones. */
const READ_PARALLELISM = 16;

/**
 * The runner's `Workspace` over the git command line. What changed since a checkpoint is
 * read by staging everything (`git add --all`) and diffing the index against the checkpoint:
 * untracked files count, ignored ones do not, and only that worktree's index is touched.
 */
export class GitWorkspace implements Workspace {
  private readonly git: GitRunner;
  /** Full commit ids already seen to exist (or being asked about), per worktree (see `commitId`). */
  private readonly knownCommits = new Map<string, Promise<string>>();
  /** The trees of full commit ids already asked about, per worktree (see `treeOf`). */
  private readonly knownTrees = new Map<string, string>();

  constructor(private readonly options: GitWorkspaceOptions) {
    // Every command runs with hooks and fsmonitor off: the agent may have planted either, and
    // nothing baton commits may be changed by code running behind its back.
    this.git = (args, cwd, extra = {}) => runGit(args, { cwd, env: options.env, noHooks: true, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...extra });
  }

  async defaultBaseBranch(repoRoot: string): Promise<string> {
    return defaultBaseBranch(repoRoot, this.options);
  }

  /** `--no-renames`: a staged rename is both of its paths, as a person would list them. */
  async uncommittedChanges(repoRoot: string): Promise<string[]> {
    const cwd = requireRepository(repoRoot).topLevel;
    const { stdout } = await this.git(['status', '--porcelain=v1', '-z', '--untracked-files=no', '--no-renames'], cwd);
    const paths = stdout.split('\0').filter(Boolean).map((entry) => entry.slice(3));
    return [...new Set(paths)].sort();
  }

  async assertWorktreeAvailable(repoRoot: string, request: WorktreeRequest): Promise<void> {
    return assertWorktreeAvailable(this.git, repoRoot, request);
  }

  async prepareWorktree(repoRoot: string, request: WorktreeRequest): Promise<{ created: boolean; head: string }> {
    return prepareWorktree(this.git, repoRoot, request);
  }

  async head(worktree: string): Promise<string> {
    return (await this.git(['rev-parse', '--verify', 'HEAD'], requireRepository(worktree).topLevel)).stdout.trim();
  }

  /** Stages everything in the worktree (its own index only), baton's files excluded. */
  /**
   * Stages everything in the worktree into an index built afresh from HEAD, then puts it in
   * place of the worktree's own. Not into the index as the attempt left it: an entry flagged
   * skip-worktree or assume-unchanged, or one whose saved file times were made to match an
   * edited file, would have `git add` keep the old content — the checks would run the edited
   * file and the commit hold the old one. A fresh index knows no file, so every one is hashed.
   * Git repositories made inside the worktree are left out (see nested-repositories.ts).
   */
  async stageAll(worktree: string): Promise<void> {
    const location = requireRepository(worktree);
    await ensureExcluded(location.commonDir);
    const cwd = location.topLevel;
    const fresh = join(location.gitDir, 'index.baton-fresh');
    const withFresh = { env: { ...(this.options.env ?? nodeProcess.env), GIT_INDEX_FILE: fresh }, keep: ['GIT_INDEX_FILE'] };
    const [head, nested] = await Promise.all([this.headOrNull(cwd), nestedRepositories(this.git, cwd), rm(fresh, { force: true })]);
    if (head !== null) await this.git(['read-tree', head], cwd, withFresh);
    await this.git(addAllBut(nested), cwd, withFresh);
    await rename(fresh, join(location.gitDir, 'index'));
  }

  nestedRepositories(worktree: string): Promise<string[]> {
    return nestedRepositories(this.git, requireRepository(worktree).topLevel);
  }

  async changes(worktree: string, since: string): Promise<ChangedFile[]> {
    const { cwd, sinceId } = await this.sinceCommit(worktree, since);
    const { stdout } = await this.git(['diff', '--cached', '-z', '--name-status', '-M', '--no-ext-diff', '--no-relative', sinceId, '--'], cwd);
    return mapLimited(parseNameStatus(stdout), READ_PARALLELISM, async (entry) => ({
      ...entry,
      emptied: entry.change !== 'deleted' && (await isEmptied(join(cwd, entry.path))),
    }));
  }

  /** Binary files show as `Binary files ... differ`, enough for evidence. */
  async diff(worktree: string, since: string): Promise<string> {
    const { cwd, sinceId } = await this.sinceCommit(worktree, since);
    return (await this.git(['diff', '--cached', ...PATCH_OPTIONS, sinceId, '--'], cwd)).stdout;
  }

  async addedLines(worktree: string, since: string): Promise<AddedLine[]> {
    const { cwd, sinceId } = await this.sinceCommit(worktree, since);
    const { stdout } = await this.git(['diff', '--cached', '-U0', '--inter-hunk-context=0', ...PATCH_OPTIONS, sinceId, '--'], cwd);
    return parseAddedLines(stdout);
  }

  /**
   * Stages everything (like `stageAll`) and commits that tree on HEAD with plumbing (see
   * `commitTree`), so no hook can change what is committed. Null when the tree is HEAD's.
   * The message is cleaned up like `--cleanup=whitespace`: lines starting with `#` stay.
   */
  async commitAll(worktree: string, message: string): Promise<string | null> {
    const cwd = requireRepository(worktree).topLevel;
    const tree = await this.snapshotTree(cwd);
    const parent = await this.headOrNull(cwd);
    if (parent !== null && (await this.treeOf(cwd, parent)) === tree) return null;
    return this.commitTree(cwd, { tree, parent, message });
  }

  /**
   * Stages everything like `stageAll` and writes the index as a tree object: the id of
   * exactly what was staged, to be checked and later committed with `commitTree`.
   */
  async snapshotTree(worktree: string): Promise<string> {
    const cwd = requireRepository(worktree).topLevel;
    await this.stageAll(cwd);
    return (await this.git(['write-tree'], cwd)).stdout.trim();
  }

  /**
   * Commits `tree` (a `snapshotTree` id) with `parent` as its only parent and moves HEAD's
   * branch to it, only if the branch is still at `parent` (CONFLICT otherwise). With `branch`,
   * HEAD must also be on that branch (CONFLICT otherwise). The commit is made even when
   * `tree` is the parent's tree (compare with `treeOf` first). Files and index are untouched.
   */
  async commitTree(worktree: string, request: { tree: string; parent: string | null; message: string; branch?: string }): Promise<string> {
    const cwd = requireRepository(worktree).topLevel;
    // Side by side: the commit object is written while HEAD's branch is read; on the wrong branch it is left unreferenced.
    const [, commit] = await Promise.all([request.branch !== undefined ? this.requireOnBranch(cwd, request.branch) : undefined, writeCommit(this.git, cwd, request)]);
    await moveRef(this.git, cwd, 'HEAD', commit, request.parent, 'baton: commit');
    return commit;
  }

  async readFilesAt(worktree: string, commit: string, paths: readonly string[]): Promise<(string | null)[]> {
    return readFilesAtCommit(requireRepository(worktree).topLevel, commit, paths, { env: this.options.env });
  }

  async readStagedFiles(worktree: string, paths: readonly string[]): Promise<(string | null)[]> {
    return readStagedFiles(requireRepository(worktree).topLevel, paths, { env: this.options.env });
  }

  /** The paths the index holds (after `stageAll`: what is judged and committed), repository-relative. */
  async stagedFiles(worktree: string): Promise<string[]> {
    const { stdout } = await this.git(['ls-files', '--cached', '--full-name', '-z'], requireRepository(worktree).topLevel);
    return [...new Set(stdout.split('\0').filter(Boolean))];
  }

  /** Which of `paths` differ in the worktree from the index (changed, removed, or replaced by something else). */
  async changedFromIndex(worktree: string, paths: readonly string[]): Promise<string[]> {
    const cwd = requireRepository(worktree).topLevel;
    const changed: string[] = [];
    // Named on the command line (git 2.39's diff takes no pathspec file), a thousand at a time.
    for (let start = 0; start < paths.length; start += 1_000) {
      const args = ['--literal-pathspecs', 'diff', '--name-only', '-z', '--no-ext-diff', '--no-renames', '--no-relative', '--', ...paths.slice(start, start + 1_000)];
      changed.push(...(await this.git(args, cwd)).stdout.split('\0').filter(Boolean));
    }
    return [...new Set(changed)].sort();
  }

  /** The tree id of a commit; remembered for full commit ids, whose tree never changes. */
  async treeOf(worktree: string, commit: string): Promise<string> {
    const cwd = requireRepository(worktree).topLevel;
    const key = `${cwd}\0${commit}`;
    const known = this.knownTrees.get(key);
    if (known !== undefined) return known;
    const tree = (await this.git(['rev-parse', '--verify', `${commit}^{tree}`], cwd)).stdout.trim();
    if (FULL_OBJECT_ID.test(commit)) this.knownTrees.set(key, tree);
    return tree;
  }

  /** Without `-x`: ignored files (node_modules, build output, `.baton/`) survive the reset. */
  async resetTo(worktree: string, commit: string): Promise<void> {
    const location = requireRepository(worktree);
    const cwd = location.topLevel;
    const id = await this.commitId(cwd, commit, 'commit');
    await ensureExcluded(location.commonDir);
    await this.git(['reset', '--quiet', '--hard', id, '--'], cwd);
    await this.git(['clean', '-f', '-d', '--quiet'], cwd);
  }

  /**
   * Writes HEAD's tree as one commit on `onto` with plumbing (`commit-tree`, then `update-ref`
   * guarded by the old HEAD), so the index and files, and anything not committed, stay as they
   * are. When the commits after `onto` add up to nothing (the same tree), an empty commit
   * would say nothing: HEAD goes back to `onto` and `onto` is returned.
   */
  async squash(worktree: string, onto: string, message: string): Promise<string> {
    const cwd = requireRepository(worktree).topLevel;
    const [ontoId, headId] = await Promise.all([this.commitId(cwd, onto, 'onto'), this.head(cwd)]);
    if (ontoId === headId) return ontoId;
    const ancestor = await this.git(['merge-base', '--is-ancestor', ontoId, headId], cwd, { okExitCodes: [0, 1] });
    if (ancestor.exitCode !== 0) {
      throw new BatonError('CONFLICT', `${onto} is not an ancestor of HEAD in ${cwd}, so there are no commits after it to squash; name a commit HEAD descends from`, { onto, head: headId });
    }
    const [tree, ontoTree] = await Promise.all([this.treeOf(cwd, headId), this.treeOf(cwd, ontoId)]);
    let squashed = ontoId;
    if (tree !== ontoTree) squashed = await writeCommit(this.git, cwd, { tree, parent: ontoId, message });
    await moveRef(this.git, cwd, 'HEAD', squashed, headId, 'baton: squash');
    return squashed;
  }

  async fileState(worktree: string, path: string): Promise<'missing' | 'empty' | 'present'> {
    return fileState(worktree, path);
  }

  async branchExists(repoRoot: string, branch: string): Promise<boolean> {
    return branchExists(this.git, requireRepository(repoRoot).topLevel, branch);
  }

  /** See `quarantine` in quarantine.ts: uncommitted work saved on `ref`, nothing else changed. */
  async quarantine(worktree: string, ref: string): Promise<string | null> {
    return quarantine(this.git, this.options.env, worktree, ref);
  }

  /** See `verifyBranch` in branch-guard.ts. */
  async verifyBranch(worktree: string, expected: BranchExpectation): Promise<BranchVerdict> {
    return verifyBranch(this.git, worktree, expected);
  }

  /** See ignored-files.ts: every file git ignores in `worktree`, stamped. */
  snapshotIgnored(worktree: string): Promise<IgnoredSnapshot> {
    return snapshotIgnored(this.git, worktree);
  }

  /** See ignored-files.ts: removes the ignored files written since `before`, and names them. */
  removeIgnoredWrites(worktree: string, before: IgnoredSnapshot): Promise<string[]> {
    return removeIgnoredWrites(this.git, worktree, before);
  }

  /** See `snapshotOutside` in outside-writes.ts: every worktree but those in `exclude`. */
  async snapshotOutside(repoRoot: string, options: { exclude: readonly string[] }): Promise<OutsideSnapshot> {
    return snapshotOutside(this.git, repoRoot, options);
  }

  /** See `compareOutside` in outside-writes.ts (pure: no I/O). */
  compareOutside(before: OutsideSnapshot, after: OutsideSnapshot): OutsideWrite[] {
    return compareOutside(before, after);
  }

  /** See `restoreBranch` in branch-guard.ts. */
  async restoreBranch(worktree: string, request: BranchExpectation & { evidenceRef: string }): Promise<{ kept: { ref: string; commit: string }[] }> {
    return restoreBranch(this.git, worktree, request);
  }

  private async sinceCommit(worktree: string, since: string): Promise<{ cwd: string; sinceId: string }> {
    const cwd = requireRepository(worktree).topLevel;
    return { cwd, sinceId: await this.commitId(cwd, since, 'since') };
  }

  /**
   * `resolveCommit`, remembered for full commit ids: an id names the same commit for good, and
   * the runner asks about its checkpoints again and again.
   */
  private async commitId(cwd: string, revision: string, field: string): Promise<string> {
    const key = `${cwd}\0${revision}`;
    const known = this.knownCommits.get(key);
    if (known !== undefined) return known;
    // The question is remembered while git answers it: the judge asks about one commit several times at once.
    const asked = resolveCommit(this.git, cwd, revision, field);
    this.knownCommits.set(key, asked);
    try {
      const id = await asked;
      if (id !== revision) this.knownCommits.delete(key);
      return id;
    } catch (error) {
      this.knownCommits.delete(key);
      throw error;
    }
  }

  /** HEAD's commit, or null on a branch without commits yet. */
  async bringIn(worktree: string, request: { branch: string; base: string; message: string }): Promise<{ commit: string; base: string; conflicts: string[] } | null> {
    const cwd = requireRepository(worktree).topLevel;
    await this.requireOnBranch(cwd, request.branch);
    const [head, base] = await Promise.all([this.head(cwd), resolveCommit(this.git, cwd, `refs/heads/${request.base}`, 'baseBranch')]);
    if ((await this.git(['merge-base', '--is-ancestor', base, head], cwd, { okExitCodes: [0, 1] })).exitCode === 0) return null;
    // Merged by git, committed by baton: no hook, no editor, and the conflicted files kept with their markers.
    // git asks for an identity before it merges, even one it does not commit.
    const identity = await identityArgs(this.git, cwd);
    const merged = await this.git([...identity, 'merge', '--no-ff', '--no-commit', '--no-edit', base], cwd, { okExitCodes: [0, 1] });
    const unmerged = (await this.git(['diff', '--name-only', '-z', '--diff-filter=U'], cwd)).stdout.split('\0').filter((path) => path !== '');
    if (merged.exitCode !== 0 && unmerged.length === 0) {
      await this.git(['merge', '--abort'], cwd, { okExitCodes: [0, 128] });
      throw new BatonError('FAILED', `git could not merge ${request.base} into ${request.branch} in ${cwd}: ${merged.stderr.trim() || merged.stdout.trim()}`, { worktree: cwd });
    }
    await this.git(['add', '--all', '--', '.'], cwd);
    const tree = (await this.git(['write-tree'], cwd)).stdout.trim();
    const commit = await writeCommit(this.git, cwd, { tree, parent: head, extraParents: [base], message: request.message });
    await moveRef(this.git, cwd, `refs/heads/${request.branch}`, commit, head, `baton: bring ${request.base} into ${request.branch}`);
    await this.git(['merge', '--quit'], cwd);
    return { commit, base, conflicts: [...new Set(unmerged)].sort() };
  }

  private async headOrNull(cwd: string): Promise<string | null> {
    const output = await this.git(['rev-parse', '--verify', '--quiet', 'HEAD'], cwd, { okExitCodes: [0, 1] });
    return output.exitCode === 0 ? output.stdout.trim() : null;
  }

  private async requireOnBranch(cwd: string, branch: string): Promise<void> {
    const output = await this.git(['symbolic-ref', '--quiet', 'HEAD'], cwd, { okExitCodes: [0, 1] });
    const on = output.stdout.trim();
    if (on === `refs/heads/${branch}`) return;
    const where = on === '' ? 'detached' : `on ${on.replace(/^refs\/heads\//, '')}`;
    throw new BatonError('CONFLICT', `HEAD in ${cwd} is ${where}, not on ${branch}, so baton did not commit; put it back with restoreBranch first`, { branch, head: on });
  }
}

/** A regular file that holds nothing but whitespace; a symlink or a submodule never is. */
async function isEmptied(file: string): Promise<boolean> {
  const info = await lstat(file).catch(() => null);
  if (info === null || !info.isFile()) return false;
  return info.size === 0 || !(await holdsSomething(file));
}
