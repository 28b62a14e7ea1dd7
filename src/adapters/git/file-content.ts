import { open, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import { quoted } from '../../core/quoted.js';

const READ_CHUNK_BYTES = 64 * 1024;

/** Whether a path exists and holds something: whitespace alone counts as nothing. */
export type FileState = 'missing' | 'empty' | 'present';

/**
 * The state of `path` (relative to `root`, or absolute inside it). A directory is empty
 * without entries. Refuses a path that leads out of `root`, by `..` or through a symlink:
 * what lies outside the worktree is not the attempt's work.
 */
export async function fileState(root: string, path: string): Promise<FileState> {
  const target = insidePath(root, path);
  let info;
  try {
    info = await stat(target);
  } catch (error) {
    if (isMissing(error)) return 'missing';
    throw error;
  }
  if (!isInside(await realpath(root), await realpath(target))) throw escapes(path);
  if (info.isDirectory()) return (await readdir(target)).length > 0 ? 'present' : 'empty';
  if (!info.isFile()) return 'present';
  return info.size > 0 && (await holdsSomething(target)) ? 'present' : 'empty';
}

/** Whether a file has a character other than whitespace; reads only until it finds one. */
export async function holdsSomething(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const decoder = new TextDecoder('utf-8');
    const buffer = Buffer.alloc(READ_CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return /\S/.test(decoder.decode());
      if (/\S/.test(decoder.decode(buffer.subarray(0, bytesRead), { stream: true }))) return true;
    }
  } finally {
    await handle.close();
  }
}

/** `path` resolved against `root`; refused when it climbs out of it. */
export function insidePath(root: string, path: string): string {
  const target = resolve(root, path);
  if (!isInside(resolve(root), target)) throw escapes(path);
  return target;
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
}

function escapes(path: string): InvalidInputError {
  return new InvalidInputError('path', `${quoted(path)} leads outside the worktree; name a file inside it, relative to the worktree root`);
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
