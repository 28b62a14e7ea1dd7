/**
 * Baton's own checks and stop rules, end to end: the real `baton run` binary, real git
 * repositories and small shell scripts as agents (`cmd:`). A script reads its prompt from
 * $BATON_PROMPT_FILE, so it can act differently on a retry. Every test asserts what a person
 * would look at afterwards: the exit code, run.json, the task, the branch, the evidence and
 * the feed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../src/core/run/run-record.js';
import { baton, git, json, type BatonResult } from './helpers/baton.js';
import { agentScript, makeRunRepo, runRecords, type RunRepo } from './helpers/run-fixture.js';
import { detectContainment } from '../src/adapters/process/containment.js';
import { PYTEST_AVAILABLE } from './helpers/shop-projects.js';

const RETRY = 'Previous attempt failed because';
const REVERTED = 'Baton reverted every change';
const FIXED_CHECK = { id: 'fixed', run: 'test -f fixed.txt' };

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

interface FeedEvent {
  type: string;
  payload: Record<string, unknown>;
}

interface TaskView {
  status: string;
  blockReason: string | null;
  branch: string | null;
  worktree: string | null;
}

/**
 * A repository with `config` and `files` committed on main, and one task per entry of `tasks`
 * (the arguments of `baton add`).
 */
function repoWith(config: Record<string, unknown>, files: Record<string, string> = {}, tasks: string[][] = [['Make the check pass']]): RunRepo {
  const repo = makeRunRepo(config, 'baton-run-checks-');
  cleanups.push(repo.cleanup);
  if (Object.keys(files).length > 0) {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(repo.dir, path)), { recursive: true });
      writeFileSync(join(repo.dir, path), text);
    }
    git(repo.dir, ['add', '-A']);
    git(repo.dir, ['commit', '-qm', 'fixtures']);
  }
  for (const args of tasks) expect(baton(['add', ...args], { cwd: repo.dir }).code).toBe(0);
  return repo;
}

/** `baton run ID --agent AGENT --json` plus flags; the parsed document beside the raw result. */
function run(repo: RunRepo, agent: string, flags: string[] = [], env: Record<string, string> = {}, id = 1): { result: BatonResult; doc: { run: RunRecord; task: TaskView | null; evidence: string } } {
  const result = baton(['run', String(id), '--agent', agent, '--json', ...flags], { cwd: repo.dir, env });
  return { result, doc: json(result) };
}

/** What went wrong, for assertion messages. */
function explain(result: BatonResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout.slice(-3000)}\n--- stderr\n${result.stderr.slice(-3000)}`;
}

function task(repo: RunRepo, id = 1): TaskView {
  return json<{ task: TaskView }>(baton(['show', String(id), '--json'], { cwd: repo.dir })).task;
}

function events(repo: RunRepo, id = 1): FeedEvent[] {
  return json<{ events: FeedEvent[] }>(baton(['log', String(id), '--json'], { cwd: repo.dir })).events;
}

/** The path of an evidence file of `attempt` in `run` of task `id`. */
function evidencePath(repo: RunRepo, run: number, attempt: number, name: string, id = 1): string {
  return join(repo.dir, '.git', 'baton', 'runs', String(id), String(run), `attempt-${attempt}`, name);
}

function evidence(repo: RunRepo, run: number, attempt: number, name: string, id = 1): string {
  return readFileSync(evidencePath(repo, run, attempt, name, id), 'utf8');
}

/** A script body that runs `first` on a first attempt and `retry` once the prompt says why the last one failed. */
function onRetry(first: string, retry: string): string {
  return `if grep -q '${RETRY}' "$BATON_PROMPT_FILE"; then\n${retry}\nelse\n${first}\nfi`;
}

/** A script body that runs `cases[n-1]` on its n-th start (counted in a file under `repo.tools`). */
function byAttempt(repo: RunRepo, prelude: string, cases: string[]): string {
  const count = join(repo.tools, 'count');
  const arms = cases.map((body, index) => `${index + 1}) ${body} ;;`).join('\n');
  return `n=$(cat '${count}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '${count}'\n${prelude}\ncase $n in\n${arms}\nesac`;
}

/** Check ids of each attempt's failures, in order. */
function failureIds(record: RunRecord): string[][] {
  return record.attempts.map((attempt) => attempt.failures.map((failure) => failure.checkId));
}

