/**
 * `baton run-log --attempt` over a real evidence directory, run in-process through `runCli`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileEvidenceStore } from '../../adapters/evidence/file-evidence-store.js';
import type { AttemptSummary, RunRecord } from '../../core/run/run-record.js';
import { runCli } from '../main.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const USAGE = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 };

function attempt(number: number, fields: Pick<AttemptSummary, 'outcome' | 'outcomeReason' | 'verdict'>): AttemptSummary {
  return { attempt: number, startedAt: '2026-12-06T00:00:00.000Z', durationMs: 900, fingerprint: null, failures: [], usage: USAGE, checkpoint: 'c0ffee', sessionId: null, outcomeDetail: null, ...fields };
}

/** A board path whose evidence holds one run of task #1 with these attempts and their stderr. */
async function evidenceWith(attempts: { summary: AttemptSummary; stderr: string }[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-run-log-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const store = new FileEvidenceStore(join(dir, 'runs'));
  // Only what run-log reads; the rest of a record does not matter here.
  const record = { schemaVersion: 1, taskId: 1, run: 1, status: 'stalled', reason: 'stopped', agent: 'claude', pid: 1, attempts: attempts.map((item) => item.summary), usage: USAGE };
  await store.saveRun(record as unknown as RunRecord);
  for (const { summary, stderr } of attempts) {
    const evidence = await store.attempt(1, 1, summary.attempt);
    await evidence.write('prompt.md', 'Fix it.\n');
    for (const line of stderr.split('\n').slice(0, -1)) evidence.appendLine('stderr.log', line);
    await evidence.close();
  }
  return join(dir, 'baton.db');
}

async function runLog(db: string, ...args: string[]): Promise<{ code: number; stdout: string }> {
  const out: string[] = [];
  const code = await runCli(['run-log', '1', '--db', db, ...args], { cwd: tmpdir(), env: { NO_COLOR: '1' }, stdout: (text) => out.push(text), stderr: (text) => out.push(text), stdoutIsTty: false });
  return { code, stdout: out.join('\n') };
}

describe('baton run-log --attempt', () => {
  it("shows the end of a crashed agent's stderr, plain, after the attempt's files", async () => {
    const noise = Array.from({ length: 25 }, (_, i) => `debug line ${i + 1}`);
    const stderr = `${noise.join('\n')}\n\u001b[31m--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons\u001b[0m\n`;
    const crashed = attempt(1, { outcome: 'crashed', outcomeReason: 'the agent exited with 1 without reporting how its session ended', verdict: 'agent_failed' });
    const db = await evidenceWith([{ summary: crashed, stderr }]);

    const { code, stdout } = await runLog(db, '--attempt', '1');

    expect(code).toBe(0);
    const section = stdout.slice(stdout.indexOf('--- stderr.log'));
    expect(section.split('\n')).toEqual([
      '--- stderr.log (the end: at most 20 lines)',
      ...noise.slice(-19),
      '--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons',
    ]);
    expect(stdout.indexOf('--- prompt.md')).toBeLessThan(stdout.indexOf('--- stderr.log'));

    const json = JSON.parse((await runLog(db, '--attempt', '1', '--json')).stdout) as { files: Record<string, string | null> };
    expect(json.files['stderr.log']).toBe(stderr);
  });

  it("leaves out the stderr of an agent that finished its turn, and an empty one's", async () => {
    const db = await evidenceWith([
      { summary: attempt(1, { outcome: 'succeeded', outcomeReason: 'the agent finished its turn', verdict: 'checks_failed' }), stderr: 'Warning: slow disk\n' },
      { summary: attempt(2, { outcome: 'crashed', outcomeReason: 'the agent exited with 1', verdict: 'agent_failed' }), stderr: '\n\n' },
    ]);
    const first = await runLog(db, '--attempt', '1');
    expect(first.stdout).toContain('--- prompt.md');
    expect(first.stdout).not.toContain('stderr.log');
    expect(first.stdout).not.toContain('slow disk');
    expect((await runLog(db, '--attempt', '2')).stdout).not.toContain('--- stderr.log');
  });
});
