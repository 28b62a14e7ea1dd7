import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { lstat, open, readlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { requireRepository } from './default-base-branch.js';
import { mapLimited } from './map-limited.js';
import type { GitRunner } from './resolve-commit.js';
import { parseWorktreeList } from './worktree-list.js';

/** One path git calls dirty: its status record, and what is on disk, so a second write shows. */
export interface DirtyPath {
  /** The porcelain v2 record without its path: change kind, modes, ids. */
  status: string;
  /** `file`, `symlink`, `dir`, `other`, or `missing`. */
  kind: string;
  size: number;
  mtimeMs: number;
  mode: number;
  /** SHA-256 of the content (a link's target), null for what is not hashed. */
  hash: string | null;
}

/** One worktree as `git status` and the disk show it. Plain data: it can be stored as JSON. */
export interface WorktreeState {
  /** Absolute, symlinks resolved. */
  path: string;
  /** `branch.oid` and `branch.head` from `git status --branch`: where HEAD is. */
  head: string;
  dirty: Record<string, DirtyPath>;
}

export interface OutsideSnapshot {
  worktrees: WorktreeState[];
}

/** What changed in one worktree between two snapshots. */
export interface OutsideWrite {
  worktree: string;
  /** `appeared`: a worktree made meanwhile; `disappeared`: one removed meanwhile. */
  state: 'changed' | 'appeared' | 'disappeared';
  /** Absolute paths whose status or content differs, sorted. */
  paths: string[];
  /** Set when HEAD moved there (a commit, a checkout); `from`/`to` as `git status --branch` says. */
  headMoved: { from: string; to: string } | null;
}

const STATUS_PARALLELISM = 4;
const READ_PARALLELISM = 16;
/** Larger dirty files are compared by size and time only, to keep the snapshot quick. */
const MAX_HASHED_BYTES = 64 * 1024 * 1024;

/**
 * The state of every worktree of the repository but `exclude` (the task's): the main checkout
 * and other tasks' worktrees. With nothing to sandbox the agent, comparing two of these
 * before and after an attempt is how a write outside its worktree is found. Ignored files
 * are not seen (`--ignored=no`).
 */
export async function snapshotOutside(git: GitRunner, repoRoot: string, options: { exclude: readonly string[] }): Promise<OutsideSnapshot> {
  const cwd = requireRepository(repoRoot).topLevel;
  const excluded = new Set(options.exclude.map(canonical));
  const listed = parseWorktreeList((await git(['worktree', 'list', '--porcelain', '-z'], cwd)).stdout);
  const paths = listed.filter((entry) => !entry.bare && !entry.prunable).map((entry) => canonical(entry.path));
  const targets = [...new Set(paths)].filter((path) => !excluded.has(path));
  return { worktrees: await mapLimited(targets, STATUS_PARALLELISM, (path) => worktreeState(git, path, [...excluded])) };
}

/** The paths written between `before` and `after`, per worktree; empty when nothing was. */
export function compareOutside(before: OutsideSnapshot, after: OutsideSnapshot): OutsideWrite[] {
  const writes: OutsideWrite[] = [];
  const earlier = new Map(before.worktrees.map((state) => [state.path, state]));
  const later = new Map(after.worktrees.map((state) => [state.path, state]));
  for (const path of [...new Set([...earlier.keys(), ...later.keys()])].sort()) {
    const old = earlier.get(path);
    const now = later.get(path);
    if (old === undefined || now === undefined) {
      const only = (old ?? now) as WorktreeState;
      writes.push({ worktree: path, state: old === undefined ? 'appeared' : 'disappeared', paths: Object.keys(only.dirty).sort().map((rel) => join(path, rel)), headMoved: null });
      continue;
    }
    const changed = [...new Set([...Object.keys(old.dirty), ...Object.keys(now.dirty)])].filter((rel) => !samePath(old.dirty[rel], now.dirty[rel]));
    const headMoved = old.head === now.head ? null : { from: old.head, to: now.head };
    if (changed.length > 0 || headMoved !== null) writes.push({ worktree: path, state: 'changed', paths: changed.sort().map((rel) => join(path, rel)), headMoved });
  }
  return writes;
}

/**
 * `excluded` paths are left out where they show inside this worktree: the task's worktree
 * under a worktree root that is not ignored shows as one untracked directory in the main
 * checkout, whose time changes with every file the agent makes at its top.
 */
async function worktreeState(git: GitRunner, path: string, excluded: readonly string[]): Promise<WorktreeState> {
  const args = ['status', '--porcelain=v2', '-z', '--branch', '--untracked-files=all', '--ignored=no'];
  const { head, records } = parseStatus((await git(args, path)).stdout);
  const inExcluded = (rel: string): boolean => {
    const absolute = join(path, rel).replace(/\/+$/, '');
    return excluded.some((root) => absolute === root || absolute.startsWith(`${root}/`));
  };
  const dirty: Record<string, DirtyPath> = {};
  const kept = [...records.entries()].filter(([rel]) => !inExcluded(rel));
  await mapLimited(kept, READ_PARALLELISM, async ([rel, status]) => {
    dirty[rel] = { status, ...(await onDisk(join(path, rel))) };
  });
  return { path, head, dirty: Object.fromEntries(Object.entries(dirty).sort(([left], [right]) => left.localeCompare(right))) };
}

/** Path → record without the path; a rename's old path is listed as `renamed-from`. */
function parseStatus(stdout: string): { head: string; records: Map<string, string> } {
  const fields = stdout.split('\0');
  const records = new Map<string, string>();
  const head: string[] = [];
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index] as string;
    if (field === '') continue;
    if (field.startsWith('# ')) {
      if (/^# branch\.(oid|head) /.test(field)) head.push(field.slice(2));
      continue;
    }
    const kind = field[0];
    // Fields before the path: 1 → 8, 2 → 9 (then the old path as the next field), u → 10, ? and ! → 1.
    const count = kind === '1' ? 8 : kind === '2' ? 9 : kind === 'u' ? 10 : 1;
    const parts = field.split(' ');
    const status = parts.slice(0, count).join(' ');
    records.set(parts.slice(count).join(' '), status);
    if (kind === '2') records.set(fields[++index] as string, `renamed-from ${status}`);
  }
  return { head: head.join('\n'), records };
}