/** Files a commit range touched, for "nothing else landed" assertions. */
function touched(repo: RunRepo, range: string): string[] {
  return git(repo.dir, ['log', '--format=', '--name-only', range]).split('\n').filter(Boolean);
}

describe('setup script', () => {
  const config = {
    setup: 'echo "installing into $(pwd)"; mkdir -p node_modules && echo ok > node_modules/.installed && echo ran >> "$SETUP_COUNT"',
    checks: [FIXED_CHECK],
    // The check fails on the base: with failures there excused, the wip attempts would pass.
    baseline: { preexisting: 'block' },
  };

  it('runs once in a new worktree before attempt 1, never again on a retry or a resumed run', { timeout: 30_000 }, async () => {
    const repo = repoWith(config, { '.gitignore': 'node_modules/\n' });
    const env = { SETUP_COUNT: join(repo.tools, 'setup-count') };
    const saw = join(repo.tools, 'saw-install');
    // Each attempt notes whether setup's work is there, then leaves work the check rejects.
    const wip = agentScript(repo, 'wip', `test -f node_modules/.installed && echo yes >> '${saw}'\necho wip >> wip.txt`);

    const first = run(repo, wip, ['--max-attempts', '2'], env);

    expect(first.result.code, explain(first.result)).toBe(1);
    expect(first.doc.run.attempts).toHaveLength(2);
    expect(first.result.stderr).toMatch(/setup: `echo "installing into .*` passed/);
    expect(readFileSync(env.SETUP_COUNT, 'utf8')).toBe('ran\n');
    expect(readFileSync(saw, 'utf8')).toBe('yes\nyes\n');
    const worktree = first.doc.run.worktree;
    expect(evidence(repo, 1, 1, 'setup.log')).toContain(`installing into ${worktree}`);
    expect(evidence(repo, 1, 1, 'setup.log')).toMatch(/\[exit 0 after \d+ ms\]/);
    expect(existsSync(evidencePath(repo, 1, 2, 'setup.log'))).toBe(false);
    // What setup made is ignored: in no checkpoint.
    expect(touched(repo, `main..${first.doc.run.branch}`)).not.toContain('node_modules/.installed');

    // The resumed run reuses the worktree and what setup put there.
    expect(baton(['reopen', '1'], { cwd: repo.dir }).code).toBe(0);
    const fixer = agentScript(repo, 'fixer', `test -f node_modules/.installed && echo yes >> '${saw}'\necho done > fixed.txt`);
    const second = run(repo, fixer, [], env);

    expect(second.result.code, explain(second.result)).toBe(0);
    expect(second.doc.run).toMatchObject({ run: 2, status: 'succeeded', worktree });
    expect(second.result.stderr).not.toContain('setup:');
    expect(readFileSync(env.SETUP_COUNT, 'utf8')).toBe('ran\n');
    expect(readFileSync(saw, 'utf8')).toBe('yes\nyes\nyes\n');
    expect(existsSync(evidencePath(repo, 2, 1, 'setup.log'))).toBe(false);
    expect(runRecords(repo, 1).map((record) => [record.status, record.attempts.length])).toEqual([
      [first.doc.run.status, 2],
      ['succeeded', 1],
    ]);
  });

  it('a failing setup blocks the task for a person, names the command, and starts no agent; once fixed it runs again', { timeout: 30_000 }, async () => {
    const failing = 'echo "resolving packages"; echo "registry unreachable" >&2; exit 3';
    const repo = repoWith({ setup: failing, checks: [FIXED_CHECK] });
    const started = join(repo.tools, 'agent-started');
    const agent = agentScript(repo, 'agent', `echo started >> '${started}'\necho done > fixed.txt`);

    const { result, doc } = run(repo, agent);

    expect(result.code, explain(result)).toBe(1);
    expect(doc.run.status).toBe('needs_human');
    expect(doc.run.reason).toContain(`the setup script \`${failing}\` exited with 3`);
    expect(doc.run.attempts).toEqual([]);
    expect(existsSync(started)).toBe(false);
    expect(task(repo)).toMatchObject({ status: 'blocked', blockReason: expect.stringContaining(failing) });
    const log = evidence(repo, 1, 1, 'setup.log');
    expect(log).toContain('resolving packages');
    expect(log).toContain('registry unreachable');
    expect(log).toMatch(/\[exit 3 after \d+ ms\]/);
    expect(existsSync(evidencePath(repo, 1, 1, 'prompt.md'))).toBe(false);
    expect(existsSync(doc.run.worktree)).toBe(true);
    const closing = events(repo).find((event) => event.type === 'run_failed');
    expect(closing?.payload).toMatchObject({ outcome: 'needs_human', attempts: 0 });

    // Fixed on main and unblocked: the kept worktree never had a setup that passed, so it runs now.
    writeFileSync(join(repo.dir, 'baton.config.json'), `${JSON.stringify({ setup: 'echo ran >> "$SETUP_COUNT"', checks: [FIXED_CHECK] })}\n`);
    git(repo.dir, ['commit', '-qam', 'fix the setup']);
    expect(baton(['unblock', '1'], { cwd: repo.dir }).code).toBe(0);
    const env = { SETUP_COUNT: join(repo.tools, 'setup-count') };
    const again = run(repo, agent, [], env);

    expect(again.result.code, explain(again.result)).toBe(0);
    expect(again.doc.run).toMatchObject({ run: 2, status: 'succeeded', worktree: doc.run.worktree });
    expect(readFileSync(env.SETUP_COUNT, 'utf8')).toBe('ran\n');
    expect(readFileSync(started, 'utf8')).toBe('started\n');
    expect(runRecords(repo, 1).map((record) => record.status)).toEqual(['needs_human', 'succeeded']);
  });
});

