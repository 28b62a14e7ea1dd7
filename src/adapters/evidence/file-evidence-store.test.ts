import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BUDGETS } from '../../core/run/project-config.js';
import { NO_USAGE, type RunRecord } from '../../core/run/run-record.js';
import { FileEvidenceStore, truncationMarker } from './file-evidence-store.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function store(): { evidence: FileEvidenceStore; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'baton-evidence-'));
  roots.push(root);
  return { evidence: new FileEvidenceStore(root), root };
}

function record(taskId: number, run: number): RunRecord {
  return {
    schemaVersion: 1, taskId, boardId: 'b0', run, status: 'running', reason: null, agent: 'cmd:true', model: null, actor: 'a', pid: 1, agentPgid: null,
    worktree: '/w', branch: 'baton/1-x', baseBranch: 'main', startCommit: 'c0', checkpoint: 'c0', commit: null, quarantined: null,
    startedAt: '2026-01-01T00:00:00.000Z', endedAt: null, budgets: DEFAULT_BUDGETS, attempts: [], usage: NO_USAGE,
  };
}

describe('FileEvidenceStore', () => {
  it('numbers runs per task from 1 and lists them oldest first, every task or one', async () => {
    const { evidence } = store();
    expect(await evidence.nextRunNumber(7)).toBe(1);
    await evidence.createRun(record(7, 1));
    await evidence.createRun(record(7, 2));
    await evidence.createRun(record(3, 1));
    expect(await evidence.nextRunNumber(7)).toBe(3);
    expect((await evidence.listRuns(null)).map((r) => `${r.taskId}.${r.run}`)).toEqual(['3.1', '7.1', '7.2']);
    expect((await evidence.listRuns(7)).map((r) => r.run)).toEqual([1, 2]);
    expect(await evidence.listRuns(99)).toEqual([]);
  });

  it('refuses a run number another baton took first, keeping its record', async () => {
    const { evidence } = store();
    await evidence.createRun({ ...record(1, 1), pid: 111 });
    await expect(evidence.createRun({ ...record(1, 1), pid: 222 })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await evidence.readRun(1, 1))?.pid).toBe(111);
  });

  it('replaces run.json whole and keeps attempt files, streamed lines included', async () => {
    const { evidence, root } = store();
    await evidence.createRun(record(2, 1));
    await evidence.saveRun({ ...record(2, 1), status: 'succeeded', commit: 'abc' });
    const attempt = await evidence.attempt(2, 1, 1);
    await attempt.write('prompt.md', '# Task');
    attempt.appendLine('stream.jsonl', '{"a":1}');
    attempt.appendLine('stream.jsonl', '{"a":2}');
    await attempt.write('checks/test.log', 'ok');
    await attempt.close();
    expect((await evidence.readRun(2, 1))?.status).toBe('succeeded');
    expect(readFileSync(join(root, '2', '1', 'attempt-1', 'stream.jsonl'), 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    expect(await evidence.readAttemptFile(2, 1, 1, 'checks/test.log')).toBe('ok');
    expect(await evidence.readAttemptFile(2, 1, 1, 'missing.log')).toBeNull();
    expect(await evidence.readRun(2, 9)).toBeNull();
  });
});

describe('streamed evidence', () => {
  it('keeps the beginning of a flood up to the limit, marks the cut and counts what was dropped', async () => {
    const root = mkdtempSync(join(tmpdir(), 'baton-evidence-'));
    roots.push(root);
    const evidence = new FileEvidenceStore(root, 1_000);
    await evidence.createRun(record(1, 1));
    const attempt = await evidence.attempt(1, 1, 1);
    for (let index = 0; index < 10_000; index++) attempt.appendLine('stream.jsonl', `line ${index} ${'x'.repeat(40)}`);
    attempt.appendLine('stderr.log', 'one short line');
    await attempt.close();
    const kept = (await evidence.readAttemptFile(1, 1, 1, 'stream.jsonl')) ?? '';
    expect(kept.startsWith('line 0 ')).toBe(true);
    expect(kept).toContain(truncationMarker(1_000));
    expect(kept).toMatch(/\[baton: 99\d\d more lines \(\d+ bytes\) were not kept\]\n$/);
    expect(Buffer.byteLength(kept)).toBeLessThan(1_400);
    expect(await evidence.readAttemptFile(1, 1, 1, 'stderr.log')).toBe('one short line\n');
  });
});

describe('runs of another board', () => {
  it('are set aside whole, so a new board numbers its task\'s runs from 1; its own stay', async () => {
    const { evidence } = store();
    await evidence.createRun({ ...record(1, 1), boardId: 'old-board' });
    await evidence.createRun({ ...record(1, 2), boardId: 'old-board' });
    await evidence.createRun({ ...record(2, 1), boardId: 'new-board' });

    const aside = await evidence.setAsideOtherBoards(1, 'new-board');
    expect(aside).toMatch(/\/1\.board-old-board-\d+$/);
    expect(readFileSync(join(aside as string, '2', 'run.json'), 'utf8')).toContain('"old-board"');
    expect(await evidence.nextRunNumber(1)).toBe(1);
    expect((await evidence.listRuns(null)).map((run) => `${run.taskId}.${run.run}`)).toEqual(['2.1']);
    expect(await evidence.setAsideOtherBoards(2, 'new-board')).toBeNull();
    expect(await evidence.setAsideOtherBoards(3, 'new-board')).toBeNull();
  });
});
