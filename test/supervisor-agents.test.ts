/**
 * The supervisor with the real agent CLIs: Claude Code and Codex working side by side on one
 * board, each task with the agent its `agent:` label names (else the config's), against the
 * scripted model server. How the supervisor dispatches, defers and stops is tested with `cmd:`
 * agents in supervisor.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runShell } from '../src/adapters/scripted-model/script.js';
import type { RunRecord } from '../src/core/run/run-record.js';
import { batonAsync, ndjson } from './helpers/baton.js';
import { attempts, explain, fresh, setUpScenario, write } from './helpers/agent-scenario.js';

const cleanups: (() => Promise<void> | void)[] = [];
const defer = (cleanup: () => Promise<void> | void): void => void cleanups.push(cleanup);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('baton run --ready with the real agent CLIs', () => {
  it('runs a Claude Code task and a Codex task at once, each to its own commit, and lands both on main', { timeout: 120_000 }, async () => {
    // Every fresh session writes the greeting; task #2 asks for Codex by label, task #1 takes the default (Claude Code).
    const scenario = await setUpScenario('claude', attempts({ ...runShell(write('hello')), when: fresh, times: Infinity }), {
      defer,
      moreTasks: [['Greet the world the other way', '-l', 'agent:codex']],
    });
    const result = await batonAsync(['run', '--ready', '--parallel', '2', '--json'], { cwd: scenario.dir, env: scenario.env });
    expect(result.code, explain(result)).toBe(0);
    const doc = ndjson<{ runs: { taskId: number; agent: string; outcome: string; taskStatus: string }[]; landings: { taskId: number; outcome: string }[] }>(result).summary;
    const byTask = new Map(doc.runs.map((run) => [run.taskId, run]));
    expect(byTask.get(1)).toMatchObject({ agent: 'claude', outcome: 'succeeded', taskStatus: 'review' });
    expect(byTask.get(2)).toMatchObject({ agent: 'codex', outcome: 'succeeded', taskStatus: 'review' });

    // Both runs were going on at the same time.
    const record = (task: number): RunRecord => JSON.parse(readFileSync(join(scenario.dir, '.git', 'baton', 'runs', String(task), '1', 'run.json'), 'utf8')) as RunRecord;
    const [one, two] = [record(1), record(2)];
    expect(Date.parse(two.startedAt)).toBeLessThan(Date.parse(one.endedAt as string));
    expect(Date.parse(one.startedAt)).toBeLessThan(Date.parse(two.endedAt as string));
    expect([one.agent, two.agent]).toEqual(['claude', 'codex']);
    expect(one.commit).not.toBeNull();
    expect(two.commit).not.toBeNull();

    // The merge queue landed both: the second found the same greeting already on main.
    expect(doc.landings.map((landing) => landing.outcome)).toEqual(['landed', 'landed']);
    expect(readFileSync(join(scenario.dir, 'greeting.txt'), 'utf8')).toBe('hello\n');
  });

  it('stops dispatching once the day\'s runs reported the daily token budget; the running run finishes', { timeout: 120_000 }, async () => {
    // Two model calls of 120 + 12 tokens each: one run reports 264 tokens, over fleet.dailyTokens of 200.
    const scenario = await setUpScenario('claude', attempts({ ...runShell(write('hello')), when: fresh, times: Infinity }), {
      defer,
      moreTasks: [['Greet the world again']],
      config: { fleet: { dailyTokens: 200 } },
    });
    const result = await batonAsync(['run', '--ready', '--no-land', '--json'], { cwd: scenario.dir, env: scenario.env });
    expect(result.code, explain(result)).toBe(0);
    const doc = ndjson<{ runs: { taskId: number; outcome: string; tokens: number }[]; budgetSpent: string | null }>(result).summary;
    expect(doc.runs.map((run) => [run.taskId, run.outcome])).toEqual([[1, 'succeeded']]);
    expect(doc.runs[0]?.tokens).toBeGreaterThanOrEqual(200);
    expect(doc.budgetSpent).toContain('fleet.dailyTokens');
    expect(result.stderr).toContain('starting nothing more: today\'s runs reported');
  });
});
