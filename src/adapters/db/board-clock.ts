import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import type { Clock } from '../../app/ports.js';

/** How often a process measures its offset from the board's clock again (a clock that is set, say). */
const REMEASURE_MS = 10_000;

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
 * Where the file cannot be written (a read-only board, which cannot reap or claim anyway) the
 * process clock is used as it is.
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
      const fd = openSync(`${this.boardPath}-clock`, 'w');
      try {
        const before = Date.now();
        writeSync(fd, 'baton board clock\n');
        const after = Date.now();
        this.offsetMs = fstatSync(fd).mtimeMs - (before + after) / 2;
      } finally {
        closeSync(fd);
      }
    } catch {
      this.offsetMs = 0;
    }
    this.measuredAtMs = Date.now();
  }
}
