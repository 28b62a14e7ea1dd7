import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { MergeEvidence } from '../../app/merge-ports.js';
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
  /** `streamLimitBytes`: how much of each streamed file (the agent's output) one attempt keeps. */
  constructor(
    private readonly root: string,
    private readonly streamLimitBytes = DEFAULT_STREAM_LIMIT_BYTES,
  ) {}

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

  async setAsideOtherBoards(taskId: number, boardId: string): Promise<string | null> {
    const runs = await this.runNumbers(taskId);
    if (runs.length === 0) return null;
    const records = await Promise.all(runs.map((run) => this.readRun(taskId, run).catch(() => null)));
    if (records.every((record) => record?.boardId === boardId)) return null;
    const other = records.find((record) => record !== null && record.boardId !== boardId)?.boardId ?? 'unknown';
    const aside = join(this.root, `${taskId}.board-${String(other).slice(0, 12)}-${Date.now()}`);
    await rename(join(this.root, String(taskId)), aside);
    return aside;
  }

  async attempt(taskId: number, run: number, attempt: number): Promise<AttemptEvidence> {
    const dir = join(this.runDir(taskId, run), `attempt-${attempt}`);
    await mkdir(join(dir, 'checks'), { recursive: true });
    return new AttemptDirectory(dir, this.streamLimitBytes);
  }

  async fingerprintAttempts(taskId: number, run: number, attempts: readonly number[]): Promise<string> {
    const hash = createHash('sha256');
    for (const attempt of [...attempts].sort((left, right) => left - right)) {
      const dir = join(this.runDir(taskId, run), `attempt-${attempt}`);
      const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
      const files = entries.map((entry) => join(entry.parentPath, entry.name)).sort();
      hash.update(`attempt ${attempt}\0`);
      for (const file of files) {
        const content = await readFile(file).catch(() => null);
        hash.update(`${file.slice(dir.length)}\0${content === null ? '-' : createHash('sha256').update(content).digest('hex')}\0`);
      }
    }
    return hash.digest('hex');
  }

  async readAttemptFile(taskId: number, run: number, attempt: number, name: string): Promise<string | null> {
    return readOptional(join(this.runDir(taskId, run), `attempt-${attempt}`, name));
  }

  private async runNumbers(taskId: number): Promise<number[]> {
    return numberedEntries(join(this.root, String(taskId)));
  }
}

/**
 * The evidence of the merge queue's checks on a task's merged result, beside its runs:
 * `runs/<task>/merges/<n>/checks/<id>.log`, `verdict.json`.
 */
export class FileMergeEvidence implements MergeEvidence {
  constructor(private readonly root: string) {}

  async open(taskId: number): Promise<AttemptEvidence> {
    const merges = join(this.root, String(taskId), 'merges');
    for (let next = Math.max(0, ...(await numberedEntries(merges))) + 1; ; next++) {
      const dir = join(merges, String(next));
      await mkdir(merges, { recursive: true });
      // Made exclusively: two landings of one task never share a folder.
      const made = await mkdir(dir).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'EEXIST') return false;
          throw error;
        },
      );
      if (made) return new AttemptDirectory(dir, DEFAULT_STREAM_LIMIT_BYTES);
    }
  }
}

/** Per streamed file of one attempt: an agent printing 200 MB leaves a few MB of evidence, and says so. */
export const DEFAULT_STREAM_LIMIT_BYTES = 4 * 1024 * 1024;

interface StreamFile {
  fd: number;
  bytes: number;
  droppedLines: number;
  droppedBytes: number;
}

/**
 * One attempt's directory. Streamed lines go straight to the file descriptor: nothing buffered
 * to lose. Past the limit a stream keeps its beginning, where the session starts, and a marker
 * line; what was dropped is counted on the last line when the attempt closes.
 */
class AttemptDirectory implements AttemptEvidence {
  private readonly open = new Map<string, StreamFile>();

  constructor(
    readonly dir: string,
    private readonly limitBytes: number,
  ) {}

  async write(name: string, text: string): Promise<void> {
    const file = join(this.dir, name);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }

  appendLine(name: string, line: string): void {
    let stream = this.open.get(name);
    if (stream === undefined) {
      mkdirSync(dirname(join(this.dir, name)), { recursive: true });
      stream = { fd: openSync(join(this.dir, name), 'a'), bytes: 0, droppedLines: 0, droppedBytes: 0 };
      this.open.set(name, stream);
    }
    const size = Buffer.byteLength(line) + 1;
    if (stream.droppedLines > 0 || stream.bytes + size > this.limitBytes) {
      if (stream.droppedLines === 0) writeSync(stream.fd, `${truncationMarker(this.limitBytes)}\n`);
      stream.droppedLines += 1;
      stream.droppedBytes += size;
      return;
    }
    writeSync(stream.fd, `${line}\n`);
    stream.bytes += size;
  }

  async close(): Promise<void> {
    for (const stream of this.open.values()) {
      if (stream.droppedLines > 0) writeSync(stream.fd, `[baton: ${stream.droppedLines} more lines (${stream.droppedBytes} bytes) were not kept]\n`);
      closeSync(stream.fd);
    }
    this.open.clear();
  }
}

/** The line a cut stream carries where it was cut. */
export function truncationMarker(limitBytes: number): string {
  return `[baton: output truncated here: evidence keeps the first ${limitBytes} bytes of each stream of an attempt]`;
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
