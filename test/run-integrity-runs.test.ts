/**
 * The runner against an adversarial agent, end to end, part 2: runs that are flooded, cut short,
 * raced, overruled or orphaned. The real `baton run` binary drives the real Claude Code and Codex
 * CLIs (Codex with its own sandbox off) against the scripted model server; a `cmd:` agent floods
 * where no model is needed. Each scenario asserts the task's status, the task branch, what is
 * left in the process table, and what the model was told. Part 1: run-integrity.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { hang, runShell, say, type ConversationView } from '../src/adapters/scripted-model/script.js';
import type { RunRecord } from '../src/core/run/run-record.js';
import { baton, BATON_BIN, boardFingerprint, git, json, type BatonResult } from './helpers/baton.js';
import {
  AGENTS,
  attemptOpenings,
  attempts,
  BRANCH,
  expectNothingLeft,
  explain,
  fresh,
  HALLO_FAILURE,
  isRetry,
  processesIn,
  RETRY,
  setUpScenario,
  TASK_TITLE,
  toolOutputs,
  watchAgentGroups,
  write,
} from './helpers/agent-scenario.js';
import { agentScript, makeRunRepo, runRecords, waitUntil } from './helpers/run-fixture.js';
import { TEST_SANDBOX_SHARE } from './helpers/sandbox-share.js';
import { takingTurns } from './helpers/agent-turns.js';

/** Each adversarial scenario runs with one agent CLI, the two taking turns (see agent-turns.ts). */
const eitherAgent = takingTurns(AGENTS);

const TIMEOUT_MS = 60_000;
/** What the evidence store keeps of each stream of an attempt (file-evidence-store.ts), plus its marker lines. */
const STREAM_LIMIT_BYTES = 4 * 1024 * 1024 + 1024;

const cleanups: (() => Promise<void> | void)[] = [];
const defer = (cleanup: () => Promise<void> | void): void => void cleanups.push(cleanup);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every file of an attempt's evidence with its size, checks/ included. */
function evidenceSizes(attemptDir: string): Record<string, number> {
  return Object.fromEntries(
    readdirSync(attemptDir, { recursive: true })
      .map(String)
      .filter((name) => statSync(join(attemptDir, name)).isFile())
      .map((name) => [name, statSync(join(attemptDir, name)).size]),
  );
}

function expectSmallEvidence(attemptDir: string): void {
  const sizes = evidenceSizes(attemptDir);
  for (const [name, size] of Object.entries(sizes)) expect(size, name).toBeLessThanOrEqual(STREAM_LIMIT_BYTES);
  expect(Object.values(sizes).reduce((sum, size) => sum + size, 0)).toBeLessThan(16 * 1024 * 1024);
}

/** `baton run` in the background, its peak resident memory sampled from /proc while it runs. */
function runMeasured(cwd: string, args: string[]): Promise<BatonResult & { peakKb: number; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [BATON_BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', BATON_AGENT: 'tester', BATON_SANDBOX_SHARE: TEST_SANDBOX_SHARE }, stdio: ['ignore', 'pipe', 'pipe'] });
  defer(() => void child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  let peakKb = 0;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const sample = setInterval(() => {
    try {
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0));
    } catch {
      // exited meanwhile
    }
  }, 100);
  return new Promise((resolveRun) =>
    child.on('close', (code) => {
      clearInterval(sample);
      resolveRun({ code: code ?? -1, stdout, stderr, peakKb, ms: Date.now() - started });
    }),
  );
}

