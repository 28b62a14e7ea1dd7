import { closeSync, constants, fstatSync, openSync, writeSync } from 'node:fs';
import type { Clock } from '../../app/ports.js';

/** How often a process measures its offset from the board's clock again (a clock that is set, say). */
const REMEASURE_MS = 10_000;

/** Never through a symlink, never blocking on a FIFO, never truncating what is there. */
const CLOCK_OPEN_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const CLOCK_TEXT = 'baton board clock\n';

/**
 * Opens `<board>-clock` for writing; null when it is not a regular file of its own. A symlink or
 * a hard link there (to the board itself, say) would otherwise be written through and the file
 * it points at overwritten, and a FIFO would hang every command. Throws when it cannot be opened.
 */
export function openClockFile(boardPath: string): number | null {
  const fd = openSync(`${boardPath}-clock`, CLOCK_OPEN_FLAGS, 0o644);
  const file = fstatSync(fd);
  if (file.isFile() && file.nlink === 1) return fd;
  closeSync(fd);
  return null;
}

/**
 * The board's one clock: the clock of the filesystem that stores the board.
 *
 * Leases are judged by comparing times that different processes wrote. If each used its own
 * clock, one running 31 minutes fast would reap every live 30-minute lease, and one running
 * slow would grant leases that look expired to everyone else. So every process measures how
 * far its clock is from the board's: it writes a byte to `<board>-clock` beside the board and
 * reads back the modification time, which the kernel stamps (the file server, for a board on a
 * network share), whatever the process believes the time is. Every time baton writes (created,
 * claimed, lease until) and every expiry it judges is the process's clock plus that offset, so
 * all of them are on the one clock, and a skewed process neither reaps early nor grants late.
 *
 * Where the file cannot be written (a read-only board, which cannot reap or claim anyway), or
 * is not a regular file of its own, the process clock is used as it is.
 */
export class BoardClock implements Clock {
  private offsetMs = 0;
  private measuredAtMs: number | null = null;

  constructor(private readonly boardPath: string) {}

  now(): Date {
    const local = Date.now();
    const measuredAt = this.measuredAtMs;
    if (measuredAt === null || local - measuredAt > REMEASURE_MS || local < measuredAt) this.measure();
    return new Date(Date.now() + this.offsetMs);
  }

  private measure(): void {
    try {
      const fd = openClockFile(this.boardPath);
      this.offsetMs = 0;
      if (fd !== null) {
        try {
          this.offsetMs = offsetOfFileClock(fd);
        } finally {
          closeSync(fd);
        }
      }
    } catch {
      this.offsetMs = 0;
    }
    this.measuredAtMs = Date.now();
  }
}

/** How far the filesystem's clock is from this process's: the time the kernel stamps on a write. */
function offsetOfFileClock(fd: number): number {
  const before = Date.now();
  writeSync(fd, CLOCK_TEXT, 0);
  const after = Date.now();
  return fstatSync(fd).mtimeMs - (before + after) / 2;
}
