import { createHash } from 'node:crypto';
import { lstatSync, readdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import nodeProcess from 'node:process';
import { inflateSync } from 'node:zlib';
import { childProcess } from '../process/child-process.js';
import { join } from 'node:path';
import { withoutRepositoryVariables } from './run-git.js';

/*
 * An attempt may add objects to the shared object store (its commits need them) but must not
 * replace or remove one: objects are named by their content, so git never checks a stored
 * object again, and one swapped under its name changes history the repository already holds —
 * the base branch's files included — with no ref moving. No mount can make a folder
 * add-only, so the store's files are stamped before the attempt and compared after.
 */

/** Each file of an object store (loose objects, packs and their indexes, `info/`), by path, stamped. */
export type ObjectStoreSnapshot = ReadonlyMap<string, string>;

export async function snapshotObjectStore(commonDir: string): Promise<ObjectStoreSnapshot> {
  return snapshotObjectStoreNow(commonDir);
}

/*
 * Synchronous on purpose: a store of loose objects holds thousands of files, and one lstat
 * each through the thread pool cost 100+ ms where a loop of lstatSync costs a few (it runs
 * between the agent's process and the next git command, when nothing else waits on the loop).
 */
function snapshotObjectStoreNow(commonDir: string): Map<string, string> {
  const root = join(commonDir, 'objects');
  const folders = namesIn(root).filter((name) => /^[0-9a-f]{2}$/.test(name) || name === 'pack' || name === 'info');
  const snapshot = new Map<string, string>();
  for (const folder of folders) {
    for (const name of namesIn(join(root, folder))) {
      const stamp = stampOf(join(root, folder, name));
      if (stamp !== null) snapshot.set(`${folder}/${name}`, stamp);
    }
  }
  for (const name of ['info/alternates', 'info/http-alternates']) if (!snapshot.has(name)) snapshot.set(name, 'absent');
  return snapshot;
}

function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * What an attempt did to the store that it may not: a file there before that is now gone or
 * holds other content, or alternates that appeared (objects read from a folder the attempt
 * controls). Git itself touches objects it would write again (to keep them from being pruned),
 * so a changed stamp on a loose object or a pack is checked against the object's name — the
 * hash of its content — before it counts. Temporary files git leaves (`tmp_*`, `*.lock`) do not.
 */
export async function objectStoreTampering(commonDir: string, before: ObjectStoreSnapshot): Promise<string[]> {
  const root = join(commonDir, 'objects');
  const found: string[] = [];
  const current = snapshotObjectStoreNow(commonDir);
  await removeRewrittenIndexes(root, before, current);
  for (const [path, stamp] of before) {
    if (/(^|\/)tmp_|\.lock$/.test(path) || DERIVED.test(path)) continue;
    // The walk just made is the store now: the derived indexes it removed are skipped above.
    const now = current.get(path) ?? 'absent';
    if (now === stamp) continue;
    if (stamp === 'absent') found.push(`objects/${path} was added`);
    else if (now === 'absent') {
      if (!(await stillStored(commonDir, path))) found.push(`objects/${path} was removed`);
    } else if (!(await stillNamedByContent(root, path))) found.push(`objects/${path} was replaced`);
  }
  // What is new must be what its name says: a pack or loose object could otherwise answer for an id the store already holds.
  for (const path of [...current.keys()].filter((path) => !before.has(path))) {
    if (looseObjectId(path) !== null && !(await stillNamedByContent(root, path))) found.push(`objects/${path} was added, holding other content than its name`);
    if (/^pack\/pack-[0-9a-f]+\.pack$/.test(path) && !(await packVerifies(commonDir, join(root, path)))) found.push(`objects/${path} was added, and does not verify`);
  }
  return found;
}

/** The object id a loose object's path (`xx/yyyy…`, SHA-1 or SHA-256) names; null for any other path. */
function looseObjectId(path: string): string | null {
  const loose = /^([0-9a-f]{2})\/([0-9a-f]{38}|[0-9a-f]{62})$/.exec(path);
  return loose ? `${loose[1]}${loose[2]}` : null;
}
/** Indexes git derives from the objects and can do without: a commit-graph could state other parents or trees. */
const DERIVED = /^(info\/commit-graphs?|pack\/multi-pack-index.*)$/;

/** Removes the derived indexes that are new or rewritten: git reads the objects themselves then. */
async function removeRewrittenIndexes(root: string, before: ObjectStoreSnapshot, now: ObjectStoreSnapshot): Promise<void> {
  for (const [path, stamp] of now) {
    if (DERIVED.test(path) && before.get(path) !== stamp) await rm(join(root, path), { recursive: true, force: true });
  }
}

/** Whether git verifies every object of a pack against its name (`git verify-pack`). */
function packVerifies(commonDir: string, pack: string): Promise<boolean> {
  return new Promise((resolve) => {
    childProcess().execFile('git', ['--git-dir', commonDir, 'verify-pack', pack.replace(/\.pack$/, '.idx')], { env: withoutRepositoryVariables(nodeProcess.env, []), maxBuffer: 1 << 26 }, (error) => resolve(error === null));
  });
}

/** Whether a loose object or pack at `path` still hashes to its name (an index or other file: never). */
async function stillNamedByContent(root: string, path: string): Promise<boolean> {
  const loose = looseObjectId(path);
  const pack = /^pack\/pack-([0-9a-f]{40}|[0-9a-f]{64})\.pack$/.exec(path);
  try {
    if (loose !== null) return hashOf(loose, inflateSync(await readFile(join(root, path)))) === loose;
    if (pack) {
      // A pack ends with the hash of everything before it, which is also its name.
      const bytes = await readFile(join(root, path));
      const name = pack[1] as string;
      const size = name.length / 2;
      const trailer = bytes.subarray(bytes.length - size).toString('hex');
      return trailer === name && hashOf(name, bytes.subarray(0, bytes.length - size)) === name;
    }
  } catch {
    return false;
  }
  return false;
}

/**
 * Whether a loose object that is gone is still in the store, as itself: `git gc` packs loose
 * objects and deletes them, which is no harm; a pack planted to answer for it would be.
 */
async function stillStored(commonDir: string, path: string): Promise<boolean> {
  const id = looseObjectId(path);
  if (id === null) return false;
  try {
    const type = (await catFile(commonDir, ['-t', id])).toString('utf8').trim();
    const content = await catFile(commonDir, [type, id]);
    return hashOf(id, Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content])) === id;
  } catch {
    return false;
  }
}

function catFile(commonDir: string, args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    childProcess().execFile('git', ['--git-dir', commonDir, 'cat-file', ...args], { encoding: 'buffer', maxBuffer: 1 << 30, env: withoutRepositoryVariables(nodeProcess.env, []) }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}

function hashOf(name: string, bytes: Buffer): string {
  return createHash(name.length === 64 ? 'sha256' : 'sha1').update(bytes).digest('hex');
}

function stampOf(path: string): string | null {
  try {
    const stat = lstatSync(path, { bigint: true });
    return `${stat.ino}:${stat.size}:${stat.mode}:${stat.ctimeNs}`;
  } catch {
    return null;
  }
}
