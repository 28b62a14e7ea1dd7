import { hostname } from 'node:os';
import { open, readFile, rm } from 'node:fs/promises';
import type { LandingLock } from '../../app/merge-ports.js';
import { procProcessTable } from './process-table.js';

/**
 * The merge queue's lock: a file made exclusively, naming the process that holds it. A lock
 * left by a process that is gone (on this host) is taken over; one held by a live process, or
 * by another host, is respected.
 */
export class LandingLockFile implements LandingLock {
  constructor(
    private readonly path: string,
    private readonly owner: { pid: number },
  ) {}

  async acquire(): Promise<{ release: () => Promise<void> } | { holder: string }> {
    const mine = JSON.stringify({ pid: this.owner.pid, host: hostname(), at: new Date().toISOString() });
    for (let tries = 0; tries < 3; tries++) {
      const handle = await open(this.path, 'wx').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return null;
        throw error;
      });
      if (handle !== null) {
        await handle.writeFile(mine);
        await handle.close();
        return { release: () => rm(this.path, { force: true }) };
      }
      // Read twice a moment apart when unreadable: its maker may be writing it right now.
      const holder = (await this.holder()) ?? (await new Promise((wait) => setTimeout(wait, 100)).then(() => this.holder()));
      if (holder !== null && (holder.host !== hostname() || procProcessTable.isAlive(holder.pid))) {
        return { holder: `baton (pid ${holder.pid} on ${holder.host}) since ${holder.at}` };
      }
      // Its process is gone: the lock is stale.
      await rm(this.path, { force: true });
    }
    return { holder: `another baton (${this.path} keeps coming back)` };
  }

  private async holder(): Promise<{ pid: number; host: string; at: string } | null> {
    const text = await readFile(this.path, 'utf8').catch(() => null);
    try {
      const parsed = JSON.parse(text ?? '') as { pid?: unknown; host?: unknown; at?: unknown };
      return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? { pid: parsed.pid, host: parsed.host, at: String(parsed.at) } : null;
    } catch {
      // Being written this very moment, or left half written by a crash: looked at again.
      return null;
    }
  }
}
