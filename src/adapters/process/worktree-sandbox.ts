import type { CommandWrap, Sandbox, WrapOptions } from '../../app/run-ports.js';
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readdirSync, realpathSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import { locateRepository } from '../git/repository.js';
import { containedCommand, detectContainment, type Containment } from './containment.js';
import { contains, type HomeLayer, type PrivateTemporaryFolders } from './containment-plan.js';
import type { Environment } from './spawn-group.js';
import { worktreeContainmentPolicy } from './containment-policy.js';
import { serviceSocketPaths } from './service-sockets.js';

/**
 * The runner's `Sandbox` over the containment adapter: with namespaces, every command an
 * attempt starts (the agent, the checks, setup) runs in a PID namespace of its own — nothing
 * it starts outlives it — and can write only to its worktree, the git objects and refs a commit
 * there needs, and the shared temporary folders (`/tmp`, `/var/tmp`, `/dev/shm`, `TMPDIR`).
 * Everything else is read-only: the system (so root cannot plant a `pytest` in /usr/local/bin),
 * the main checkout, the other worktrees, the board, hooks and git config. HOME is a layer of
 * the command's own over the real home where the system allows one (what a command writes
 * there never reaches the checks or the user; the agent's layer lasts across its attempts,
 * each check's only as long as the check), read-only where not; an agent's credential files
 * write through, so a login refresh is kept. Each command's temporary folders are its own
 * (fresh tmpfs, the repository, the home and what is on PATH shown again), and the sockets of
 * services that would run a command outside on its behalf are hidden (service-sockets.ts).
 * Without namespaces it says why, and the runner falls back to detecting writes instead.
 */
export class WorktreeSandbox implements Sandbox {
  private constructor(
    private readonly containment: Containment,
    private readonly worktreeRoot: string,
    private readonly ownDirs: readonly string[],
    private readonly home: string | null,
    private readonly layersHome: boolean,
    private readonly tmpdir: string | null,
    private readonly shared: readonly string[],
    private readonly services: readonly string[],
  ) {}

  /**
   * Probes what the system allows (once per process; ~30 ms), unless `env` turns containment
   * off (`BATON_CONTAINMENT=off`). The temporary folder `TMPDIR` names stays writable even
   * where it lies inside the checkout. `programs` are folders every command must still see
   * (baton's own package and Node, which an agent runs to read the board).
   */
  static async detect(worktreeRoot: string, env: Environment, programs: readonly string[] = []): Promise<WorktreeSandbox> {
    const ownDirs = [...SHARED_SCRATCH, env.TMPDIR ?? ''].flatMap((dir) => (dir ? (canonical(dir) ?? []) : []));
    const containment = await detectContainment(env);
    const home = env.HOME ? canonical(env.HOME) : null;
    const layersHome = containment.kind === 'namespaces' && containment.layersHome;
    const tmpdir = env.TMPDIR ? canonical(env.TMPDIR) : null;
    const named = [...(env.BATON_SANDBOX_SHARE ?? '').split(':'), ...programFolders(env.PATH), ...CONFIG_FOLDER_VARIABLES.map((name) => env[name] ?? ''), ...programs];
    const shared = named.flatMap((path) => (path.startsWith('/') ? (canonical(path) ?? []) : []));
    const services = serviceSocketPaths(env, nodeProcess.geteuid?.() ?? null).flatMap((path) => canonical(path) ?? []);
    return new WorktreeSandbox(containment, canonical(worktreeRoot) ?? worktreeRoot, ownDirs, home, layersHome, tmpdir, shared, services);
  }

  get active(): boolean {
    return this.containment.kind === 'namespaces';
  }

  get description(): string {
    const { containment } = this;
    if (containment.kind === 'none') return `none (${containment.reason}); writes outside the worktree are detected after each attempt instead`;
    const home = this.layersHome && this.home !== null && this.home !== '/' ? 'HOME a layer of its own' : 'HOME read-only';
    return `namespaces (${containment.tool}): own PID namespace; writable only the worktree and temporary folders of its own; ${home}; main checkout, other worktrees, board, hooks and git config read-only; sockets of services that run commands hidden`;
  }

  /** Claude Code skips its permission prompts as root only inside a sandbox it is told of. */
  get environment(): Record<string, string> {
    return this.containment.kind === 'namespaces' && this.containment.root ? { IS_SANDBOX: '1' } : {};
  }

  wrapFor(mainCheckout: string, worktree: string, options: WrapOptions = {}): CommandWrap | null {
    const { containment } = this;
    if (containment.kind !== 'namespaces') return null;
    const location = locateRepository(worktree);
    if (location === null) return null;
    // Bind mounts need paths with their symbolic links resolved.
    const real = (path: string): string => canonical(path) ?? path;
    const branchRef = options.branch ? `refs/heads/${options.branch}` : null;
    const gitCommonDir = real(location.commonDir);
    const layout = {
      mainCheckout: real(mainCheckout),
      gitCommonDir,
      worktree: real(location.topLevel),
      worktreeGitDir: real(location.gitDir),
      worktreeRoot: this.worktreeRoot,
      // Read-only as a whole when the command commits nothing: no log needs a mount of its own.
      refLogs: options.commitsNothing ? [] : filesBelow(join(gitCommonDir, 'logs')),
      ...(branchRef ? { branchRef } : {}),
      ...(options.commitsNothing ? { commitsNothing: true } : {}),
    };
    const policy = worktreeContainmentPolicy(layout);
    const layer = this.layer(`${layout.gitCommonDir}/baton/home-layer`, options.keepHomeIn);
    // The real home is read-only even where it lies in a temporary folder: the layer is the command's home.
    const protectedFiles = (options.readOnly ?? []).map(real);
    // A hard link elsewhere in the worktree would be a writable way to a read-only file.
    protectedFiles.filter((path) => contains(layout.worktree, path)).forEach(ownInode);
    const head = options.holdHead ? [join(layout.worktreeGitDir, 'HEAD')] : [];
    const readOnly = ['/', ...policy.readOnly, ...(this.home !== null && this.home !== '/' ? [this.home] : []), ...protectedFiles, ...head];
    const writable = [...policy.writable, ...this.ownDirs, ...(options.writable ?? []).map(real), ...(layer?.keepIn ? [layer.keepIn] : [])];
    const needed = [...readOnly, ...writable, ...(layer ? [layer.mountPoint] : [])];
    const privateTmp = this.privateTemporaryFolders(needed);
    const hidden = this.hiddenServices(needed);
    const pinned = (options.pinned ?? []).map(real);
    const withOwn = { readOnly, writable, pinned, ...(layer ? { homeLayer: layer } : {}), privateTmp, hidden };
    return (command) => containedCommand(command, containment, withOwn);
  }