async function onDisk(file: string): Promise<Omit<DirtyPath, 'status'>> {
  const info = await lstat(file).catch(() => null);
  if (info === null) return { kind: 'missing', size: 0, mtimeMs: 0, mode: 0, hash: null };
  const base = { size: info.size, mtimeMs: info.mtimeMs, mode: info.mode & 0o7777 };
  if (info.isSymbolicLink()) return { kind: 'symlink', ...base, hash: sha256(await readlink(file)) };
  if (info.isDirectory()) return { kind: 'dir', ...base, hash: null };
  if (!info.isFile()) return { kind: 'other', ...base, hash: null };
  return { kind: 'file', ...base, hash: info.size > MAX_HASHED_BYTES ? null : await hashFile(file) };
}

async function hashFile(file: string): Promise<string | null> {
  const handle = await open(file, 'r').catch(() => null);
  if (handle === null) return null;
  try {
    return sha256(await handle.readFile());
  } finally {
    await handle.close();
  }
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function samePath(left: DirtyPath | undefined, right: DirtyPath | undefined): boolean {
  if (left === undefined || right === undefined) return left === right;
  return left.status === right.status && left.kind === right.kind && left.size === right.size && left.mtimeMs === right.mtimeMs && left.mode === right.mode && left.hash === right.hash;
}

function canonical(path: string): string {
  try {
    return realpathSync.native(resolve(path));
  } catch {
    return resolve(path);
  }
}