describe('forbidden patterns', () => {
  it('fails an attempt that adds a focused test, naming the pattern and path:line, and passes once it is removed', { timeout: 30_000 }, async () => {
    const testFile = "const { it } = require('node:test');\nit('adds', () => {});\n";
    const repo = repoWith(
      {
        forbiddenPatterns: [{ id: 'no-focused-tests', pattern: '\\b(it|describe)\\.only\\(', paths: ['**/*.test.js'], message: 'remove .only' }],
        checks: [{ id: 'tests', run: 'grep -q subtracts sum.test.js' }],
      },
      { 'sum.test.js': testFile },
      [['Test subtraction', '--resource', 'modifies:file:sum.test.js']],
    );
    const focused = "it.only('subtracts', () => {});";
    const agent = agentScript(repo, 'focus', onRetry(`echo "${focused}" >> sum.test.js`, `sed -i 's/it\\.only(/it(/' sum.test.js`));

    const { result, doc } = run(repo, agent);

    expect(result.code, explain(result)).toBe(0);
    expect(doc.run.attempts.map((attempt) => attempt.verdict)).toEqual(['checks_failed', 'passed']);
    expect(failureIds(doc.run)).toEqual([['pattern:no-focused-tests'], []]);
    const [failure] = doc.run.attempts[0]?.failures ?? [];
    expect(failure?.summary).toBe('remove .only: an added line matches /\\b(it|describe)\\.only\\(/ in sum.test.js');
    expect(failure?.detail).toBe(`sum.test.js:3: ${focused}`);
    const retryPrompt = evidence(repo, 1, 2, 'prompt.md');
    expect(retryPrompt).toContain(RETRY);
    expect(retryPrompt).toContain('(`pattern:no-focused-tests`)');
    expect(retryPrompt).toContain(`sum.test.js:3: ${focused}`);
    // The checkpoint holds the offending line; the commit for review does not.
    const branch = doc.run.branch;
    expect(git(repo.dir, ['show', `${branch}~1:sum.test.js`])).toContain('it.only(');
    expect(git(repo.dir, ['show', `${branch}:sum.test.js`])).toBe(`${testFile}it('subtracts', () => {});\n`);
    expect(events(repo).find((event) => event.type === 'checks_failed')?.payload).toMatchObject({
      attempt: 1,
      failures: [{ checkId: 'pattern:no-focused-tests' }],
    });
  });
});

