import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { LandingLock } from '../../app/merge-ports.js';
import { connectSqlite } from './sqlite-open.js';

/**
 * The merge queue's lock: an exclusive transaction held open on a small SQLite file of its own,
 * that is, a lock the kernel keeps for the holding process and drops when it ends, however it
 * ends. No holder is ever judged stale, so two batons can never both take a dead one's lock
 * over. Who holds it is written beside it (`<path>.holder`), for the message only.
 */
export class SqliteLandingLock implements LandingLock {
  constructor(
    private readonly path: string,
    private readonly owner: { pid: number },
  ) {}

  async acquire(): Promise<{ release: () => Promise<void> } | { holder: string }> {
    const db = connectSqlite(this.path);
    try {
      db.pragma('busy_timeout = 0');
      db.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      db.close();
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
      return { holder: await this.holder() };
    }
    await writeFile(`${this.path}.holder`, JSON.stringify({ pid: this.owner.pid, host: hostname(), at: new Date().toISOString() }));
    return {
      release: async () => {
        db.exec('ROLLBACK');
        db.close();
      },
    };
  }

  private async holder(): Promise<string> {
    try {
      const { pid, host, at } = JSON.parse(await readFile(`${this.path}.holder`, 'utf8')) as { pid?: unknown; host?: unknown; at?: unknown };
      if (typeof pid === 'number' && typeof host === 'string') return `baton (pid ${pid} on ${host}) since ${String(at)}`;
    } catch {
      // Not written yet by a holder that just took the lock.
    }
    return 'another baton';
  }
}