  /** The service sockets to hide, but those `BATON_SANDBOX_SHARE` names and folders holding a path the command needs. */
  private hiddenServices(needed: readonly string[]): string[] {
    const keep = [...needed, ...(this.home ? [this.home] : []), ...this.shared];
    return this.services.filter((path) => !keep.some((kept) => contains(path, kept) || contains(kept, path)));
  }

  /**
   * Fresh temporary folders, showing again what lies below them that the command needs: the
   * repository's paths, the home, the folders on PATH, those CONFIG_FOLDER_VARIABLES name (an
   * agent's configuration), what `BATON_SANDBOX_SHARE` names (colon-separated); `TMPDIR`, when
   * it lies below one, is made anew.
   */
  private privateTemporaryFolders(paths: readonly string[]): PrivateTemporaryFolders {
    const dirs = this.ownDirs.filter((dir) => TEMPORARY_FOLDERS.includes(dir));
    const below = (path: string): boolean => dirs.some((dir) => path !== dir && contains(dir, path));
    const candidates = [...paths, ...(this.home ? [this.home] : []), ...this.shared].filter((path) => below(path) && !dirs.includes(path) && path !== this.tmpdir);
    const shown = [...new Set(candidates)].filter((path, _, all) => !all.some((other) => other !== path && contains(other, path)) && canonical(path) !== null);
    const fresh = this.tmpdir && below(this.tmpdir) && !shown.some((path) => contains(path, this.tmpdir as string)) ? [this.tmpdir] : [];
    return { dirs, shown, fresh };
  }

  /**
   * The HOME layer, mounted on `mountPoint` (made here; in baton's folder, which no contained
   * command can write), with the credential files that exist now written through.
   */
  private layer(mountPoint: string, keepIn?: string): HomeLayer | null {
    const { home } = this;
    if (home === null || !this.layersHome || home === '/' || !makeDir(mountPoint)) return null;
    const writeThrough = AGENT_CREDENTIALS.filter((file) => isPlainFile(join(home, file)));
    const kept = keepIn === undefined ? null : canonical(keepIn);
    return { home, mountPoint: canonical(mountPoint) ?? mountPoint, writeThrough, ...(kept ? { keepIn: kept } : {}) };
  }
}

/** Scratch space every process may write; `/proc` so the containment can map the command's user. */
const SHARED_SCRATCH = ['/tmp', '/var/tmp', '/dev/shm', '/proc'];
/** Of those, the ones each command gets fresh. */
const TEMPORARY_FOLDERS = ['/tmp', '/var/tmp', '/dev/shm'];

/** Variables naming folders of configuration and state that agents and tools read, wherever they are. */
const CONFIG_FOLDER_VARIABLES = ['CODEX_HOME', 'CLAUDE_CONFIG_DIR', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME', 'XDG_CACHE_HOME'];

/** Files below HOME that agent CLIs rewrite when they refresh a login. */
const AGENT_CREDENTIALS = ['.claude/.credentials.json', '.codex/auth.json', '.gemini/oauth_creds.json', '.qwen/oauth_creds.json', '.local/share/opencode/auth.json'];

/**
 * The folders on PATH, so the programs found there still run where a folder lies in a temporary
 * one; for `node_modules/.bin`, whose entries link into the packages beside it, the whole
 * `node_modules`.
 */
function programFolders(path: string | undefined): string[] {
  return (path ?? '').split(':').filter((dir) => dir.startsWith('/')).map((dir) => (/\/node_modules\/\.bin\/?$/.test(dir) ? dir.replace(/\/\.bin\/?$/, '') : dir));
}

/** Every file below `dir` (symbolic links not followed); none when it cannot be read. */
function filesBelow(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  } catch {
    return [];
  }
}

/** Gives a file with other hard links an inode of its own (a copy put in its place), so only this path reaches its content. */
function ownInode(path: string): void {
  try {
    const stat = lstatSync(path);
    if (!stat.isFile() || stat.nlink < 2) return;
    const copy = `${path}.baton-${nodeProcess.pid}.tmp`;
    copyFileSync(path, copy);
    chmodSync(copy, stat.mode & 0o7777);
    renameSync(copy, path);
  } catch {
    // Gone meanwhile, or not ours to copy: the read-only mount still holds for this path.
  }
}

function makeDir(path: string): boolean {
  try {
    mkdirSync(path, { recursive: true, mode: 0o700 });
    return true;
  } catch {
    return false;
  }
}

function isPlainFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

/** The path with symbolic links resolved; null when it does not exist. */
function canonical(path: string): string | null {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
}
