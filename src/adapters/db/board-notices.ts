import { closeSync, watch, writeSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { hrtime } from 'node:process';
import { openClockFile } from './board-clock.js';

/** How long after a notice a waiter keeps looking for the commit it announced. */
export const RECHECK_WINDOW_MS = 1000;

/**
 * Notices of writes to the board's files, from an inotify watch on its folder: every commit
 * writes the -wal file, so a waiter hears of it within milliseconds, and an idle board costs nothing.
 *
 * A notice announces a commit but may come before the commit can be read. SQLite writes a
 * commit's frames to the -wal (that write is the notice) and only then publishes them in the
 * wal-index of the -shm file, which is shared memory and raises no notice at all. A reader that
 * wakes on the write and looks at once can still see the board as it was, and nothing wakes it
 * again. So a notice is not used up by one look: see `recheckDelayMs`. And baton's own writers
 * ring a bell once their commit is visible (`ringCommitBell`), so their commits never wait on it.
 */
export class BoardNotices {
  private watcher: FSWatcher | undefined;
  private lastNoticeAt = Number.NEGATIVE_INFINITY;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly boardPath: string) {}

  /** Starts watching (once); throws what `fs.watch` throws, a missing folder included. */
  start(): void {
    if (this.watcher) return;
    const name = basename(this.boardPath);
    this.watcher = watch(dirname(this.boardPath), { persistent: true }, (_event, file) => {
      if (file === null || file.startsWith(name)) this.notice();
    });
    // The folder vanishing ends the watch with an error: wake the waiters, who see the board gone.
    this.watcher.on('error', () => this.notice());
    this.watcher.unref();
  }

  /** Calls `listener` on every notice until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A change this process made itself: its own commit is visible at once, but wake the waiters. */
  notice(): void {
    this.lastNoticeAt = monotonicMs();
    for (const listener of [...this.listeners]) listener();
  }

  /**
   * After a look that found no change, when to look again: while a notice is recent, after as
   * long again as it has been since the notice (1, 2, 4 ... ms), so a commit published a moment
   * after its write is seen a moment later, and one held up by a busy machine within twice the
   * delay; `null` once the notice is older than RECHECK_WINDOW_MS.
   */
  recheckDelayMs(): number | null {
    const sinceNotice = monotonicMs() - this.lastNoticeAt;
    return sinceNotice < RECHECK_WINDOW_MS ? Math.max(1, sinceNotice) : null;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

/**
 * Milliseconds on a clock that only moves forward. Not `performance.now()`: Node loads its whole
 * perf_hooks stack on first use of `performance`, and every write notices its own commit.
 */
function monotonicMs(): number {
  return Number(hrtime.bigint()) / 1e6;
}

/**
 * Tells every follower of the board that a commit is visible now: a write of one byte to the
 * board's clock file (`<board>-clock`), which followers hear as they hear the -wal. Unlike the
 * -wal write, this one comes after SQLite published the commit, so a follower woken by it reads
 * the commit. The byte is the one already there, and the kernel stamps the modification time,
 * which is all the board's clock reads. Where the file cannot be written (a read-only board)
 * followers fall back on their looks after the -wal notice.
 */
export function ringCommitBell(boardPath: string): void {
  try {
    const fd = openClockFile(boardPath);
    if (fd === null) return;
    try {
      writeSync(fd, 'b', 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Only a wake-up is lost, and the looks after the -wal notice stand in for it.
  }
}
