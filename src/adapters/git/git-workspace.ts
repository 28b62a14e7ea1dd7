import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Workspace } from '../../app/run-ports.js';
import type { AddedLine, ChangedFile } from '../../core/run/changed-file.js';
import { BatonError } from '../../core/errors.js';
import { defaultBaseBranch, requireRepository } from './default-base-branch.js';
import { parseAddedLines, parseNameStatus } from './diff-output.js';
import { fileState, holdsSomething } from './file-content.js';
import { ensureExcluded } from './info-exclude.js';
import { mapLimited } from './map-limited.js';
import { prepareWorktree, type WorktreeRequest } from './prepare-worktree.js';
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
/** Files read at once to tell emptied ones. */
const READ_PARALLELISM = 16;
const FALLBACK_IDENTITY = { name: 'baton', email: 'baton@localhost' };

/**
 * The runner's `Workspace` over the git command line. What changed since a checkpoint is
 * read by staging everything (`git add --all`) and diffing the index against the checkpoint:
 * untracked files count, ignored ones do not, and only that worktree's index is touched.
 */
export class GitWorkspace implements Workspace {
  private readonly git: GitRunner;
  /** Full commit ids already seen to exist, per worktree (see `commitId`). */
  private readonly knownCommits = new Map<string, string>();

  constructor(private readonly options: GitWorkspaceOptions) {
    this.git = (args, cwd, extra = {}) => runGit(args, { cwd, env: options.env, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...extra });
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

  async prepareWorktree(repoRoot: string, request: WorktreeRequest): Promise<{ created: boolean; head: string }> {
    return prepareWorktree(this.git, repoRoot, request);
  }

  async head(worktree: string): Promise<string> {
    return (await this.git(['rev-parse', '--verify', 'HEAD'], requireRepository(worktree).topLevel)).stdout.trim();
  }

  /** Stages everything in the worktree (its own index only), baton's files excluded. */
  async stageAll(worktree: string): Promise<void> {
    const location = requireRepository(worktree);
    await ensureExcluded(location.commonDir);
    await this.git(['add', '--all'], location.topLevel);
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
   * `--no-verify`: the project's pre-commit and commit-msg hooks are for people, and baton's
   * own checks have just run (prepare-commit-msg and post-commit hooks still run).
   * `--cleanup=whitespace` keeps lines starting with `#`, such as a task id.
   */
  async commitAll(worktree: string, message: string): Promise<string | null> {
    const cwd = requireRepository(worktree).topLevel;
    await this.stageAll(cwd);
    const staged = await this.git(['diff', '--cached', '--quiet', '--no-ext-diff'], cwd, { okExitCodes: [0, 1] });
    if (staged.exitCode === 0) return null;
    const identity = await this.identityArgs(cwd);
    await this.git([...identity, 'commit', '--quiet', '--no-verify', '--no-gpg-sign', '--cleanup=whitespace', '--file=-'], cwd, { input: message });
    return this.head(cwd);
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
    if (tree !== ontoTree) {
      const identity = await this.identityArgs(cwd);
      const text = message.endsWith('\n') ? message : `${message}\n`;
      squashed = (await this.git([...identity, 'commit-tree', '--no-gpg-sign', tree, '-p', ontoId, '-F', '-'], cwd, { input: text })).stdout.trim();
    }
    await this.git(['update-ref', '-m', 'baton: squash', 'HEAD', squashed, headId], cwd);
    return squashed;
  }

  async fileState(worktree: string, path: string): Promise<'missing' | 'empty' | 'present'> {
    return fileState(worktree, path);
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
    const id = await resolveCommit(this.git, cwd, revision, field);
    if (id === revision) this.knownCommits.set(key, id);
    return id;
  }

  private async treeOf(cwd: string, commit: string): Promise<string> {
    return (await this.git(['rev-parse', '--verify', `${commit}^{tree}`], cwd)).stdout.trim();
  }

  /** `-c user.name=... -c user.email=...` for what git has no value for; env variables still win. */
  private async identityArgs(cwd: string): Promise<string[]> {
    const { stdout } = await this.git(['config', '--get-regexp', '^user\\.(name|email)$'], cwd, { okExitCodes: [0, 1] });
    const keys = new Set(stdout.split('\n').filter((line) => / \S/.test(line)).map((line) => line.slice(0, line.indexOf(' ')).toLowerCase()));
    return [...(keys.has('user.name') ? [] : ['-c', `user.name=${FALLBACK_IDENTITY.name}`]), ...(keys.has('user.email') ? [] : ['-c', `user.email=${FALLBACK_IDENTITY.email}`])];
  }
}

/** A regular file that holds nothing but whitespace; a symlink or a submodule never is. */
async function isEmptied(file: string): Promise<boolean> {
  const info = await lstat(file).catch(() => null);
  if (info === null || !info.isFile()) return false;
  return info.size === 0 || !(await holdsSomething(file));
}
