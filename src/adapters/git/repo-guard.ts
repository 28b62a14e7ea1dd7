import { readdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { requireRepository } from './default-base-branch.js';
import { compareFiles, restoreFiles, snapshotFiles, type FileChangeKind, type FilesSnapshot, type WatchedPath } from './guarded-files.js';
import {
  compareRefs,
  headLogs,
  headLogsSince,
  movedByOwnHead,
  otherWorktreeGitDirs,
  putBackByAGuard,
  readRefs,
  type RefChange,
  type RefChangeKind,
  type RefsSnapshot,
  type RefValue,
  type WorktreeHeadLog,
} from './guarded-refs.js';
import type { GitRunner } from './resolve-commit.js';
import { runGit, type Environment } from './run-git.js';

export interface RepoGuardOptions {
  /** The environment git starts from (`process.env`); also where the global config is found. */
  env: Environment;
  timeoutMs?: number;
}

export interface RepoGuardScope {
  /** The task branch (short name): the branch guard's to judge, so not guarded here. */
  branch: string;
  /** More refs others may move during the attempt: exact names, or prefixes ending in `/`. */
  ignoreRefs?: readonly string[];
}

/** What the repository held before an attempt; opaque to callers, kept in memory. */
export interface RepoSnapshot {
  readonly worktree: string;
  readonly gitDir: string;
  readonly commonDir: string;
  readonly scope: RepoGuardScope;
  readonly takenAtMs: number;
  readonly files: FilesSnapshot;
  readonly refs: RefsSnapshot;
}

/** One thing the attempt changed; `text` says it for people, `restored` whether it was put back. */
export type RepoChange =
  | { kind: 'file'; path: string; change: FileChangeKind; restored: true; text: string }
  | {
      kind: 'ref';
      ref: string;
      change: RefChangeKind;
      before: string | null;
      after: string | null;
      restored: boolean;
      keptAs: string | null;
      text: string;
      /**
       * The move is recorded as another worktree's own, in its HEAD log: work going on beside
       * the attempt (another run's checkpoint, a person's commit), when the attempt could not
       * have written that log (contained).
       */
      byOthers?: true;
    };

/** Refs every fetch moves (an editor fetches on its own): reported, never put back. */
const REMOTE_PREFIX = 'refs/remotes/';
const BATON_PREFIX = 'refs/baton/';
/** The reflog message of a ref the guard put back; another run's guard leaves such a ref alone. */
const GUARD_MESSAGE = 'baton: put back by the repository guard';

/**
 * Guards what an agent could change in the repository around its worktree to run code in
 * baton's or the person's git (hooks, config, attributes, the worktree's `.git` pointer) or to
 * move work that is not its own (refs). `snapshot` before the attempt; `verifyAndRestore`
 * after it, before any other git command in the repository.
 */
export class RepoGuard {
  private readonly git: GitRunner;

  constructor(private readonly options: RepoGuardOptions) {
    this.git = (args, cwd, extra = {}) => runGit(args, { cwd, env: options.env, noHooks: true, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...extra });
  }

  async snapshot(worktree: string, scope: RepoGuardScope): Promise<RepoSnapshot> {
    const location = requireRepository(worktree);
    const { topLevel, gitDir, commonDir } = location;
    const watched = [...(await repositoryFiles(topLevel, gitDir, commonDir, location.linked)), ...(await this.configFiles(topLevel, commonDir))];
    const [files, refs, others] = await Promise.all([snapshotFiles(watched), readRefs(this.git, topLevel), otherWorktreeGitDirs(commonDir, gitDir).then(headLogs)]);
    return { worktree: topLevel, gitDir, commonDir, scope, takenAtMs: Date.now(), files, refs: { refs, others } };
  }

  /**
   * Compares the repository with `snapshot` and puts back what differs: files first, byte for
   * byte and mode for mode, without running git (a planted config could run code through it);
   * then refs, each only if it still holds what was just read. A ref's replaced value is kept
   * under `<evidencePrefix>/<ref>` (default `refs/baton/guard/<snapshot time>`). Not put back,
   * only reported: remote-tracking refs, and a branch checked out in another worktree that
   * moved through that worktree's own HEAD (a person's commit in the main checkout).
   */
  async verifyAndRestore(snapshot: RepoSnapshot, options: { evidencePrefix?: string } = {}): Promise<RepoChange[]> {
    const { changes: fileChanges } = await compareFiles(snapshot.files);
    await restoreFiles(snapshot.files, fileChanges);
    const display = (path: string): string => displayPath(path, snapshot.commonDir);
    const changes: RepoChange[] = fileChanges.map(({ path, change }) => ({ kind: 'file', path, change, restored: true, text: `${display(path)} was ${FILE_WORDS[change]}; put back` }));
    const prefix = (options.evidencePrefix ?? `${BATON_PREFIX}guard/${snapshot.takenAtMs}`).replace(/\/+$/, '');
    const refChanges = compareRefs(snapshot.refs.refs, await readRefs(this.git, snapshot.worktree), (ref) => ignored(ref, snapshot.scope)).filter((change) => !madeByARun(change));
    const others = refChanges.length === 0 ? [] : await headLogsSince(snapshot.refs.others, snapshot.commonDir, snapshot.gitDir);
    for (const change of refChanges) changes.push(await this.settleRef(snapshot, change, prefix, others));
    return changes;
  }

  private async settleRef(snapshot: RepoSnapshot, change: RefChange, prefix: string, others: readonly WorktreeHeadLog[]): Promise<RepoChange> {
    const base = { kind: 'ref' as const, ref: change.ref, change: change.change, before: valueText(change.before), after: valueText(change.after) };
    const what = `${change.ref} was ${refWords(change)}`;
    if (change.ref.startsWith(REMOTE_PREFIX)) return { ...base, restored: false, keptAs: null, text: `${what}; left as it is (remote-tracking refs move with every fetch)` };
    const movedBy = await movedByOwnHead(change, others, snapshot.commonDir);
    if (movedBy !== null) return { ...base, restored: false, keptAs: null, byOthers: true, text: `${what}; left as it is (moved by work in ${movedBy}, whose HEAD log records it)` };
    if (await putBackByAGuard(snapshot.commonDir, change, GUARD_MESSAGE)) return { ...base, restored: false, keptAs: null, text: `${what}; left as it is (another baton run's guard put it back)` };
    const keptAs = change.after !== null && change.after.symref === null ? `${prefix}/${change.ref}` : null;
    if (keptAs !== null) await this.git(['update-ref', '--create-reflog', '-m', 'baton: value the guard replaced', keptAs, (change.after as RefValue).id], snapshot.worktree);
    await this.detachIfOn(snapshot, change);
    const restored = await this.putBack(snapshot.worktree, change);
    const kept = keptAs === null ? '' : ` (the value it had is kept as ${keptAs})`;
    return { ...base, restored, keptAs, text: restored ? `${what}; put back${kept}` : `${what}; it moved again meanwhile, so it was left as it is${kept}` };
  }

  /**
   * The task worktree's HEAD on a ref about to be put back (`git switch -c x`) would follow it:
   * HEAD is detached at the same commit first, files untouched, for the branch guard to handle.
   */
  private async detachIfOn(snapshot: RepoSnapshot, change: RefChange): Promise<void> {
    if (change.after === null) return;
    const head = await readFile(join(snapshot.gitDir, 'HEAD'), 'utf8').catch(() => '');
    if (head.trim() !== `ref: ${change.ref}`) return;
    await this.git(['update-ref', '--no-deref', '-m', 'baton: detached from a ref the guard puts back', 'HEAD', change.after.id], snapshot.worktree);
  }

  /** False when the ref no longer holds what was read a moment ago: someone else is moving it. */
  private async putBack(cwd: string, change: RefChange): Promise<boolean> {
    const { ref, before, after } = change;
    const run = async (args: string[]): Promise<boolean> => (await this.git(args, cwd, { okExitCodes: [0, 1, 128] })).exitCode === 0;
    if (before === null) return run(['update-ref', '--no-deref', '-m', GUARD_MESSAGE, '-d', ref, ...(after?.symref ? [] : [after?.id ?? ''])]);
    if (before.symref !== null) return run(['symbolic-ref', '-m', GUARD_MESSAGE, ref, before.symref]);
    const expected = after === null ? [''] : after.symref === null ? [after.id] : [];
    return run(['update-ref', '--no-deref', '--create-reflog', '-m', GUARD_MESSAGE, ref, before.id, ...expected]);
  }

  /**
   * Every config file git reads here (`--show-origin`), the files they include, the usual
   * global and system ones even when missing, and the hooks directory core.hooksPath names.
   */
  private async configFiles(topLevel: string, commonDir: string): Promise<WatchedPath[]> {
    const { stdout } = await this.git(['config', '--list', '--show-origin', '-z'], topLevel, { okExitCodes: [0, 1] });
    const watched: WatchedPath[] = standardConfigFiles(this.options.env).map((path) => ({ path, tree: false }));
    let hooksPath: string | null = null;
    const fields = stdout.split('\0');
    for (let index = 0; index + 1 < fields.length; index += 2) {
      const origin = fields[index] as string;
      const entry = fields[index + 1] as string;
      // Command-line values are baton's own `-c`; blobs and stdin are not files an agent can edit.
      if (!origin.startsWith('file:')) continue;
      const file = resolve(topLevel, origin.slice('file:'.length));
      watched.push({ path: file, tree: false });
      const newline = entry.indexOf('\n');
      const key = (newline === -1 ? entry : entry.slice(0, newline)).toLowerCase();
      const value = newline === -1 ? '' : entry.slice(newline + 1);
      if (/^include(if\..*)?\.path$/.test(key) && value !== '') watched.push({ path: expandPath(value, dirname(file), this.options.env), tree: false });
      if (key === 'core.hookspath') hooksPath = value;
    }
    if (hooksPath !== null && hooksPath !== '') watched.push({ path: expandPath(hooksPath, dirname(commonDir), this.options.env), tree: true });
    return watched;
  }
}

const FILE_WORDS: Record<FileChangeKind, string> = { added: 'added', removed: 'removed', modified: 'changed', mode: 'given other permissions' };

/** The repository's own files that decide what git runs and which repository it works on. */
async function repositoryFiles(topLevel: string, gitDir: string, commonDir: string, linked: boolean): Promise<WatchedPath[]> {
  const file = (path: string): WatchedPath => ({ path, tree: false });
  const linkedDirs = await readdir(join(commonDir, 'worktrees')).catch(() => [] as string[]);
  return [
    file(join(commonDir, 'config')),
    file(join(commonDir, 'config.worktree')),
    ...linkedDirs.map((name) => file(join(commonDir, 'worktrees', name, 'config.worktree'))),
    file(join(commonDir, 'info', 'attributes')),
    file(join(commonDir, 'info', 'exclude')),
    file(join(commonDir, 'info', 'grafts')),
    { path: join(commonDir, 'hooks'), tree: true },
    // Rewritten, they would point baton's git at another repository with its own config.
    ...(linked ? [file(join(topLevel, '.git')), file(join(gitDir, 'commondir')), file(join(gitDir, 'gitdir')), file(join(gitDir, 'config.worktree'))] : []),
  ];
}

function standardConfigFiles(env: Environment): string[] {
  const home = env.HOME;
  const files: string[] = [];
  if (env.GIT_CONFIG_GLOBAL) files.push(env.GIT_CONFIG_GLOBAL);
  else {
    const xdg = env.XDG_CONFIG_HOME || (home ? join(home, '.config') : null);
    if (xdg) files.push(join(xdg, 'git', 'config'));
    if (home) files.push(join(home, '.gitconfig'));
  }
  if (!env.GIT_CONFIG_NOSYSTEM) files.push(env.GIT_CONFIG_SYSTEM || '/etc/gitconfig');
  return files.filter((path) => isAbsolute(path) && path !== '/dev/null');
}

function expandPath(path: string, base: string, env: Environment): string {
  if (path.startsWith('~/') && env.HOME) return join(env.HOME, path.slice(2));
  return resolve(base, path);
}

function ignored(ref: string, scope: RepoGuardScope): boolean {
  if (ref === `refs/heads/${scope.branch}`) return true;
  return (scope.ignoreRefs ?? []).some((name) => (name.endsWith('/') ? ref.startsWith(name) : ref === name));
}

/**
 * Baton's own refs (`refs/baton/...`: work it kept, quarantined or put back) are made by the
 * runs going on meanwhile, each once under a name of its own, and never moved or deleted: a new
 * one is no attempt's doing, while one that moved or vanished is work an attempt tried to lose.
 */
function madeByARun(change: RefChange): boolean {
  return change.ref.startsWith(BATON_PREFIX) && change.change === 'created';
}

function valueText(value: RefValue | null): string | null {
  if (value === null) return null;
  return value.symref === null ? value.id : `-> ${value.symref}`;
}

function refWords(change: RefChange): string {
  const show = (value: RefValue | null): string => (value === null ? '' : value.symref === null ? value.id.slice(0, 12) : `-> ${value.symref}`);
  if (change.change === 'created') return `created at ${show(change.after)}`;
  if (change.change === 'deleted') return `deleted (it was at ${show(change.before)})`;
  return `moved from ${show(change.before)} to ${show(change.after)}`;
}

/** Inside the main worktree's folder: relative (`.git/hooks/post-commit`); elsewhere absolute. */
function displayPath(path: string, commonDir: string): string {
  const rel = relative(dirname(commonDir), path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