describe('scope rules that revert an attempt', () => {
  const config = {
    checks: [{ id: 'fixed', run: 'sh check.sh', files: ['check.sh'] }],
    scope: { protect: ['package-lock.json'] },
    budgets: { maxAttempts: 6, maxDivergences: 6 },
  };
  const files = { 'sum.test.js': "it('adds', () => {});\n", 'package-lock.json': '{"lockfileVersion": 3}\n', 'check.sh': 'test -f fixed.txt\n' };

  it('reverts deleting or emptying a test, a protected path, a check file and the config, each as diverged', { timeout: 30_000 }, async () => {
    const repo = repoWith(config, files);
    const status = (n: string): string => join(repo.tools, `status-${n}`);
    const statusFile = join(repo.tools, 'status-$n');
    // Every attempt records how it found the worktree, does the real work, then breaks one rule.
    const agent = agentScript(
      repo,
      'vandal',
      byAttempt(repo, `git status --porcelain --untracked-files=all > "${statusFile}"\necho done > fixed.txt`, [
        'rm sum.test.js',
        ': > sum.test.js',
        `echo '{"tampered": true}' > package-lock.json`,
        "echo 'exit 0' > check.sh",
        "echo '{}' > baton.config.json",
        'true',
      ]),
    );

    const { result, doc } = run(repo, agent);

    expect(result.code, explain(result)).toBe(0);
    const record = doc.run;
    expect(record.attempts.map((attempt) => attempt.verdict)).toEqual(['diverged', 'diverged', 'diverged', 'diverged', 'diverged', 'passed']);
    expect(failureIds(record)).toEqual([['scope:test-deleted'], ['scope:test-deleted'], ['scope:protected'], ['scope:check-edited'], ['scope:check-edited'], []]);
    // Each reverted attempt went back to where it started: the next one found a clean worktree.
    for (const attempt of record.attempts.slice(0, 5)) expect(attempt.checkpoint).toBe(record.startCommit);
    for (let n = 1; n <= 6; n++) expect(readFileSync(status(String(n)), 'utf8'), `attempt ${n}'s start`).toBe('');
    const diverged = events(repo).filter((event) => event.type === 'diverged');
    expect(diverged.map((event) => event.payload.paths)).toEqual([
      expect.arrayContaining(['sum.test.js']),
      expect.arrayContaining(['sum.test.js']),
      expect.arrayContaining(['package-lock.json']),
      expect.arrayContaining(['check.sh']),
      expect.arrayContaining(['baton.config.json']),
    ]);
    for (const event of diverged) expect(event.payload.revertedTo).toBe(record.startCommit);
    expect(evidence(repo, 1, 2, 'prompt.md')).toContain(REVERTED);
    expect(evidence(repo, 1, 6, 'prompt.md')).toContain("changed a file that defines baton's checks: baton.config.json");
    // Only the real work is on the branch; every file the attempts broke is as committed.
    expect(git(repo.dir, ['diff', '--name-only', `main...${record.branch}`]).trim()).toBe('fixed.txt');
    for (const [path, text] of Object.entries(files)) expect(readFileSync(join(record.worktree, path), 'utf8')).toBe(text);
    expect(task(repo).status).toBe('review');
  });

  it('stops the run as diverged once maxDivergences attempts were reverted', { timeout: 30_000 }, async () => {
    const repo = repoWith({ ...config, budgets: { maxAttempts: 3, maxDivergences: 1 } }, files);
    const agent = agentScript(repo, 'vandal', `echo done > fixed.txt\necho '{}' > package-lock.json`);

    const { result, doc } = run(repo, agent);

    expect(result.code, explain(result)).toBe(1);
    expect(doc.run.status).toBe('diverged');
    expect(doc.run.reason).toBe("1 attempt changed files outside the task's scope and was reverted (the limit is 1).");
    expect(failureIds(doc.run)).toEqual([['scope:protected']]);
    expect(doc.run.attempts[0]?.failures[0]?.summary).toBe('the attempt changed a protected file: package-lock.json');
    expect(task(repo).status).toBe('failed');
    expect(readFileSync(join(doc.run.worktree, 'package-lock.json'), 'utf8')).toBe(files['package-lock.json']);
    expect(existsSync(join(doc.run.worktree, 'fixed.txt'))).toBe(false);
    expect(git(repo.dir, ['rev-parse', doc.run.branch])).toBe(git(repo.dir, ['rev-parse', 'main']));
    expect(evidence(repo, 1, 1, 'diff.patch')).toContain('package-lock.json');
    const types = events(repo).map((event) => event.type);
    expect(types).toContain('diverged');
    expect(events(repo).find((event) => event.type === 'run_failed')?.payload).toMatchObject({ outcome: 'diverged', attempts: 1 });
  });
});

