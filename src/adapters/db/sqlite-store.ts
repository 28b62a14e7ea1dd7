import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import type { BoardReader, BoardStore, BoardWriter } from '../../app/ports.js';
import { BatonError } from '../../core/errors.js';
import { SqliteBoardTx } from './sqlite-board-tx.js';
import { guard, openSqliteBoard, translateSqliteError, type OpenOptions } from './sqlite-open.js';

/** The embedded board: one SQLite file in WAL mode shared by every process of the repository. */
export class SqliteBoardStore implements BoardStore {
  private readonly statements = new Map<string, Statement>();
  private readonly tx: SqliteBoardTx;
  /** Serialises transactions of this process: one connection, one transaction at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private watcher: FSWatcher | undefined;
  private readonly changeListeners = new Set<() => void>();

  private constructor(
    private readonly db: Database,
    readonly path: string,
  ) {
    this.tx = new SqliteBoardTx((sql) => this.statement(sql));
  }

  static open(path: string, options: OpenOptions = { create: false }): SqliteBoardStore {
    return new SqliteBoardStore(openSqliteBoard(path, options), path);
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
        if (existsSync(this.path)) resolve();
        else reject(this.removed());
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
