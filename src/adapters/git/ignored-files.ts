import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import process from 'node:process';
import { mapLimited } from './map-limited.js';
import type { GitRunner } from './resolve-commit.js';

/*
 * Files git ignores are never committed, yet the checks read them: an ignored `conftest.py`
 * behind a `.gitignore` the attempt added, a `node` planted in `node_modules/.bin`, a patched
 * test runner in `node_modules`. So that the checks see what a commit of the attempt would
 * hold (plus what setup installed), what the agent's turn created or changed among them is
 * removed before the checks run. Changed means any write: the inode's change time moves with
 * every write, rename or chmod, and no process can set it back.
 */

/** Each ignored file (or link) in a worktree, by path, as a stamp that any write changes. */
export type IgnoredSnapshot = ReadonlyMap<string, string>;

/** Paths below these are baton's own (the agent's report and notes), never removed. */
const OWN_PREFIXES = ['.baton/'];

/**
 * Every ignored file in `worktree` (recursing into ignored folders), stamped. A git repository
 * nested in the worktree is one entry, `path/`, whose stamp covers every file below it: git
 * lists it so, and does not look inside.
 */
export async function snapshotIgnored(git: GitRunner, worktree: string): Promise<IgnoredSnapshot> {
  const { stdout } = await git(['ls-files', '-z', '--others', '--ignored', '--exclude-standard'], worktree);
  const paths = stdout.split('\0').filter((path) => path !== '' && !OWN_PREFIXES.some((prefix) => path.startsWith(prefix)));
  const stamps = await mapLimited(paths, 64, async (path) => [path, await stampOf(join(worktree, path))] as const);
  return new Map(stamps.filter((entry): entry is readonly [string, string] => entry[1] !== null));
}

/**
 * The reference a worktree's ignored files are compared with, kept in baton's own folder (which
 * no contained command can write) so that a run resuming in the same worktree compares with
 * what setup left, not with what a crashed run's checks planted. Tied to the worktree's own git
 * folder by inode and birth: a worktree made anew at the same path gets a reference of its own.
 */
export async function loadIgnoredReference(commonDir: string, gitDir: string): Promise<IgnoredSnapshot | null> {
  const text = await readFile(await referenceFile(commonDir, gitDir), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return new Map(Object.entries(JSON.parse(text) as Record<string, string>));
  } catch {
    return null;
  }
}

export async function saveIgnoredReference(commonDir: string, gitDir: string, snapshot: IgnoredSnapshot): Promise<void> {
  const file = await referenceFile(commonDir, gitDir);
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(Object.fromEntries(snapshot)));
  await rename(temporary, file);
}

async function referenceFile(commonDir: string, gitDir: string): Promise<string> {
  const stat = await lstat(gitDir, { bigint: true });
  return join(commonDir, 'baton', 'ignored', `${basename(gitDir)}-${stat.ino}-${stat.birthtimeNs}.json`);
}

/** The paths in `after` that are new or stamped differently since `before`, sorted. */
export function createdOrChanged(before: IgnoredSnapshot, after: IgnoredSnapshot): string[] {
  return [...after].filter(([path, stamp]) => before.get(path) !== stamp).map(([path]) => path).sort();
}

/**
 * Removes what the agent created or changed among the ignored files since `before`; returns
 * the paths removed. A folder left empty stays: git does not see it, and no check reads it.
 */
export async function removeIgnoredWrites(git: GitRunner, worktree: string, before: IgnoredSnapshot): Promise<string[]> {
  const written = createdOrChanged(before, await snapshotIgnored(git, worktree));
  await mapLimited(written, 64, (path) => rm(join(worktree, path), { force: true, recursive: path.endsWith('/') }));
  return written;
}

async function stampOf(path: string): Promise<string | null> {
  try {
    if (path.endsWith('/')) return await folderStamp(path);
    const stat = await lstat(path, { bigint: true });
    return `${stat.ino}:${stat.size}:${stat.mode}:${stat.mtimeNs}:${stat.ctimeNs}`;
  } catch {
    return null;
  }
}

/** A stamp of a folder and everything below it (links not followed). */
async function folderStamp(dir: string): Promise<string> {
  const entries = (await readdir(dir, { recursive: true })).sort();
  const stamps = await mapLimited(entries, 64, async (entry) => `${entry}=${(await stampOf(join(dir, entry))) ?? ''}`);
  return createHash('sha256').update(stamps.join('\n')).digest('hex');
}
