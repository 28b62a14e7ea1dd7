import { existsSync, statSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import type { BoardReader, BoardStore, BoardWriter } from '../../app/ports.js';
import { BatonError } from '../../core/errors.js';
import { SqliteBoardTx } from './sqlite-board-tx.js';
import { guard, openSqliteBoard, translateSqliteError, type OpenOptions } from './sqlite-open.js';

/** How soon a follower looks again at a replacement board that cannot be read yet. */
const SETTLE_MS = 100;

/** The embedded board: one SQLite file in WAL mode shared by every process of the repository. */
export class SqliteBoardStore implements BoardStore {
  private readonly statements = new Map<string, Statement>();
  private readonly tx: SqliteBoardTx;
  /** Serialises transactions of this process: one connection, one transaction at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private watcher: FSWatcher | undefined;
  private readonly changeListeners = new Set<() => void>();
  /** The board file as last seen: a follower compares it to notice the board was replaced. */
  private seen: Stats | null;
  private readonly boardId: string | null;
  /** The replacement last found unreadable: still so once it stops changing, the follow ends. */
  private unreadable: Stats | null = null;

  private constructor(
    private db: Database,
    readonly path: string,
    private readonly options: OpenOptions,
  ) {
    this.tx = new SqliteBoardTx((sql) => this.statement(sql));
    this.seen = statOrNull(path);
    this.boardId = readBoardId(db);
  }

  static open(path: string, options: OpenOptions = { create: false }): SqliteBoardStore {
    return new SqliteBoardStore(openSqliteBoard(path, options), path, options);
  }

  write<T>(work: (tx: BoardWriter) => Promise<T>): Promise<T> {
    return this.inTransaction('BEGIN IMMEDIATE', work);
  }

  read<T>(work: (tx: BoardReader) => Promise<T>): Promise<T> {
    return this.inTransaction('BEGIN', work);
  }

  waitForChange(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (!existsSync(this.path)) return Promise.reject(this.removed());
    this.ensureWatcher();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.changeListeners.delete(done);
        signal?.removeEventListener('abort', done);
        // A deleted board never changes again: say so instead of following it forever.
        if (!existsSync(this.path)) return reject(this.removed());
        try {
          // A replacement still being copied in is not read from: look again shortly.
          if (this.followReplacement() === 'settling' && !signal?.aborted) setTimeout(done, SETTLE_MS);
          else resolve();
        } catch (error) {
          reject(translateSqliteError(this.path, error));
        }
      };
      const timer = setTimeout(done, timeoutMs);
      this.changeListeners.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  close(): Promise<void> {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }

  /**
   * A board restored from a backup (`mv`, `cp` over it) is a new file under the same name: this
   * connection would go on reading the old one, silently. When the file is not the one last seen,
   * it is opened afresh: the same board (its id) is read from now on; another board ends the follow.
   */
  private followReplacement(): 'same' | 'reopened' | 'settling' {
    const now = statOrNull(this.path);
    if (now === null) throw this.removed();
    const seen = this.seen;
    if (seen !== null && sameFile(now, seen)) return 'same';
    let fresh: Database;
    try {
      fresh = openSqliteBoard(this.path, { ...this.options, create: false });
      this.unreadable = null;
    } catch (error) {
      // A copy still being written reads as empty or damaged: wait until the file holds still.
      if (this.unreadable !== null && sameFile(now, this.unreadable)) throw error;
      this.unreadable = now;
      return 'settling';
    }
    const id = readBoardId(fresh);
    if (id !== this.boardId) {
      fresh.close();
      throw new BatonError(
        'BOARD_REPLACED',
        `the board at ${this.path} was replaced by another board (id ${id ?? 'none'}, was ${this.boardId ?? 'none'}); ` +
          'nothing more to follow from the old one: run the command again to follow the new board',
        { path: this.path, was: this.boardId, now: id },
      );
    }
    // The old connection may hold pages of the file as it was: read on through the new one.
    this.db.close();
    this.db = fresh;
    this.statements.clear();
    this.seen = now;
    return 'reopened';
  }

  private removed(): BatonError {
    return new BatonError('NOT_FOUND', `the board at ${this.path} was removed; nothing more to follow`, { path: this.path });
  }

  private ensureWatcher(): void {
    if (this.watcher) return;
    // Every commit writes the -wal file, so an inotify watch on the folder wakes a follower
    // within milliseconds and costs nothing while the board is idle.
    const name = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), { persistent: true }, (_event, file) => {
        if (file === null || file.startsWith(name)) for (const listener of [...this.changeListeners]) listener();
      });
    } catch (error) {
      throw existsSync(this.path) ? error : this.removed();
    }
    // The folder vanishing ends the watch with an error: wake the waiters, who see the board gone.
    this.watcher.on('error', () => {
      for (const listener of [...this.changeListeners]) listener();
    });
    this.watcher.unref();
  }

  private inTransaction<T>(begin: string, work: (tx: SqliteBoardTx) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      guard(this.path, () => this.db.exec(begin));
      try {
        const result = await work(this.tx);
        this.tx.rankIndex.flush();
        guard(this.path, () => this.db.exec('COMMIT'));
        return result;
      } catch (error) {
        this.tx.rankIndex.discard();
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw translateSqliteError(this.path, error);
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** The id migration 3 gives every board; a board restored from its backup keeps it. */
function readBoardId(db: Database): string | null {
  try {
    const row = db.prepare("SELECT value FROM board_meta WHERE key = 'board_id'").pluck().get();
    return typeof row === 'string' ? row : null;
  } catch {
    return null;
  }
}