describe('required files', () => {
  it('fails while a required file is missing or empty, naming file:<path>, and passes once both are written', { timeout: 30_000 }, async () => {
    const repo = repoWith({ requiredFiles: ['CHANGELOG.md'], scope: { allow: ['CHANGELOG.md'] } }, {}, [['Write the guide', '--resource', 'adds:file:docs/guide.md']]);
    const agent = agentScript(repo, 'writer', onRetry(': > CHANGELOG.md', "echo '## 1.0' > CHANGELOG.md\nmkdir -p docs && echo '# Guide' > docs/guide.md"));

    const { result, doc } = run(repo, agent);

    expect(result.code, explain(result)).toBe(0);
    expect(doc.run.attempts.map((attempt) => attempt.verdict)).toEqual(['checks_failed', 'passed']);
    expect(doc.run.attempts[0]?.failures.map((failure) => [failure.checkId, failure.summary])).toEqual([
      ['file:CHANGELOG.md', 'required file CHANGELOG.md is empty'],
      ['file:docs/guide.md', 'required file docs/guide.md is missing'],
    ]);
    expect(evidence(repo, 1, 2, 'prompt.md')).toContain('required file docs/guide.md is missing (`file:docs/guide.md`)');
    expect(git(repo.dir, ['show', `${doc.run.branch}:docs/guide.md`])).toBe('# Guide\n');
    expect(git(repo.dir, ['show', `${doc.run.branch}:CHANGELOG.md`])).toBe('## 1.0\n');
  });
});