describe('an agent that floods its output', () => {
  it('printing 200 MB on stdout, 50 MB on stderr and a 30 MB line: evidence stays within a few MB, baton within its memory, the run ends', { timeout: TIMEOUT_MS }, async () => {
    const repo = makeRunRepo({ checks: [{ id: 'fixed', run: 'test -f fixed.txt' }] }, 'baton-run-flood-');
    defer(repo.cleanup);
    expect(baton(['add', 'Flood the evidence'], { cwd: repo.dir }).code).toBe(0);
    const flood = agentScript(repo, 'flood', [
      `line=$(printf '%0199d' 0)`,
      'yes "$line" | head -c 200000000',
      'yes "$line" | head -c 50000000 >&2',
      "head -c 30000000 /dev/zero | tr '\\0' x",
      'echo fixed > fixed.txt',
    ].join('\n'));
    const { pgids } = watchAgentGroups(repo, defer);

    const result = await runMeasured(repo.dir, ['run', '1', '--agent', flood, '--json']);

    expect(result.code, explain(result)).toBe(0);
    const { run } = json<{ run: RunRecord }>(result);
    expect(run.status).toBe('succeeded');
    const attemptDir = join(repo.dir, '.git', 'baton', 'runs', '1', '1', 'attempt-1');
    expectSmallEvidence(attemptDir);
    const stream = readFileSync(join(attemptDir, 'stream.jsonl'), 'utf8');
    expect(stream).toContain('[baton: output truncated here: evidence keeps the first 4194304 bytes of each stream of an attempt]');
    expect(stream.trimEnd().split('\n').at(-1)).toMatch(/^\[baton: \d+ more lines \(\d+ bytes\) were not kept\]$/);
    expect(readFileSync(join(attemptDir, 'stderr.log'), 'utf8').trimEnd().split('\n').at(-1)).toMatch(/were not kept\]$/);
    // What baton holds in memory does not grow with the agent's output (all of it held was 650 MB).
    expect(result.peakKb).toBeGreaterThan(0);
    expect(result.peakKb).toBeLessThan(400 * 1024);
    expect(git(repo.dir, ['show', `${run.branch}:fixed.txt`])).toBe('fixed\n');
    await expectNothingLeft(run.worktree, pgids);
    console.log(`280 MB of agent output: baton ran ${result.ms} ms, peak resident memory ${Math.round(result.peakKb / 1024)} MB`);
  });

  it.each(AGENTS)('%s: a tool call printing 30 MB leaves a few MB of evidence, and the run ends', { timeout: TIMEOUT_MS }, async (agent) => {
    const scenario = await setUpScenario(agent, attempts({ ...runShell(`yes "$(printf '%0199d' 7)" | head -c 30000000; ${write('hello')}`), when: fresh }), { defer, codexSandbox: false });
    const { pgids } = watchAgentGroups(scenario, defer);

    const result = await scenario.run('--max-attempts', '1');

    expect(result.code, explain(result)).toBe(0);
    expect(scenario.taskStatus()).toBe('review');
    expectSmallEvidence(join(scenario.dir, '.git', 'baton', 'runs', '1', '1', 'attempt-1'));
    // The model got the start of it, not 30 MB.
    const output = toolOutputs(scenario.server);
    expect(output).toContain('0'.repeat(198) + '7');
    expect(output.length).toBeLessThan(1024 * 1024);
    expect(git(scenario.dir, ['show', `${BRANCH}:greeting.txt`])).toBe('hello\n');
    await expectNothingLeft(scenario.worktree, pgids);
  });
});

