import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AttemptEvidence, EvidenceStore } from '../../app/run-ports.js';
import { BatonError } from '../../core/errors.js';
import type { RunRecord } from '../../core/run/run-record.js';

/*
 * Evidence on disk, under the board's data directory:
 *
 *   runs/<task>/<run>/run.json
 *   runs/<task>/<run>/attempt-<n>/prompt.md, stream.jsonl, stderr.log, events.jsonl,
 *                                  diff.patch, checks/<id>.log, usage.json, verdict.json
 *
 * Plain files, so a person can read a run with `ls` and `less` as well as with `baton run-log`.
 */
export class FileEvidenceStore implements EvidenceStore {
  constructor(private readonly root: string) {}

  runDir(taskId: number, run: number): string {
    return join(this.root, String(taskId), String(run));
  }

  async nextRunNumber(taskId: number): Promise<number> {
    const runs = await this.runNumbers(taskId);
    return runs.length === 0 ? 1 : Math.max(...runs) + 1;
  }

  async createRun(record: RunRecord): Promise<void> {
    const dir = this.runDir(record.taskId, record.run);
    await mkdir(dirname(dir), { recursive: true });
    try {
      // Not recursive: the one atomic "create if absent" the file system offers.
      await mkdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      throw new BatonError('CONFLICT', `run ${record.run} of task #${record.taskId} was started by another baton at the same moment; let that one go on`, { id: record.taskId, run: record.run });
    }
    await this.saveRun(record);
  }

  async saveRun(record: RunRecord): Promise<void> {
    const file = join(this.runDir(record.taskId, record.run), 'run.json');
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.${record.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
    await rename(temporary, file);
  }

  async readRun(taskId: number, run: number): Promise<RunRecord | null> {
    const text = await readOptional(join(this.runDir(taskId, run), 'run.json'));
    return text === null ? null : (JSON.parse(text) as RunRecord);
  }

  async listRuns(taskId: number | null): Promise<RunRecord[]> {
    const taskIds = taskId === null ? await numberedEntries(this.root) : [taskId];
    const records: RunRecord[] = [];
    for (const id of taskIds.sort((a, b) => a - b)) {
      for (const run of (await this.runNumbers(id)).sort((a, b) => a - b)) {
        const record = await this.readRun(id, run);
        if (record) records.push(record);
      }
    }
    return records;
  }

  async attempt(taskId: number, run: number, attempt: number): Promise<AttemptEvidence> {
    const dir = join(this.runDir(taskId, run), `attempt-${attempt}`);
    await mkdir(join(dir, 'checks'), { recursive: true });
    return new AttemptDirectory(dir);
  }

  async readAttemptFile(taskId: number, run: number, attempt: number, name: string): Promise<string | null> {
    return readOptional(join(this.runDir(taskId, run), `attempt-${attempt}`, name));
  }

  private async runNumbers(taskId: number): Promise<number[]> {
    return numberedEntries(join(this.root, String(taskId)));
  }
}

/** One attempt's directory. Streamed lines go straight to the file descriptor: nothing buffered to lose. */
class AttemptDirectory implements AttemptEvidence {
  private readonly open = new Map<string, number>();

  constructor(readonly dir: string) {}

  async write(name: string, text: string): Promise<void> {
    const file = join(this.dir, name);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }

  appendLine(name: string, line: string): void {
    let fd = this.open.get(name);
    if (fd === undefined) {
      mkdirSync(dirname(join(this.dir, name)), { recursive: true });
      fd = openSync(join(this.dir, name), 'a');
      this.open.set(name, fd);
    }
    writeSync(fd, `${line}\n`);
  }

  async close(): Promise<void> {
    for (const fd of this.open.values()) closeSync(fd);
    this.open.clear();
  }
}

async function numberedEntries(dir: string): Promise<number[]> {
  try {
    return (await readdir(dir)).filter((name) => /^\d+$/.test(name)).map(Number);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