describe("the agent's report", () => {
  const valid = { summary: 'Wrote fixed.txt so the check passes.', changes: ['fixed.txt: new file'], tests: [], notes: 'Nothing else was needed.' };
  const writeReport = (report: unknown): string => `mkdir -p .baton && cat > .baton/report.json <<'EOF'\n${JSON.stringify(report)}\nEOF`;

  it('fails an invalid report naming the field, puts a valid one in the commit body, and never commits the file', { timeout: 30_000 }, async () => {
    const repo = repoWith({ checks: [FIXED_CHECK] });
    const agent = agentScript(repo, 'reporter', onRetry(`echo done > fixed.txt\n${writeReport({ summary: 3 })}`, writeReport(valid)));

    const { result, doc } = run(repo, agent);

    expect(result.code, explain(result)).toBe(0);
    expect(failureIds(doc.run)).toEqual([['report:invalid'], []]);
    expect(doc.run.attempts[0]?.failures[0]?.summary).toBe('the report file .baton/report.json is not valid: summary: must be a string, not a number');
    expect(evidence(repo, 1, 2, 'prompt.md')).toContain('summary: must be a string, not a number');
    // What the agent wrote is kept with each attempt's evidence.
    expect(JSON.parse(evidence(repo, 1, 1, 'report.json'))).toEqual({ summary: 3 });
    expect(JSON.parse(evidence(repo, 1, 2, 'report.json'))).toEqual(valid);
    const message = git(repo.dir, ['log', '-1', '--format=%B', doc.run.branch]);
    expect(message).toContain(`${valid.summary}\n\nChanges:\n- fixed.txt: new file\n\nNotes: ${valid.notes}`);
    expect(message).toMatch(/Baton-Task: 1\nBaton-Run: 1\nBaton-Attempts: 2\n/);
    expect(touched(repo, `main..${doc.run.branch}`).sort()).toEqual(['fixed.txt']);
    expect(git(repo.dir, ['ls-tree', '-r', '--name-only', doc.run.branch])).not.toContain('.baton');
  });

  it('with requireReport, fails an attempt that leaves no report', { timeout: 30_000 }, async () => {
    const repo = repoWith({ checks: [FIXED_CHECK], requireReport: true });
    const agent = agentScript(repo, 'silent', onRetry('echo done > fixed.txt', writeReport(valid)));

    const { result, doc } = run(repo, agent);

    expect(result.code, explain(result)).toBe(0);
    expect(doc.run.attempts[0]?.failures.map((failure) => [failure.checkId, failure.summary])).toEqual([['report:invalid', 'the report file .baton/report.json is missing']]);
    expect(doc.run.attempts[1]?.verdict).toBe('passed');
    // Attempt 2 added nothing but its report: attempt 1's checkpoint became the commit for review.
    const branch = doc.run.branch;
    expect(git(repo.dir, ['rev-list', '--count', `main..${branch}`]).trim()).toBe('1');
    expect(git(repo.dir, ['rev-parse', branch]).trim()).toBe(doc.run.commit);
    expect(doc.run.commit).not.toBe(doc.run.attempts[0]?.checkpoint);
    const message = git(repo.dir, ['log', '-1', '--format=%B', branch]);
    expect(message).toMatch(/^Make the check pass \(#1\)\n\nWrote fixed\.txt so the check passes\./);
    expect(message).not.toContain('Checkpoint');
    expect(git(repo.dir, ['show', `${branch}:fixed.txt`])).toBe('done\n');
    expect(touched(repo, `main..${branch}`)).toEqual(['fixed.txt']);
    expect(task(repo)).toMatchObject({ status: 'review' });
  });
});

describe('an agent that changes nothing', () => {
  it('fails with agent:no-changes and stalls without a commit', { timeout: 30_000 }, async () => {
    const repo = repoWith({});
    const agent = agentScript(repo, 'idle', 'echo "All done, nothing needed changing."');

    const { result, doc } = run(repo, agent);

    expect(result.code, explain(result)).toBe(1);
    expect(doc.run.status).toBe('stalled');
    expect(failureIds(doc.run)).toEqual([['agent:no-changes'], ['agent:no-changes']]);
    expect(doc.run.attempts[0]?.failures[0]?.summary).toBe('the task branch has no changes yet: nothing was implemented');
    expect(doc.run.reason).toContain('(agent:no-changes)');
    expect(git(repo.dir, ['rev-parse', doc.run.branch])).toBe(git(repo.dir, ['rev-parse', 'main']));
    expect(doc.run.commit).toBeNull();
    expect(task(repo).status).toBe('failed');
    expect(events(repo).find((event) => event.type === 'stalled')?.payload).toMatchObject({ outcome: 'stalled', attempts: 2 });
  });
});

describe('the time budget', () => {
  it('--timeout 2s stops an agent that takes longer, within seconds of the budget', { timeout: 30_000 }, async () => {
    const repo = repoWith({ checks: [FIXED_CHECK] });
    const agent = agentScript(repo, 'slow', 'sleep 10\necho done > fixed.txt');

    const startedMs = Date.now();
    const { result, doc } = run(repo, agent, ['--timeout', '2s']);
    const tookMs = Date.now() - startedMs;

    expect(result.code, explain(result)).toBe(1);
    // The 10 s agent is stopped at 2 s; the rest is baton's own start, the baseline and the kill grace, slower on a busy machine.
    expect(tookMs).toBeLessThan(8_000);
    expect(doc.run.status).toBe('budget_exceeded');
    // The run's own clock: at least the budget, a little more when the kill grace runs on a busy machine.
    const taken = /^the run has taken (\d+) s, reaching its time budget of 2 s\.$/.exec(doc.run.reason ?? '');
    expect(taken, doc.run.reason ?? '').not.toBeNull();
    expect(Number(taken?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(taken?.[1])).toBeLessThan(8);
    expect(doc.run.attempts.map((attempt) => [attempt.outcome, attempt.verdict])).toEqual([['hung', 'agent_failed']]);
    expect(doc.run.attempts[0]?.outcomeReason).toContain('wall-clock timeout');
    expect(existsSync(join(doc.run.worktree, 'fixed.txt'))).toBe(false);
    expect(task(repo).status).toBe('failed');
    expect(events(repo).find((event) => event.type === 'budget_exceeded')?.payload).toMatchObject({ outcome: 'budget_exceeded', attempts: 1 });
    console.log(`--timeout 2s: baton run exited after ${tookMs} ms`);
  });
});

describe('runs and run-log', () => {
  it('show the attempts, their failures and the prompt, as text and as JSON', { timeout: 30_000 }, async () => {
    const repo = repoWith({ checks: [{ id: 'greeting', run: 'grep -q hello greeting.txt' }] });
    const agent = agentScript(repo, 'greeter', onRetry('echo hallo > greeting.txt', 'echo hello > greeting.txt'));
    const { result, doc } = run(repo, agent);
    expect(result.code, explain(result)).toBe(0);
    const cli = (...args: string[]): BatonResult => baton(args, { cwd: repo.dir });

    const runs = cli('runs', '1');
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(/^#1 run 1 {2}succeeded {2}cmd:\S+greeter\.sh {2}2 attempts {2}[\d.]+ s {2}\S+ {2}baton's checks passed on attempt 2\.\n$/);
    expect(json<{ runs: RunRecord[] }>(cli('runs', '1', '--json')).runs).toEqual([doc.run]);
    expect(json<{ runs: RunRecord[] }>(cli('runs', '--json')).runs.map((record) => [record.taskId, record.run])).toEqual([[1, 1]]);

    const log = cli('run-log', '1');
    expect(log.code).toBe(0);
    const lines = log.stdout.trimEnd().split('\n');
    expect(lines[1]).toBe(`worktree ${doc.run.worktree}  branch ${doc.run.branch}  evidence ${doc.evidence}`);
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(/^attempt 1: agent succeeded in [\d.]+ s -> checks failed: `grep -q hello greeting.txt` exited with 1$/),
      '    - `grep -q hello greeting.txt` exited with 1',
      expect.stringMatching(/^attempt 2: agent succeeded in [\d.]+ s -> checks passed$/),
    ]);
    expect(json<{ run: RunRecord }>(cli('run-log', '1', '--json')).run).toEqual(doc.run);

    const second = cli('run-log', '1', '--attempt', '2');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('--- prompt.md\n# Task #1: Make the check pass');
    expect(second.stdout).toContain(`## ${RETRY}:`);
    expect(second.stdout).toContain('--- diff.patch');
    expect(second.stdout).toContain('+hello');
    const first = json<{ run: number; attempt: RunRecord['attempts'][number]; files: Record<string, string | null> }>(cli('run-log', '1', '--attempt', '1', '--json'));
    expect(first.run).toBe(1);
    expect(first.attempt).toEqual(doc.run.attempts[0]);
    expect(first.files['prompt.md']).toBe(evidence(repo, 1, 1, 'prompt.md'));
    expect(first.files['prompt.md']).not.toContain(RETRY);
    expect(first.files['checks/greeting.log']).toMatch(/^\$ grep -q hello greeting.txt\n\n\[exit 1 after \d+ ms\]\n$/);
    expect(JSON.parse(first.files['verdict.json'] as string)).toMatchObject({ attempt: 1, verdict: 'checks_failed' });

    const missing = cli('run-log', '1', '--attempt', '3');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('run 1 of task #1 has no attempt 3; it has 2');
  });
});

describe("baton's own folder in the worktree", () => {
  it('is never a way out: a .baton link the agent plants is replaced, and nothing it points at is read or removed', { timeout: 30_000 }, async () => {
    const repo = repoWith({ checks: [FIXED_CHECK] });
    const victim = join(repo.tools, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'notes.md'), 'not yours\n');
    writeFileSync(join(victim, 'report.json'), '{"summary": "not yours"}\n');
    const agent = agentScript(repo, 'linker', `rm -rf .baton && ln -s '${victim}' .baton\necho done > fixed.txt`);

    for (const containment of ['on', 'off']) {
      const { result, doc } = run(repo, agent, [], containment === 'off' ? { BATON_CONTAINMENT: 'off' } : {});
      expect(result.code, explain(result)).toBe(0);
      expect(readFileSync(join(victim, 'notes.md'), 'utf8')).toBe('not yours\n');
      expect(readFileSync(join(victim, 'report.json'), 'utf8')).toBe('{"summary": "not yours"}\n');
      expect(git(repo.dir, ['log', '-1', '--format=%B', doc.run.branch])).not.toContain('not yours');
      expect(baton(['reopen', '1'], { cwd: repo.dir }).code).toBe(0);
    }
  });
});

describe('the baseline cache', () => {
  it('is shared by the runs on one base, but neither read nor written without containment (an agent could have forged it)', { timeout: 60_000 }, async () => {
    const repo = repoWith({ checks: [FIXED_CHECK] }, {}, [['First'], ['Second'], ['Third'], ['Fourth']]);
    const agent = agentScript(repo, 'fixer', 'echo done > fixed.txt');
    const baselineLine = (result: BatonResult): string => result.stderr.split('\n').find((line) => line.startsWith('baseline:')) ?? '';
    const baselines = join(repo.dir, '.git', 'baton', 'baselines');

    expect(baselineLine(run(repo, agent, [], {}, 1).result)).toMatch(/^baseline: ran command:fixed /);
    expect(baselineLine(run(repo, agent, [], {}, 2).result)).toMatch(/^baseline: cached command:fixed /);
    const cached = readdirSync(baselines).sort();
    expect(cached).toHaveLength(1);

    const off = { BATON_CONTAINMENT: 'off' };
    expect(baselineLine(run(repo, agent, [], off, 3).result)).toMatch(/^baseline: ran command:fixed /);
    expect(baselineLine(run(repo, agent, [], off, 4).result)).toMatch(/^baseline: ran command:fixed /);
    expect(readdirSync(baselines).sort()).toEqual(cached);
  });
});

describe('the evidence of earlier attempts', () => {
  it('without containment, an attempt that rewrites it stops the run for a person; with containment it cannot', { timeout: 60_000 }, async () => {
    const repo = repoWith({ checks: [FIXED_CHECK] }, {}, [['First'], ['Second']]);
    const forge = (id: number) => `printf 'nothing to see\\n' > '${join(repo.dir, '.git', 'baton', 'runs', String(id), '1', 'attempt-1', 'diff.patch')}'; echo done > fixed.txt`;

    const off = run(repo, agentScript(repo, 'forger-off', byAttempt(repo, '', ['echo wip > wip.txt', forge(1)])), ['--max-attempts', '2'], { BATON_CONTAINMENT: 'off' }, 1);
    expect(off.result.code, explain(off.result)).toBe(1);
    expect(off.doc.run.status).toBe('needs_human');
    expect(off.doc.run.reason).toContain('the evidence of earlier attempts');
    expect(off.doc.run.reason).toContain('changed during attempt 2');

    if ((await detectContainment()).kind !== 'namespaces') return;
    rmSync(join(repo.tools, 'count'), { force: true });
    const on = run(repo, agentScript(repo, 'forger-on', byAttempt(repo, '', ['echo wip > wip.txt', forge(2)])), ['--max-attempts', '2'], {}, 2);
    expect(on.result.code, explain(on.result)).toBe(0);
    expect(evidence(repo, 1, 1, 'diff.patch', 2)).toContain('wip.txt');
  });
});

describe.skipIf(!PYTEST_AVAILABLE)('new files that change how pytest runs the existing tests', () => {
  const files = {
    'calc.py': 'def add(a, b):\n    return a - b\n',
    'tests/test_calc.py': 'from calc import add\n\n\ndef test_adds():\n    assert add(2, 3) == 5\n',
  };
  const check = { id: 'test', run: 'python3 -m pytest -q -p no:cacheprovider' };
  const plugin = 'import pytest\n\n\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n    outcome = yield\n    outcome.get_result().outcome = "passed"\n';

  it('reverts a test file that loads a plugin turning failures into passes, and a module beside the tests standing in for the code', { timeout: 60_000 }, () => {
    const repo = repoWith({ checks: [check] }, files);
    writeFileSync(join(repo.tools, 'zzhelp.py'), plugin);
    const cases = [
      `cp '${join(repo.tools, 'zzhelp.py')}' tests/zzhelp.py && printf 'pytest_plugins = ["tests.zzhelp"]\\n\\n\\ndef test_more():\\n    assert True\\n' > tests/test_zz.py`,
      "printf 'def add(a, b):\\n    return 5\\n' > tests/calc.py",
    ];
    const { result, doc } = run(repo, agentScript(repo, 'hooker', byAttempt(repo, '', cases)), ['--max-attempts', '2']);
    expect(result.code, explain(result)).toBe(1);
    expect(doc.run.attempts.map((attempt) => attempt.verdict)).toEqual(['diverged', 'diverged']);
    const details = doc.run.attempts.map((attempt) => attempt.failures.map((failure) => `${failure.checkId}: ${failure.detail}`).join('\n'));
    expect(details[0]).toContain('tests/test_zz.py (loads a pytest plugin or defines a pytest hook at line 1');
    expect(details[0]).toContain('tests/zzhelp.py (loads a pytest plugin or defines a pytest hook at line 5');
    expect(details[1]).toContain("tests/calc.py (added beside the tests, where pytest puts it first on Python's path: it would stand in for calc.py)");
  });
});
