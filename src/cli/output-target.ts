import { closeSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isSqliteHeader } from '../adapters/db/board-file.js';
import { BatonError, InvalidInputError } from '../core/errors.js';
import type { CommandContext } from './context.js';

/** The board and the files beside it that baton or SQLite write: output there would be overwritten, or destroy the board. */
const BOARD_SIBLINGS = ['', '-wal', '-shm', '-journal', '-clock'];

/**
 * Refuses a file a command was told to write (`export -o`, `prime --write`) when it is the
 * board, one of its SQLite siblings or its clock file, any other SQLite database, or not a regular file: output
 * written there would destroy a database or hang on a FIFO. Nothing is written when refused.
 */
export function assertOutputTarget(ctx: CommandContext, path: string, field: string): void {
  const board = boardPathOrNull(ctx);
  const stats = statOrNull(path);
  if (board !== null) {
    const target = canonical(path);
    const boardReal = canonical(board);
    for (const suffix of BOARD_SIBLINGS) {
      const sibling = statOrNull(`${board}${suffix}`);
      const sameName = target === `${boardReal}${suffix}`;
      const sameFile = stats !== null && sibling !== null && stats.dev === sibling.dev && stats.ino === sibling.ino;
      if (sameName || sameFile) {
        throw new InvalidInputError(field, `${path} is the board${suffix === '' ? '' : `'s ${suffix.slice(1)} file`} (${board}${suffix}); baton does not write its output there. Name another file`);
      }
    }
  }
  if (stats === null) return;
  if (!stats.isFile()) throw new InvalidInputError(field, `${path} is ${describe(stats)}, not a regular file; name a regular file`);
  if (startsLikeSqlite(path)) {
    throw new InvalidInputError(field, `${path} is a SQLite database; baton does not write over one. Name another file`);
  }
}

/** The board path if there is one to protect; outside a repository without --db there is none. */
function boardPathOrNull(ctx: CommandContext): string | null {
  try {
    return ctx.boardPath();
  } catch (error) {
    if (error instanceof BatonError && error.code === 'NOT_IN_REPOSITORY') return null;
    throw error;
  }
}

/** The path with symlinks resolved, as far as it exists: a file that is not there yet keeps its name. */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}

function startsLikeSqlite(path: string): boolean {
  const header = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, header, 0, 16, 0) === 16 && isSqliteHeader(header);
  } finally {
    closeSync(fd);
  }
}

function describe(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
