/** Which paths a contained command may not write, and which paths inside those it still may. */
export interface ContainmentPolicy {
  /** Files and directories to make read-only, everything below a directory included. */
  readOnly: readonly string[];
  /** Files and directories inside read-only ones that stay writable (a writable path elsewhere is writable anyway). */
  writable: readonly string[];
  /**
   * Directories bound onto themselves whatever their mode, so that they are mount points: a
   * mount point cannot be renamed or removed, so the read-only files below stay where they are.
   */
  pinned?: readonly string[];
  /** The home folder seen through a throwaway layer, where the tool can make one. */
  homeLayer?: HomeLayer;
  /** Temporary folders that are the command's own, where the tool can make them. */
  privateTmp?: PrivateTemporaryFolders;
  /**
   * Sockets (or folders of them) of services that run commands on request — a session bus
   * (`systemd-run --user`), a container engine, a terminal multiplexer's server — hidden from
   * the command, where the tool can: through them, what it asks for would run outside it.
   */
  hidden?: readonly string[];
}

/**
 * Temporary folders (`/tmp`…) given to one command as fresh, empty tmpfs: nothing another
 * process left there (a `node_modules` above a repository in /tmp, a planted file the next check
 * would read) reaches it. `shown` are paths below them the command must still see as they were
 * (the repository, the home), `fresh` folders it is told of (`TMPDIR`) made anew, empty.
 */
export interface PrivateTemporaryFolders {
  dirs: readonly string[];
  shown: readonly string[];
  fresh: readonly string[];
}

/**
 * HOME as a copy-on-write layer over the real one, mounted at `${mountPoint}/home` for one
 * command: writes land in memory and vanish with the command, or in `keepIn`. `writeThrough` names files below
 * the home (relative paths) that are bound from the real home, writable, on top.
 */
export interface HomeLayer {
  /** The real home folder (canonical). */
  home: string;
  /** An existing empty folder the layer is mounted on, inside the namespace only. */
  mountPoint: string;
  /** A folder that keeps what the command writes for the next command given it; absent: kept in memory, gone with the command. */
  keepIn?: string;
  writeThrough: readonly string[];
}

/** Where HOME points inside a command contained with `layer`. */
export function layeredHome(layer: HomeLayer): string {
  return `${layer.mountPoint}/home`;
}

/** One bind mount of a path onto itself, read-only or writable. */
export interface MountStep {
  path: string;
  mode: 'ro' | 'rw';
}

/**
 * The bind mounts that carry out `policy`, parents before children: each mount shadows what is
 * below it, so a writable worktree inside a read-only checkout is bound after the checkout.
 * A path listed in both lists is read-only. A path gets no mount of its own when it would
 * only repeat the mode of the nearest listed path above it (everything below a read-only
 * directory is read-only already), or when it is writable with nothing read-only above it;
 * a pinned one always does, in the mode of the nearest listed path above it.
 * Paths must be absolute and canonical (no symbolic links, no trailing slash).
 */
export function planMounts(policy: ContainmentPolicy): MountStep[] {
  const modes = new Map<string, MountStep['mode']>();
  for (const path of policy.writable) modes.set(path, 'rw');
  for (const path of policy.readOnly) modes.set(path, 'ro');
  const steps = [...modes].map(([path, mode]) => ({ path, mode })).sort(parentsFirst);
  const needed = steps.filter((step, index) => {
    const parent = steps.slice(0, index).findLast((candidate) => contains(candidate.path, step.path));
    return step.mode !== (parent?.mode ?? 'rw');
  });
  const pins = (policy.pinned ?? []).filter((path) => !modes.has(path)).map((path) => ({ path, mode: steps.findLast((step) => contains(step.path, path))?.mode ?? 'rw' }));
  return [...needed, ...pins].sort(parentsFirst);
}

/** True when `path` is `dir` or lies below it. */
export function contains(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

function parentsFirst(a: MountStep, b: MountStep): number {
  return depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

function depth(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}
