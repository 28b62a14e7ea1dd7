import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { GitRunner } from './resolve-commit.js';

/** A ref's value: the object it names, and for a symbolic ref the ref it points to. */
export interface RefValue {
  id: string;
  symref: string | null;
}

/** Another worktree's HEAD as of the snapshot: how far its HEAD log went then. */
export interface WorktreeHeadLog {
  /** The worktree's git dir (`.git` or `.git/worktrees/<name>`). */
  gitDir: string;
  logBytes: number;
}

export interface RefsSnapshot {
  refs: ReadonlyMap<string, RefValue>;
  others: readonly WorktreeHeadLog[];
}

export type RefChangeKind = 'created' | 'deleted' | 'moved';

export interface RefChange {
  ref: string;
  change: RefChangeKind;
  before: RefValue | null;
  after: RefValue | null;
}

/** Every ref the repository has, seen from `cwd` (shared refs and that worktree's own). */
export async function readRefs(git: GitRunner, cwd: string): Promise<Map<string, RefValue>> {
  const { stdout } = await git(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(symref)'], cwd);
  const refs = new Map<string, RefValue>();
  for (const line of stdout.split('\n')) {
    const [ref, id, symref] = line.split('\0');
    if (ref === undefined || ref === '' || id === undefined) continue;
    refs.set(ref, { id, symref: symref === undefined || symref === '' ? null : symref });
  }
  return refs;
}

export function compareRefs(before: ReadonlyMap<string, RefValue>, after: ReadonlyMap<string, RefValue>, ignored: (ref: string) => boolean): RefChange[] {
  const changes: RefChange[] = [];
  for (const ref of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    if (ignored(ref)) continue;
    const old = before.get(ref) ?? null;
    const now = after.get(ref) ?? null;
    if (old === null && now !== null) changes.push({ ref, change: 'created', before: null, after: now });
    else if (old !== null && now === null) changes.push({ ref, change: 'deleted', before: old, after: null });
    else if (old !== null && now !== null && (old.id !== now.id || old.symref !== now.symref)) changes.push({ ref, change: 'moved', before: old, after: now });
  }
  return changes;
}

/** The git dirs of every worktree but `ownGitDir`, read from the files: the main one and `worktrees/*`. */
export async function otherWorktreeGitDirs(commonDir: string, ownGitDir: string): Promise<string[]> {
  const linked = await readdir(join(commonDir, 'worktrees')).catch(() => [] as string[]);
  return [commonDir, ...linked.map((name) => join(commonDir, 'worktrees', name))].filter((gitDir) => gitDir !== ownGitDir);
}

/**
 * The other worktrees now, each with how far its HEAD log went at the snapshot: a worktree
 * added since (another run's new task worktree) is read from its first entry.
 */
export async function headLogsSince(snapshot: readonly WorktreeHeadLog[], commonDir: string, ownGitDir: string): Promise<WorktreeHeadLog[]> {
  const known = new Map(snapshot.map((log) => [log.gitDir, log.logBytes]));
  return (await otherWorktreeGitDirs(commonDir, ownGitDir)).map((gitDir) => ({ gitDir, logBytes: known.get(gitDir) ?? 0 }));
}

/**
 * Whether the ref's own log says its last move was a repository guard putting it back (that
 * of another baton run in the same repository), to the value it holds now.
 */
export async function putBackByAGuard(commonDir: string, change: RefChange, message: string): Promise<boolean> {
  if (change.after === null || change.after.symref !== null) return false;
  const log = await readFile(join(commonDir, 'logs', change.ref), 'utf8').catch(() => '');
  const last = log.trimEnd().split('\n').pop() ?? '';
  const tab = last.indexOf('\t');
  return tab !== -1 && last.slice(tab + 1) === message && last.split(' ')[1] === change.after.id;
}

export async function headLogs(gitDirs: readonly string[]): Promise<WorktreeHeadLog[]> {
  return Promise.all(gitDirs.map(async (gitDir) => ({ gitDir, logBytes: (await stat(join(gitDir, 'logs', 'HEAD')).catch(() => null))?.size ?? 0 })));
}

/**
 * The worktree whose own HEAD made `change`, if any: the ref is checked out there and that
 * worktree's HEAD log, since the snapshot, leads from the old value to the new one. Such a
 * move is a person's commit in the main checkout, or another baton run's checkpoint in its
 * worktree; a ref moved from the task's worktree (`git branch -f`, `update-ref`) is not
 * written to that log. The worktree's top level is returned, for people to read.
 */
export async function movedByOwnHead(change: RefChange, others: readonly WorktreeHeadLog[], commonDir: string): Promise<string | null> {
  if (change.after === null || change.after.symref !== null) return null;
  for (const other of others) {
    const head = await readFile(join(other.gitDir, 'HEAD'), 'utf8').catch(() => '');
    if (head.trim() !== `ref: ${change.ref}`) continue;
    let reached: string | null = change.before?.id ?? null;
    for (const [old, next] of await logSince(other)) if (reached === null || old === reached) reached = next;
    if (reached === change.after.id) return topLevelOf(other.gitDir, commonDir);
  }
  return null;
}

async function logSince(log: WorktreeHeadLog): Promise<[string, string][]> {
  const buffer = await readFile(join(log.gitDir, 'logs', 'HEAD')).catch(() => Buffer.alloc(0));
  // A log shorter than before was expired or rewritten: all of it is read then.
  const text = buffer.subarray(buffer.length >= log.logBytes ? log.logBytes : 0).toString('utf8');
  return text
    .split('\n')
    .map((line) => line.split(' ', 2))
    .filter((fields): fields is [string, string] => fields.length === 2);
}

async function topLevelOf(gitDir: string, commonDir: string): Promise<string> {
  if (gitDir === commonDir) return dirname(commonDir);
  const pointer = await readFile(join(gitDir, 'gitdir'), 'utf8').catch(() => '');
  return pointer.trim() === '' ? gitDir : dirname(pointer.trim());
}