describe('a second run in the instant the first holds its lock but has no record yet', () => {
  it("is refused naming the first run's pid, never told to remove that run's half-made worktree, and writes nothing", { timeout: TIMEOUT_MS }, () => {
    const repo = makeRunRepo({ checks: [{ id: 'fixed', run: 'test -f fixed.txt' }] }, 'baton-run-race-');
    defer(repo.cleanup);
    expect(baton(['add', TASK_TITLE], { cwd: repo.dir }).code).toBe(0);
    // The first run at that instant: its lock on the board (held by this live process), its
    // worktree made by `git worktree add` but not yet on its branch, no run record.
    const board = new Database(repo.db);
    const nowMs = Date.now();
    board.prepare('INSERT INTO run_locks (task_id, token, actor, host, pid, started_at, expires_at) VALUES (1, ?, ?, ?, ?, ?, ?)').run('first-run', 'tester', hostname(), process.pid, new Date(nowMs).toISOString(), new Date(nowMs + 60_000).toISOString());
    board.close();
    git(repo.dir, ['worktree', 'add', '-q', '--detach', join('.baton', 'worktrees', '1-greet-the-world')]);
    const before = boardFingerprint(repo.db);

    const refused = baton(['run', '1', '--agent', agentScript(repo, 'fixer', 'echo fixed > fixed.txt'), '--json'], { cwd: repo.dir });

    expect(refused.code, explain(refused)).toBe(4);
    const error = json<{ error: { code: string; message: string; details: { pid: number } } }>(refused).error;
    expect(error).toMatchObject({ code: 'CONFLICT', details: { pid: process.pid } });
    expect(error.message).toContain(`baton pid ${process.pid}`);
    expect(error.message).not.toContain('git worktree remove');
    expect(boardFingerprint(repo.db)).toBe(before);
    expect(runRecords(repo, 1)).toEqual([]);
  });
});

