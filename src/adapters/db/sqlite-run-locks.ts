import type { RunLock } from '../../app/ports.js';
import type { Prepare } from './sqlite-board-tx.js';

interface RunLockRow {
  task_id: number;
  token: string;
  actor: string;
  host: string;
  pid: number;
  started_at: string;
  expires_at: string;
}

/** The board's id and its run locks (schema migration 3). */
export class SqliteRunLocks {
  constructor(private readonly sql: Prepare) {}

  boardId(): string {
    return (this.sql(`SELECT value FROM board_meta WHERE key = 'board_id'`).pluck().get() as string | undefined) ?? 'unknown';
  }

  get(taskId: number): RunLock | null {
    const row = this.sql('SELECT * FROM run_locks WHERE task_id = ?').get(taskId) as RunLockRow | undefined;
    if (!row) return null;
    return { taskId: row.task_id, token: row.token, actor: row.actor, host: row.host, pid: row.pid, startedAt: row.started_at, expiresAt: row.expires_at };
  }

  save(lock: RunLock): void {
    this.sql(
      `INSERT INTO run_locks (task_id, token, actor, host, pid, started_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (task_id) DO UPDATE SET token = excluded.token, actor = excluded.actor, host = excluded.host,
         pid = excluded.pid, started_at = excluded.started_at, expires_at = excluded.expires_at`,
    ).run(lock.taskId, lock.token, lock.actor, lock.host, lock.pid, lock.startedAt, lock.expiresAt);
  }

  delete(taskId: number, token: string): boolean {
    return this.sql('DELETE FROM run_locks WHERE task_id = ? AND token = ?').run(taskId, token).changes > 0;
  }
}
