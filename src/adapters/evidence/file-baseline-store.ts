import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { BaselineStore } from '../../app/run-ports.js';
import type { CheckBaseline } from '../../core/run/check-verdict.js';

/**
 * Baselines as files, `<dir>/<key>.json`, beside the board: one per base commit and check
 * command, shared by every run on that base. Written whole through a rename, so a reader sees
 * an old baseline or the new one, never half of one.
 */
export class FileBaselineStore implements BaselineStore {
  constructor(private readonly dir: string) {}

  async readBaseline(key: string): Promise<CheckBaseline | null> {
    try {
      return JSON.parse(await readFile(this.file(key), 'utf8')) as CheckBaseline;
    } catch (error) {
      // A missing baseline is taken again; so is one that is not JSON (a crash cannot make one, a person can).
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return null;
      throw error;
    }
  }

  async saveBaseline(key: string, baseline: CheckBaseline): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.file(key);
    const temporary = `${file}.${randomUUID()}.tmp`;
    await writeFile(temporary, `${JSON.stringify(baseline)}\n`);
    await rename(temporary, file);
  }

  private file(key: string): string {
    if (!/^[\w.-]+$/.test(key)) throw new Error(`not a baseline key: ${key}`);
    return join(this.dir, `${key}.json`);
  }
}
