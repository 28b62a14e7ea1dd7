/**
 * The supervisor (`baton run --ready`) with `cmd:` agents: small shell scripts that log when
 * they start and end, so the tests can see how many ran at once and in what order. Each run is
 * a real `baton run` (worktree, branch, checks, evidence); the agent CLIs themselves are
 * tested in the run-* files.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { baton, batonAsync, BATON_BIN, boardFingerprint, childEnv, git, json, makeRepo, ndjson, spawnBaton } from './helpers/baton.js';
import { sharedTempDir } from './helpers/sandbox-share.js';

const TIMEOUT_MS = 120_000;

interface Span {
  task: string;
  start: number;
  end: number;
}

interface SupervisorDoc {
  runs: { taskId: number; agent: string; outcome: string; attempts: number; taskStatus: string | null; reason: string | null }[];
  totals: { runs: number; succeeded: number; attempts: number };
  deferred: { taskId: number; collisions: { taskId: number; reason: string }[] }[];
  drained: boolean;
  interrupted: boolean;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/**
 * A repository whose agent (`cmd:sh agent.sh`) logs its start and end to a shared file, sleeps
 * `seconds`, and writes work.txt; the check passes once work.txt exists.
 */
function project(seconds: number): { dir: string; log: string; spans: () => Span[]; add: (title: string, ...flags: string[]) => number } {
  const repo = makeRepo('baton-supervisor-');
  const shared = sharedTempDir('baton-supervisor-log-');
  cleanups.push(repo.cleanup, () => rmSync(shared, { recursive: true, force: true }));
  const log = join(shared, 'agents.log');
  writeFileSync(log, '');
  const agent = join(repo.dir, 'agent.sh');
  writeFileSync(agent, `#!/bin/sh\ntask=$(basename "$PWD")\necho "start $task $(date +%s%N)" >> '${log}'\nsleep ${seconds}\necho done > work.txt\necho "end $task $(date +%s%N)" >> '${log}'\n`);
  chmodSync(agent, 0o755);
  writeFileSync(join(repo.dir, 'baton.config.json'), `${JSON.stringify({ checks: [{ id: 'work', run: 'test -f work.txt' }], agent: { name: 'cmd:sh agent.sh' } })}\n`);
  git(repo.dir, ['add', '-A']);
  git(repo.dir, ['commit', '-qm', 'initial']);
  expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
  return {
    dir: repo.dir,
    log,
    spans: () => spansOf(readFileSync(log, 'utf8')),
    add: (title, ...flags) => json<{ task: { id: number } }>(baton(['add', title, '--json', ...flags], { cwd: repo.dir })).task.id,
  };
}

/** Each agent session as a span of time, by its worktree's name (`<id>-<title>`). */
function spansOf(text: string): Span[] {
  const starts = new Map<string, number>();
  const spans: Span[] = [];
  for (const line of text.trim().split('\n').filter(Boolean)) {
    const [what, task, at] = line.split(' ') as [string, string, string];
    const ms = Number(BigInt(at) / 1_000_000n);
    if (what === 'start') starts.set(task, ms);
    else spans.push({ task, start: starts.get(task) as number, end: ms });
  }
  return spans;
}

/** The most sessions that were running at one moment. */
function mostAtOnce(spans: readonly Span[]): number {
  return Math.max(0, ...spans.map((span) => spans.filter((other) => other.start <= span.start && span.start < other.end).length));
}

