import { existsSync, statSync, type Stats } from 'node:fs';
import type { Database, Statement } from 'better-sqlite3';
import type { BoardReader, BoardStore, BoardWriter, ChangeMark } from '../../app/ports.js';
import { BatonError } from '../../core/errors.js';
import { BoardNotices, ringCommitBell } from './board-notices.js';
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
  private readonly notices: BoardNotices;
  /** Commits made through this store: part of the change mark, as data_version leaves them out. */
  private ownCommits = 0;
  /** Which connection to the board this is: a re-opened board's data_version starts afresh. */
  private connection = 1;
  /** The board file as last seen: a follower compares it to notice the board was replaced. */
  private seen: Stats | null;
  private readonly boardId: string | null;
  /**
   * The replacement last found unreadable, and since when it has looked so: still unreadable
   * after holding still for SETTLE_MS, the follow ends. (Time, not looks: one change can raise
   * several notices, each a look a moment after the last.)
   */
  private unreadable: { stats: Stats; sinceMs: number } | null = null;

  private constructor(
    private db: Database,
    readonly path: string,
    private readonly options: OpenOptions,
  ) {
    this.tx = new SqliteBoardTx((sql) => this.statement(sql));
    this.notices = new BoardNotices(path);
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

  changeMark(): Promise<ChangeMark> {
    return Promise.resolve(this.currentMark());
  }

  waitForChange(timeoutMs: number, signal?: AbortSignal, since?: ChangeMark): Promise<void> {
    let baseline: ChangeMark;
    try {
      if (!existsSync(this.path)) throw this.removed();
      this.startNotices();
      baseline = since ?? this.currentMark();
    } catch (error) {
      return Promise.reject(translateSqliteError(this.path, error));
    }
    const deadline = performance.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (error?: unknown): void => {
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = (): void => finish();
      // A look is cheap (a stat and a counter SQLite keeps in shared memory): a waiter looks on
      // every notice and again shortly after one. Without notices it sleeps until the timeout,
      // the caller's safety net: any wake-up costs a process CPU, so an idle board wakes no one.
      const look = (): void => {
        clearTimeout(timer);
        let found: 'changed' | 'unchanged' | 'settling';
        try {
          found = this.lookForChange(baseline);
        } catch (error) {
          finish(error);
          return;
        }
        const left = deadline - performance.now();
        if (found === 'changed' || signal?.aborted || left <= 0) return finish();
        const delay = found === 'settling' ? SETTLE_MS : (this.notices.recheckDelayMs() ?? left);
        timer = setTimeout(look, Math.min(delay, left));
      };
      const unsubscribe = this.notices.subscribe(look);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) finish();
      else look();
    });
  }

  close(): Promise<void> {
    this.notices.close();
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
      const unreadable = this.unreadable;
      if (unreadable === null || !sameFile(now, unreadable.stats)) this.unreadable = { stats: now, sinceMs: performance.now() };
      else if (performance.now() - unreadable.sinceMs >= SETTLE_MS) throw error;
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
    this.connection++;
    this.statements.clear();
    this.seen = now;
    return 'reopened';
  }

  private removed(): BatonError {
    return new BatonError('NOT_FOUND', `the board at ${this.path} was removed; nothing more to follow`, { path: this.path });
  }

  private startNotices(): void {
    try {
      this.notices.start();
    } catch (error) {
      throw existsSync(this.path) ? error : this.removed();
    }
  }

  /**
   * Whether the board changed since `baseline`: replaced by a copy (re-opened here), or written
   * by another connection (SQLite's data_version moves) or by this one.
   */
  private lookForChange(baseline: ChangeMark): 'changed' | 'unchanged' | 'settling' {
    // A deleted board never changes again: say so instead of following it forever.
    if (!existsSync(this.path)) throw this.removed();
    try {
      const replacement = this.followReplacement();
      // A replacement still being copied in is not read from: look again shortly.
      if (replacement !== 'same') return replacement === 'settling' ? 'settling' : 'changed';
    } catch (error) {
      throw translateSqliteError(this.path, error);
    }
    try {
      return this.currentMark() === baseline ? 'unchanged' : 'changed';
    } catch (error) {
      // A copy landing over the board (`cp`) since the stat above: the next look sees it.
      if (!stillTheSameFile(this.path, this.seen)) return 'settling';
      throw translateSqliteError(this.path, error);
    }
  }

  /** This connection, the commits other connections made (data_version) and this one's own. */
  private currentMark(): ChangeMark {
    const dataVersion = guard(this.path, () => this.statement('PRAGMA data_version').pluck().get());
    return `${this.connection}:${String(dataVersion)}:${this.ownCommits}`;
  }

  private inTransaction<T>(begin: string, work: (tx: SqliteBoardTx) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      guard(this.path, () => this.db.exec(begin));
      try {
        const result = await work(this.tx);
        this.tx.rankIndex.flush();
        guard(this.path, () => this.db.exec('COMMIT'));
        if (begin === 'BEGIN IMMEDIATE') this.committed();
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

  /**
   * data_version does not move for a connection's own commits: count them, and wake this
   * process's waiters; then ring for every other process's.
   */
  private committed(): void {
    this.ownCommits++;
    this.notices.notice();
    ringCommitBell(this.path);
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

function stillTheSameFile(path: string, seen: Stats | null): boolean {
  const now = statOrNull(path);
  return now !== null && seen !== null && sameFile(now, seen);
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
