import { randomUUID } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** One path as it was: enough to tell any change and to put it back byte for byte. */
export type FileEntry =
  | { type: 'absent' }
  | { type: 'file'; mode: number; content: Buffer }
  | { type: 'symlink'; target: string }
  | { type: 'dir'; mode: number }
  /** A fifo, socket or device: compared by kind only, never recreated. */
  | { type: 'other' };

/** A watched path: a single file (a config), or a whole tree (a hooks directory). */
export interface WatchedPath {
  path: string;
  tree: boolean;
}

export interface FilesSnapshot {
  watched: readonly WatchedPath[];
  /** Every watched path and, below tree roots, every path inside; absolute. */
  entries: ReadonlyMap<string, FileEntry>;
}

export type FileChangeKind = 'added' | 'removed' | 'modified' | 'mode';

export interface FileChange {
  path: string;
  change: FileChangeKind;
}

/** Reads every watched path; a missing one is recorded as absent, so its later creation shows. */
export async function snapshotFiles(watched: readonly WatchedPath[]): Promise<FilesSnapshot> {
  const entries = new Map<string, FileEntry>();
  for (const item of dedupe(watched)) await record(item.path, item.tree, entries);
  return { watched: dedupe(watched), entries };
}

/** What differs now from `before`, deepest paths last; empty when nothing does. */
export async function compareFiles(before: FilesSnapshot): Promise<{ changes: FileChange[]; now: FilesSnapshot }> {
  const now = await snapshotFiles(before.watched);
  const changes: FileChange[] = [];
  for (const path of [...new Set([...before.entries.keys(), ...now.entries.keys()])].sort()) {
    const change = compare(before.entries.get(path) ?? ABSENT, now.entries.get(path) ?? ABSENT);
    if (change !== null) changes.push({ path, change });
  }
  return { changes, now };
}

/**
 * Puts every changed path back as `before` holds it: added paths removed (deepest first),
 * directories made again, files rewritten through a temporary file and a rename, so a reader
 * never sees half a config.
 */
export async function restoreFiles(before: FilesSnapshot, changes: readonly FileChange[]): Promise<void> {
  const byDepth = (left: FileChange, right: FileChange): number => depth(right.path) - depth(left.path);
  for (const { path } of [...changes].sort(byDepth)) {
    const wanted = before.entries.get(path) ?? ABSENT;
    const current = await entryAt(path);
    if (current.type !== 'absent' && (wanted.type !== current.type || wanted.type === 'symlink' || current.type === 'other')) await rm(path, { recursive: true, force: true });
  }
  for (const { path } of [...changes].sort((left, right) => -byDepth(left, right))) {
    const wanted = before.entries.get(path) ?? ABSENT;
    if (wanted.type === 'dir') await mkdir(path, { recursive: true, mode: wanted.mode });
    else if (wanted.type === 'file') await putFile(path, wanted);
    else if (wanted.type === 'symlink' && (await entryAt(path)).type === 'absent') await symlink(wanted.target, path);
  }
  // Directory modes last: a directory made read-only first would refuse what goes into it.
  for (const { path } of changes) {
    const wanted = before.entries.get(path);
    if (wanted?.type === 'dir') await chmod(path, wanted.mode);
  }
}

const ABSENT: FileEntry = { type: 'absent' };

async function record(path: string, tree: boolean, entries: Map<string, FileEntry>): Promise<void> {
  const entry = await entryAt(path);
  entries.set(path, entry);
  if (!tree || entry.type !== 'dir') return;
  for (const name of (await readdir(path)).sort()) await record(join(path, name), true, entries);
}

async function entryAt(path: string): Promise<FileEntry> {
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return ABSENT;
    throw error;
  }
  const mode = info.mode & 0o7777;
  if (info.isSymbolicLink()) return { type: 'symlink', target: await readlink(path) };
  if (info.isDirectory()) return { type: 'dir', mode };
  if (info.isFile()) return { type: 'file', mode, content: await readFile(path) };
  return { type: 'other' };
}

function compare(before: FileEntry, after: FileEntry): FileChangeKind | null {
  if (before.type === 'absent') return after.type === 'absent' ? null : 'added';
  if (after.type === 'absent') return 'removed';
  if (before.type !== after.type) return 'modified';
  if (before.type === 'file' && after.type === 'file') {
    if (!before.content.equals(after.content)) return 'modified';
    return before.mode === after.mode ? null : 'mode';
  }
  if (before.type === 'symlink' && after.type === 'symlink') return before.target === after.target ? null : 'modified';
  if (before.type === 'dir' && after.type === 'dir') return before.mode === after.mode ? null : 'mode';
  return null;
}

async function putFile(path: string, wanted: { mode: number; content: Buffer }): Promise<void> {
  const current = await entryAt(path);
  if (current.type === 'file' && current.content.equals(wanted.content)) {
    await chmod(path, wanted.mode);
    return;
  }
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.baton-${randomUUID()}`);
  try {
    await writeFile(temporary, wanted.content, { mode: wanted.mode });
    await chmod(temporary, wanted.mode);
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
}

function depth(path: string): number {
  return path.split('/').length;
}

function dedupe(watched: readonly WatchedPath[]): WatchedPath[] {
  const byPath = new Map<string, WatchedPath>();
  for (const item of watched) byPath.set(item.path, { path: item.path, tree: item.tree || (byPath.get(item.path)?.tree ?? false) });
  // A path inside a watched tree is already covered by it.
  const trees = [...byPath.values()].filter((item) => item.tree).map((item) => `${item.path}/`);
  return [...byPath.values()].filter((item) => !trees.some((root) => item.path.startsWith(root)));
}