describe('baton run --ready', () => {
  it('keeps N runs going over the ready queue, best task first, and ends with a summary once nothing is ready', { timeout: TIMEOUT_MS }, async () => {
    const p = project(1);
    for (const title of ['first', 'second', 'third', 'fourth']) p.add(title);
    p.add('urgent', '-p', '0');

    const result = await batonAsync(['run', '--ready', '--no-land', '--parallel', '2', '--json'], { cwd: p.dir });
    expect(result.code, result.stderr).toBe(0);
    const { events, summary: doc } = ndjson<SupervisorDoc>(result);
    expect(doc.runs.map((run) => run.taskId).sort()).toEqual([1, 2, 3, 4, 5]);
    // --json: stdout is NDJSON, an event per line as it happens, then the summary.
    expect(events[0]).toMatchObject({ kind: 'dispatched', taskId: 5, title: 'urgent', running: 1 });
    for (const id of [1, 2, 3, 4, 5]) {
      const kinds = events.filter((event) => event.taskId === id).map((event) => event.kind);
      expect(kinds).toEqual(['dispatched', 'run_started', 'attempt_started', 'attempt_finished', 'finished']);
    }
    expect(events.find((event) => event.kind === 'attempt_finished')).toMatchObject({ outcome: 'succeeded', verdict: 'passed' });
    expect(doc.runs.every((run) => run.outcome === 'succeeded' && run.taskStatus === 'review' && run.attempts === 1), JSON.stringify(doc.runs, null, 1)).toBe(true);
    expect(doc.totals).toMatchObject({ runs: 5, succeeded: 5, attempts: 5 });
    const spans = p.spans();
    expect(spans).toHaveLength(5);
    expect(mostAtOnce(spans)).toBe(2);
    // The priority-0 task is dispatched first.
    expect(result.stderr.split('\n').find((line) => line.startsWith('supervisor: starting'))).toContain("#5 'urgent'");
    const tasks = json<{ tasks: { status: string }[] }>(baton(['list', '--all', '--json'], { cwd: p.dir })).tasks;
    expect(tasks.map((task) => task.status)).toEqual(['review', 'review', 'review', 'review', 'review']);
  });

  it('defers a task that collides with a running one, says which, and starts it once the other has ended', { timeout: TIMEOUT_MS }, async () => {
    const p = project(1);
    p.add('write the work file', '-r', 'modifies:file:work.txt');
    p.add('also write the work file', '-r', 'modifies:file:work.txt');
    p.add('something else');

    const result = await batonAsync(['run', '--ready', '--no-land', '--parallel', '3'], { cwd: p.dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/supervisor: #2 waits: #1 'write the work file' is already working on work\.txt/);
    const spans = p.spans();
    const first = spans.find((span) => span.task.startsWith('1-'));
    const second = spans.find((span) => span.task.startsWith('2-'));
    const other = spans.find((span) => span.task.startsWith('3-'));
    expect(first && second && other, `${result.stdout}\n${readFileSync(p.log, "utf8")}`).toBeTruthy();
    expect(second!.start).toBeGreaterThanOrEqual(first!.end);
    // The task that collides with nothing did not wait.
    expect(other!.start).toBeLessThan(first!.end);
  });

  it('takes only tasks with every --label, and the agent a task names by an agent: label', { timeout: TIMEOUT_MS }, async () => {
    const p = project(0);
    p.add('backend work', '-l', 'backend');
    p.add('frontend work', '-l', 'frontend');
    p.add('backend work for codex', '-l', 'backend,agent:codex');

    // Without the agent CLIs on PATH, the task that asks for Codex cannot start: and says so.
    const path = (process.env.PATH ?? '').split(':').filter((folder) => !folder.includes('node_modules')).join(':');
    const result = await batonAsync(['run', '--ready', '--no-land', '--label', 'backend', '--json'], { cwd: p.dir, env: { PATH: path } });
    expect(result.code).toBe(1);
    const doc = ndjson<SupervisorDoc>(result).summary;
    const byTask = new Map(doc.runs.map((run) => [run.taskId, run]));
    expect([...byTask.keys()].sort()).toEqual([1, 3]);
    expect(byTask.get(1)).toMatchObject({ agent: 'cmd:sh agent.sh', outcome: 'succeeded' });
    expect(byTask.get(3)).toMatchObject({ agent: 'codex', outcome: 'not_started', reason: expect.stringContaining('codex is not installed') });
    // Tried once: a run that cannot start would refuse again.
    expect(doc.runs.filter((run) => run.taskId === 3)).toHaveLength(1);
    const statuses = json<{ tasks: { id: number; status: string }[] }>(baton(['list', '--all', '--json'], { cwd: p.dir })).tasks.map((task) => task.status);
    expect(statuses).toEqual(['review', 'open', 'open']);
  });

  it('two supervisors on one board never run the same task', { timeout: TIMEOUT_MS }, async () => {
    const p = project(0.3);
    for (let n = 1; n <= 6; n++) p.add(`task ${n}`);
    const [a, b] = await Promise.all([
      batonAsync(['run', '--ready', '--no-land', '--parallel', '3', '--json'], { cwd: p.dir, env: { BATON_AGENT: 'supervisor-a' } }),
      batonAsync(['run', '--ready', '--no-land', '--parallel', '3', '--json'], { cwd: p.dir, env: { BATON_AGENT: 'supervisor-b' } }),
    ]);
    const succeeded = [a, b].flatMap((result) => ndjson<SupervisorDoc>(result).summary.runs.filter((run) => run.outcome === 'succeeded').map((run) => run.taskId));
    expect(succeeded.sort()).toEqual([1, 2, 3, 4, 5, 6]);
    // Each task's agent ran once, whichever supervisor won it.
    expect(p.spans().map((span) => span.task.split('-')[0]).sort()).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('--watch starts tasks as they become ready; the first Ctrl-C lets the run finish, the second interrupts', { timeout: TIMEOUT_MS }, async () => {
    const p = project(2);
    const supervisor = spawnBaton(['run', '--ready', '--no-land', '--watch'], { cwd: p.dir });
    cleanups.push(() => supervisor.stop());
    // Nothing ready yet: it waits. A task added now starts within the next look.
    await new Promise((resolve) => setTimeout(resolve, 500));
    p.add('added while it watches');
    await supervisor.waitFor((line) => line.startsWith("supervisor: starting #1 'added while it watches'"), 10_000);
    process.kill(supervisor.pid as number, 'SIGINT');
    await supervisor.waitFor((line) => line.includes('starting nothing more'), 10_000);
    p.add('added after the first Ctrl-C');
    const drained = await supervisor.exited;
    expect(drained.code, drained.stderr).toBe(0);
    expect(supervisor.lines.some((line) => line.startsWith('supervisor: #1 ended succeeded, task review'))).toBe(true);
    expect(supervisor.lines.some((line) => line.includes('#2'))).toBe(false);

    // Again, with a second Ctrl-C while the agent works: the run ends interrupted, the task goes back.
    const again = spawnBaton(['run', '--ready', '--no-land', '--watch'], { cwd: p.dir });
    cleanups.push(() => again.stop());
    await again.waitFor((line) => line.includes('attempt 1/3'), 10_000);
    process.kill(again.pid as number, 'SIGINT');
    await again.waitFor((line) => line.includes('starting nothing more'), 10_000);
    process.kill(again.pid as number, 'SIGINT');
    const interrupted = await again.exited;
    expect(interrupted.code).toBe(1);
    expect(again.lines.some((line) => line.startsWith("supervisor: #2 ended interrupted")), again.lines.join("\n")).toBe(true);
    const task = json<{ task: { status: string; assignee: string | null } }>(baton(['show', '2', '--json'], { cwd: p.dir })).task;
    expect(task.status).toBe('open');
  });

  it('the config\'s fleet rules: an agent by kind, and no more runs of one agent at once than maxPerAgent', { timeout: TIMEOUT_MS }, async () => {
    const p = project(1);
    // Another agent for bugs: the same script under another name.
    writeFileSync(join(p.dir, 'bug-agent.sh'), readFileSync(join(p.dir, 'agent.sh'), 'utf8'));
    const config = JSON.parse(readFileSync(join(p.dir, 'baton.config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(p.dir, 'baton.config.json'), JSON.stringify({ ...config, fleet: { maxPerAgent: { 'cmd:sh agent.sh': 1 }, agents: [{ kind: 'bug', agent: 'cmd:sh bug-agent.sh' }] } }));
    git(p.dir, ['add', '-A']);
    git(p.dir, ['commit', '-qm', 'fleet rules']);
    for (const title of ['one', 'two', 'three']) p.add(title);
    p.add('a bug', '-k', 'bug');
    const result = await batonAsync(['run', '--ready', '--no-land', '--parallel', '3', '--json'], { cwd: p.dir });
    expect(result.code, result.stderr).toBe(0);
    const doc = ndjson<SupervisorDoc>(result).summary;
    expect(doc.runs.find((run) => run.taskId === 4)?.agent).toBe('cmd:sh bug-agent.sh');
    expect(doc.runs.filter((run) => run.agent === 'cmd:sh agent.sh')).toHaveLength(3);
    // The three tasks of the capped agent one after another; the bug's agent beside them.
    const spans = p.spans();
    expect(mostAtOnce(spans.filter((span) => !span.task.startsWith('4-')))).toBe(1);
    expect(mostAtOnce(spans)).toBe(2);
  });

  it('kill -9 of the supervisor ends its agent; started again, it puts the dead run in order and the task resumes, never two runs at once', { timeout: TIMEOUT_MS }, async () => {
    const p = project(4);
    const id = p.add('slow work');
    const killed = spawnBaton(['run', '--ready', '--no-land'], { cwd: p.dir });
    cleanups.push(() => killed.stop());
    await killed.waitFor((line) => line.includes('attempt 1/3'), 20_000);
    const started = Date.now();
    while (!readFileSync(p.log, 'utf8').includes('start') && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 100));
    process.kill(killed.pid as number, 'SIGKILL');
    await killed.exited;
    // Its agent would write "end" 4 s after it started: the watchdog ended it first.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(readFileSync(p.log, 'utf8')).not.toContain('end ');
    expect(json<{ task: { status: string } }>(baton(['show', String(id), '--json'], { cwd: p.dir })).task.status).toBe('in_progress');

    const again = await batonAsync(['run', '--ready', '--no-land', '--json'], { cwd: p.dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`#${id}'s run 1 stopped with its baton`);
    expect(ndjson<SupervisorDoc>(again).summary.runs.map((run) => [run.taskId, run.outcome])).toEqual([[id, 'succeeded']]);
    const runs = json<{ runs: { run: number; status: string }[] }>(baton(['runs', String(id), '--json'], { cwd: p.dir })).runs;
    expect(runs.map((run) => [run.run, run.status])).toEqual([[1, 'interrupted'], [2, 'succeeded']]);
    // One session was cut short, one ran to its end, and they never overlapped.
    const spans = p.spans();
    expect(spans).toHaveLength(1);
    expect(readFileSync(p.log, 'utf8').match(/^start /gm)).toHaveLength(2);
  });

  it('on a terminal, a line per running task redrawn in place (agent, attempt k/n, elapsed, last event, tokens, cost)', { timeout: TIMEOUT_MS }, () => {
    const p = project(1);
    p.add('shown live');
    // `script` runs the supervisor on a pseudo-terminal and copies what it draws.
    const drawn = spawnSync('script', ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(BATON_BIN)} run --ready --no-land`, '/dev/null'], { cwd: p.dir, env: childEnv({ COLUMNS: '120' }), encoding: 'utf8', timeout: 60_000 });
    expect(drawn.status, drawn.stderr).toBe(0);
    const text = drawn.stdout;
    expect(text).toContain('#1  cmd:sh agent.sh  attempt 1/3  ');
    expect(text).toContain('agent working  0 tok  $0.00');
    expect(text).toContain('\u001b[1A\u001b[2K#1  cmd:sh agent.sh  attempt 1/3');
    expect(text).toContain('attempt 1: passed');
    // The per-run log lines of a pipe are not printed: the row says it.
    expect(text).not.toContain('#1 attempt 1/3...');
    expect(text).toContain('1 of 1 run(s) succeeded');
  });

  it('refuses bad input with the field and the fix, and changes nothing', () => {
    const p = project(0);
    p.add('a task');
    const before = boardFingerprint(join(p.dir, '.git', 'baton', 'baton.db'));
    const cases: [string[], RegExp][] = [
      [['run', '--ready', '1'], /give an ID or --ready, not both/],
      [['run'], /give the ID of the task to run, or --ready/],
      [['run', '--ready', '--parallel', '0'], /--parallel: '0' is not a whole number from 1 to 32/],
      [['run', '--ready', '--parallel', 'many'], /--parallel: 'many' is not a whole number/],
      [['run', '1', '--parallel', '2'], /--parallel only goes with --ready/],
      [['run', '1', '--watch'], /--watch only goes with --ready/],
      [['run', '--ready', '--max-dispatches', '0'], /--max-dispatches: '0' is not a whole number from 1 to 100/],
      [['run', '--ready', '--label', 'two words'], /--label: 'two words' is not a label/],
    ];
    for (const [args, message] of cases) {
      const result = baton(args, { cwd: p.dir });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    // Side by side without containment, each run would take the others' work for its attempt's doing.
    const uncontained = baton(['run', '--ready', '--parallel', '2'], { cwd: p.dir, env: { BATON_CONTAINMENT: 'off' } });
    expect(uncontained.code).toBe(2);
    expect(uncontained.stderr).toMatch(/--parallel: runs side by side need containment.*use --parallel 1/);
    expect(boardFingerprint(join(p.dir, '.git', 'baton', 'baton.db'))).toBe(before);
    expect(p.spans()).toEqual([]);
  });
});