describe('a run cut short, raced, overruled or orphaned', () => {
  eitherAgent('work done before the time budget runs out survives in a checkpoint, and the next run builds on it', { timeout: TIMEOUT_MS }, async (agent) => {
    const scenario = await setUpScenario(
      agent,
      [
        { ...runShell(write('hello')), when: (view) => fresh(view) && !isRetry(view) },
        // Then the model goes quiet until the run's time is up.
        { ...hang(), when: (view) => view.toolResults.length > 0 },
        { ...runShell('cat greeting.txt'), when: (view) => fresh(view) && isRetry(view) },
        { ...say('Done.'), when: (view) => view.toolResults.length > 0, times: Infinity },
      ],
      { defer, codexSandbox: false },
    );
    const first = watchAgentGroups(scenario, defer, 1);

    const cut = await scenario.run('--max-attempts', '3', '--timeout', '15s');

    expect(cut.code, explain(cut)).toBe(1);
    first.stop();
    const record = scenario.record(1);
    expect(record.status).toBe('budget_exceeded');
    expect(record.attempts.map((attempt) => [attempt.outcome, attempt.verdict])).toEqual([['hung', 'agent_failed']]);
    expect(scenario.taskStatus()).toBe('failed');
    // Kept as a checkpoint on the task branch, marked as not checked.
    expect(record.checkpoint).not.toBe(record.startCommit);
    expect(git(scenario.dir, ['rev-parse', BRANCH]).trim()).toBe(record.checkpoint);
    expect(git(scenario.dir, ['log', '-1', '--format=%s', BRANCH]).trim()).toBe(`Checkpoint: ${TASK_TITLE} (#1, attempt 1, not checked)`);
    expect(git(scenario.dir, ['show', `${BRANCH}:greeting.txt`])).toBe('hello\n');
    await expectNothingLeft(scenario.worktree, first.pgids);

    expect(scenario.cli('reopen', '1').code).toBe(0);
    const second = watchAgentGroups(scenario, defer, 2);
    const resumed = await scenario.run('--max-attempts', '2');

    expect(resumed.code, explain(resumed)).toBe(0);
    expect(resumed.stderr).toContain('resuming from its last checkpoint');
    // The new run found the work in its worktree (the model read it back), and was told why the last run stopped.
    expect(toolOutputs(scenario.server)).toContain('hello');
    const [, reopened] = attemptOpenings(scenario.server);
    expect(reopened?.prompt).toContain(RETRY);
    expect(reopened?.prompt).toMatch(/wall-clock|timeout|time/);
    const run2 = scenario.record(2);
    expect(run2.status).toBe('succeeded');
    expect(scenario.taskStatus()).toBe('review');
    expect(git(scenario.dir, ['merge-base', '--is-ancestor', record.checkpoint, run2.commit as string]).toString()).toBe('');
    expect(git(scenario.dir, ['show', `${run2.commit as string}:greeting.txt`])).toBe('hello\n');
    expect(git(scenario.dir, ['log', '-1', '--format=%s', BRANCH]).trim()).toBe(`${TASK_TITLE} (#1)`);
    await expectNothingLeft(scenario.worktree, second.pgids);
  });

  eitherAgent('two `baton run 1` started at once by the same actor: one runs the agent, the other exits 4 naming its pid', { timeout: TIMEOUT_MS }, async (agent) => {
    const scenario = await setUpScenario(agent, attempts({ ...runShell(write('hello')), when: fresh }), { defer, codexSandbox: false });
    const { pgids } = watchAgentGroups(scenario, defer);

    const results = await Promise.all([scenario.run('--max-attempts', '1'), scenario.run('--max-attempts', '1')]);

    const codes = results.map((result) => result.code).sort();
    expect(codes, results.map(explain).join('\n\n')).toEqual([0, 4]);
    const loser = results.find((result) => result.code === 4) as BatonResult;
    const records = runRecords({ ...scenario, db: '', cleanup: () => undefined }, 1);
    expect(records.map((record) => record.status)).toEqual(['succeeded']);
    const error = json<{ error: { code: string; message: string; details: { pid: number } } }>(loser).error;
    expect(error.code).toBe('CONFLICT');
    expect(error.details.pid).toBe(records[0]?.pid);
    expect(error.message).toContain(`pid ${records[0]?.pid}`);
    // One agent session: the model was asked for one attempt.
    expect(attemptOpenings(scenario.server)).toHaveLength(1);
    expect(scenario.taskStatus()).toBe('review');
    expect(git(scenario.dir, ['log', '-1', '--format=%s', BRANCH]).trim()).toBe(`${TASK_TITLE} (#1)`);
    await expectNothingLeft(scenario.worktree, pgids);
  });

  for (const decision of [
    { what: 'cancels', args: ['cancel', '1', '--force', '-m', 'not needed any more'], status: 'cancelled' },
    { what: 'completes', args: ['complete', '1', '--force', '--reason', 'done by hand', '-m', 'merged by hand'], status: 'done' },
  ] as const) {
    eitherAgent(`a person who ${decision.what} the task during the run has the last word: it stays ${decision.status}`, { timeout: TIMEOUT_MS }, async (agent) => {
      const scenario = await setUpScenario(
        agent,
        ({ tools }) => attempts({ ...runShell(`${write('hello')}; touch ${tools}/started; for i in $(seq 200); do [ -e ${tools}/go ] && break; sleep 0.1; done; echo resumed`), when: fresh }),
        { defer, codexSandbox: false },
      );
      const { pgids } = watchAgentGroups(scenario, defer);
      const running = scenario.run('--max-attempts', '2');
      let settled: BatonResult | null = null;
      void running.then((result) => (settled = result));
      await waitUntil(() => existsSync(join(scenario.tools, 'started')) || settled !== null, 40_000, 'the agent to start working');
      expect(settled).toBeNull();

      const person = baton(decision.args, { cwd: scenario.dir, env: { ...scenario.env, BATON_AGENT: 'alice' } });
      expect(person.code, explain(person)).toBe(0);
      writeFileSync(join(scenario.tools, 'go'), '');
      const result = await running;

      expect(scenario.taskStatus()).toBe(decision.status);
      // The work passed and is kept (a commit on the task branch, the evidence); the task is not the run's to move any more, and the run says so.
      const record = scenario.record();
      expect(record.status).toBe('succeeded');
      expect(record.reason).toContain(`task #1 is no longer held by tester (it is ${decision.status}`);
      expect(git(scenario.dir, ['log', '-1', '--format=%s', BRANCH]).trim()).toBe(`${TASK_TITLE} (#1)`);
      expect(result.code, explain(result)).toBe(0);
      expect(json<{ task: unknown }>(result).task).toBeNull();
      const types = scenario.events().map((event) => event.type);
      const decided = types.lastIndexOf(decision.status === 'cancelled' ? 'task_cancelled' : 'task_completed');
      expect(decided).toBeGreaterThan(-1);
      expect(types.slice(decided + 1).filter((type) => type.startsWith('task_') || /^run_(succeeded|failed|interrupted)$/.test(type))).toEqual([]);
      await expectNothingLeft(scenario.worktree, pgids);
    });
  }

  eitherAgent('a board made anew under old evidence: its task #1 starts fresh, on a new branch, told nothing of the old board', { timeout: TIMEOUT_MS }, async (agent) => {
    const scenario = await setUpScenario(
      agent,
      attempts({ ...runShell(write('hallo')), when: (view: ConversationView) => fresh(view) && !isRetry(view) }, { ...runShell(write('hello')), when: fresh }),
      { defer, codexSandbox: false },
    );
    const old = await scenario.run('--max-attempts', '1');
    expect(old.code, explain(old)).toBe(1);
    const oldRecord = scenario.record(1);
    expect(oldRecord.attempts[0]?.failures.map((failure) => failure.detail).join('\n')).toContain(HALLO_FAILURE);

    for (const file of ['baton.db', 'baton.db-wal', 'baton.db-shm']) rmSync(join(scenario.dir, '.git', 'baton', file), { force: true });
    expect(scenario.cli('init').code).toBe(0);
    expect(scenario.cli('add', TASK_TITLE, '--resource', 'modifies:file:greeting.txt').code).toBe(0);
    const result = await scenario.run('--max-attempts', '1');

    expect(result.code, explain(result)).toBe(0);
    const { run } = json<{ run: RunRecord }>(result);
    expect(run.boardId).not.toBe(oldRecord.boardId);
    // Run 1 of the new board; the old board's runs of its #1 are kept whole, set aside.
    expect(run.run).toBe(1);
    const runs = join(scenario.dir, '.git', 'baton', 'runs');
    const aside = readdirSync(runs).filter((name) => name.startsWith(`1.board-${oldRecord.boardId.slice(0, 12)}-`));
    expect(aside).toHaveLength(1);
    expect((JSON.parse(readFileSync(join(runs, aside[0] as string, '1', 'run.json'), 'utf8')) as RunRecord).checkpoint).toBe(oldRecord.checkpoint);
    expect(run.branch).toBe(`${BRANCH}-2`);
    expect(run.worktree).toBe(`${scenario.worktree}-2`);
    expect(run.startCommit).toBe(git(scenario.dir, ['rev-parse', 'main']).trim());
    expect(run.quarantined).toBeNull();
    // Nothing of the old board's failures reached the new run's prompt or the model.
    const prompt = scenario.attemptFile(1, 'prompt.md', run.run);
    expect(prompt).not.toContain(RETRY);
    expect(prompt).not.toContain('hallo');
    const openings = attemptOpenings(scenario.server);
    expect(openings).toHaveLength(2);
    expect(openings[1]?.prompt).not.toContain(RETRY);
    expect(openings[1]?.prompt).not.toContain('hallo');
    // The new board knows only its own run; the old branch and its checkpoint are untouched.
    expect(json<{ runs: RunRecord[] }>(scenario.cli('runs', '1', '--json')).runs.map((record) => record.boardId)).toEqual([run.boardId]);
    expect(scenario.events().find((event) => event.type === 'run_started')?.payload).toMatchObject({ resumedFrom: null, branch: `${BRANCH}-2` });
    expect(git(scenario.dir, ['rev-parse', BRANCH]).trim()).toBe(oldRecord.checkpoint);
    expect(git(scenario.dir, ['log', '-1', '--format=%s', run.branch]).trim()).toBe(`${TASK_TITLE} (#1)`);
    expect(git(scenario.dir, ['show', `${run.branch}:greeting.txt`])).toBe('hello\n');
    expect(git(scenario.dir, ['rev-parse', `${run.branch}~1`]).trim()).toBe(run.startCommit);
    expect(scenario.taskStatus()).toBe('review');
    expect(processesIn(scenario.worktree)).toEqual([]);
    expect(processesIn(run.worktree)).toEqual([]);
  });
});

