import { closeSync, lstatSync, openSync, readlinkSync, readSync, statSync, type Stats } from 'node:fs';
import { BatonError } from '../../core/errors.js';

const SQLITE_HEADER = 'SQLite format 3\0';

/** What is at the board path, judged without opening it: a FIFO must not block us, a device must not be read. */
export type BoardFileState = { kind: 'absent' } | { kind: 'empty' } | { kind: 'file'; stats: Stats };

/**
 * Looks at the board path (following a symlink) and refuses anything but a regular file or
 * nothing at all, naming what is there and the fix. Only `stat` is used: nothing is opened.
 */
export function inspectBoardPath(path: string): BoardFileState {
  const link = lstatOrNull(path);
  if (link === null) return { kind: 'absent' };
  const stats = statOrNull(path);
  const through = link.isSymbolicLink() ? `a symlink to ${linkTarget(path)}, which is ` : '';
  if (stats === null) throw notAFile(path, `${through}missing`);
  if (!stats.isFile()) throw notAFile(path, `${through}${describeKind(stats)}`);
  for (const sibling of [`${path}-wal`, `${path}-shm`]) assertSiblingFile(sibling);
  return stats.size === 0 ? { kind: 'empty' } : { kind: 'file', stats };
}

/**
 * SQLite's -wal and -shm beside the board come and go as connections open and close, so only
 * what is there now and is not a file (or a symlink to one) is refused.
 */
function assertSiblingFile(sibling: string): void {
  const link = lstatOrNull(sibling);
  if (link === null || link.isFile()) return;
  const target = link.isSymbolicLink() ? statOrNull(sibling) : link;
  if (target !== null && target.isFile()) return;
  const what = target === null ? 'a dangling symlink' : describeKind(target);
  throw notAFile(sibling, what, `SQLite keeps the board's journal there; remove ${sibling}`);
}

/** The first 100 bytes of a SQLite file hold its header: anything else is left alone. */
export function assertSqliteHeader(path: string): void {
  const header = new Uint8Array(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (!isSqliteHeader(header)) {
    throw new BatonError(
      'BOARD_UNREADABLE',
      `${path} is not a baton board (not a SQLite database); it was left untouched. ` +
        'Move it aside, or point --db / BATON_DB at the right file',
      { path },
    );
  }
}

/** Compared byte by byte: decoding the bytes to a string costs every command more than the check. */
export function isSqliteHeader(bytes: Uint8Array): boolean {
  if (bytes.length < SQLITE_HEADER.length) return false;
  for (let index = 0; index < SQLITE_HEADER.length; index++) if (bytes[index] !== SQLITE_HEADER.charCodeAt(index)) return false;
  return true;
}

function describeKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notAFile(path: string, what: string, fix = 'point --db / BATON_DB at a board file (or at a path where `baton init` may create one)'): BatonError {
  return new BatonError('BOARD_UNREADABLE', `${path} is ${what}, not a board file; it was left untouched. ${capitalise(fix)}`, { path, what });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function linkTarget(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return 'somewhere';
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    return missingOrThrow(path, error);
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    return missingOrThrow(path, error);
  }
}

function missingOrThrow(path: string, error: unknown): null {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return null;
  if (code === 'ENOTDIR') throw notAFile(path, 'inside something that is not a folder (a part of the path is a file)');
  if (code === 'ELOOP') throw notAFile(path, 'a loop of symlinks');
  if (code === 'EACCES') {
    throw new BatonError('BOARD_READ_ONLY', `cannot reach the board at ${path} (permission denied); make its folders readable, or point --db at another board`, { path });
  }
  throw error;
}
