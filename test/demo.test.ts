import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baton, BATON_BIN, batonAsync, git, json, nodeScriptAsync } from './helpers/baton.js';

interface DemoDocument {
  schemaVersion: number;
  ok: boolean;
  problems: string[];
  repository: { path: string; kept: boolean };
  tasks: { id: number; status: string; assignee: string | null }[];
  agents: { name: string; exitCode: number; claimed: number[]; completed: number[] }[];
  events: { follower: { total: number; byType: Record<string, number> }; board: { total: number; byType: Record<string, number> } };
  checks: { name: string; ok: boolean }[];
  waits: { taskId: number; waitedOn: number[]; freedBy: { agent: string; taskId: number } | null }[];
  impact: {
    findings: { taskId: number; otherTaskId: number | null; subject: string; recipient: string | null; message: string }[];
    collisions: { agent: string; taskId: number; reason: string }[];
    inboxes: { agent: string; text: string }[];
  };
  run: RunPart;
}

type RunPart =
  | { kind: 'skipped'; reason: string }
  | {
      kind: 'ran';
      ok: boolean;
      problems: string[];
      taskId: number;
      exitCode: number;
      run: { status: string; branch: string; baseBranch: string; commit: string; attempts: { attempt: number; verdict: string; failures: string[] }[] };
      taskStatus: string;
      retryFeedback: string;
      evidence: string | null;
    };

interface BoardEvent {
  type: string;
  taskId: number | null;
  actor: string;
}

const DEMO_TIMEOUT_MS = 180_000;
/** The check's words for the scripted agent's first, subtly wrong slugify. */
const FIRST_FAILURE = 'FAIL slugify("Hello, World!"): expected "hello-world", got "hello,-world!"';
/** What the agent on #6 is told when #3 (which adds the users table #6 reads) completes. */
const USERS_NOTICE = "#3 'Add users table' added table users, which #6 'Login endpoint' reads";

/** A new, empty folder for the demo's TMPDIR, to see that it leaves nothing in the system's temporary folder. */
function emptyTmp(home: string): string {
  const dir = join(home, 'tmp');
  mkdirSync(dir);
  return dir;
}

/** How many task_claimed events each task has on the board in `dir`, read through the CLI. */
function claimsPerTask(dir: string): Map<number, number> {
  const { events } = json<{ events: BoardEvent[] }>(baton(['watch', '--json'], { cwd: dir }));
  const claims = new Map<number, number>();
  for (const event of events) {
    if (event.type === 'task_claimed' && event.taskId !== null) claims.set(event.taskId, (claims.get(event.taskId) ?? 0) + 1);
  }
  return claims;
}

/**
 * baton as `npm i -g` leaves it: the bundle and its native SQLite addon, without the
 * devDependencies (so no node_modules/.bin/claude). Returns the path of its bin script.
 */
function installWithoutDevDependencies(root: string): string {
  const pkg = join(root, 'baton-pkg');
  const source = resolve(dirname(BATON_BIN), '..');
  for (const dir of ['bin', 'dist', 'node_modules']) mkdirSync(join(pkg, dir), { recursive: true });
  copyFileSync(BATON_BIN, join(pkg, 'bin', 'baton.cjs'));
  for (const bundle of readdirSync(join(source, 'dist')).filter((name) => name.endsWith('.cjs'))) copyFileSync(join(source, 'dist', bundle), join(pkg, 'dist', bundle));
  writeFileSync(join(pkg, 'package.json'), '{ "name": "baton", "version": "0.0.0" }\n');
  symlinkSync(join(source, 'node_modules', 'better-sqlite3'), join(pkg, 'node_modules', 'better-sqlite3'));
  return join(pkg, 'bin', 'baton.cjs');
}

function spawnSyncCode(command: string, args: readonly string[], cwd: string): number {
  return spawnSync(command, args, { cwd, stdio: 'ignore' }).status ?? -1;
}

/** A PATH holding only node and git, so no `claude` can be found on it. */
function pathWithoutClaude(root: string): string {
  const bin = join(root, 'bare-bin');
  mkdirSync(bin, { recursive: true });
  const gitPath = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'git')).find((candidate) => existsSync(candidate));
  if (gitPath === undefined) throw new Error('git is not on PATH');
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync(gitPath, join(bin, 'git'));
  return bin;
}

describe('baton demo', () => {
  let home: string;
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'baton-demo-test-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it(
    'runs four agent processes over the web-app plan, checks the result, and removes its scratch repository and everything it made in TMPDIR',
    async () => {
      // A board named in the environment must not be touched: the demo always uses its own.
      const stray = join(home, 'elsewhere.db');
      // Without containment Claude Code makes its per-user folder (claude-<uid>) in TMPDIR.
      const tmp = emptyTmp(home);
      const result = await batonAsync(['demo', '--json'], { cwd: home, env: { BATON_DB: stray, TMPDIR: tmp, BATON_CONTAINMENT: 'off' } });
      const doc = json<DemoDocument>(result);
      expect(result.code, result.stderr).toBe(0);
      expect(doc).toMatchObject({ schemaVersion: 1, ok: true, problems: [] });

      expect(doc.tasks).toHaveLength(12);
      expect(doc.tasks.every((task) => task.status === 'done')).toBe(true);
      expect(doc.checks.map((check) => [check.name, check.ok])).toEqual([
        ['all_done', true],
        ['claimed_once', true],
        ['counts_agree', true],
        ['agents_agree', true],
      ]);

      // Every task claimed once and completed once, spread over more than one agent.
      expect(doc.agents.map((agent) => agent.name)).toEqual(['agent-1', 'agent-2', 'agent-3', 'agent-4']);
      const claimed = doc.agents.flatMap((agent) => agent.claimed).sort((a, b) => a - b);
      expect(claimed).toEqual(doc.tasks.map((task) => task.id).sort((a, b) => a - b));
      expect(doc.agents.flatMap((agent) => agent.completed)).toHaveLength(12);
      expect(doc.agents.filter((agent) => agent.completed.length > 0).length).toBeGreaterThan(1);
      for (const task of doc.tasks) {
        expect(doc.agents.find((agent) => agent.completed.includes(task.id))?.name).toBe(task.assignee);
      }

      // The follower saw exactly what the board holds.
      expect(doc.events.follower).toEqual(doc.events.board);
      expect(doc.events.board.byType).toMatchObject({ task_created: 12, task_claimed: 12, task_completed: 12 });
      expect(doc.events.board.total).toBe(Object.values(doc.events.board.byType).reduce((sum, count) => sum + count, 0));

      // Progress went to stderr while it ran; the scratch repository and the stray board are gone / never made.
      expect(result.stderr).toMatch(/agent-\d claimed #\d+ /);
      expect(result.stderr).toMatch(/agent-\d completed #\d+, which unblocked #/);
      expect(doc.repository.kept).toBe(false);
      expect(existsSync(doc.repository.path)).toBe(false);
      expect(existsSync(stray)).toBe(false);
      expect(readdirSync(tmp)).toEqual([]);

      // Why tasks waited: every task with dependencies, and whose completion freed it.
      expect(doc.waits).toHaveLength(10);
      expect(doc.waits.every((wait) => wait.freedBy !== null && wait.waitedOn.includes(wait.freedBy.taskId))).toBe(true);
      expect(doc.waits.find((wait) => wait.taskId === 6)?.waitedOn).toEqual([3, 4, 5]);
      // What impact awareness found, and that the agent on #6 was the one told.
      const onSix = doc.tasks.find((task) => task.id === 6)?.assignee;
      expect(doc.impact.findings).toContainEqual(expect.objectContaining({ taskId: 6, otherTaskId: 3, subject: 'table:users', recipient: onSix, message: USERS_NOTICE }));
      expect(doc.impact.inboxes.find((inbox) => inbox.agent === onSix)?.text).toContain(`#6 → ${onSix as string}: ${USERS_NOTICE}`);

      // Then `baton run` drove the real claude CLI through task #13: the project's test failed
      // the first attempt, the second was shown the failure and passed, and the task waits in review.
      expect(doc.run).toMatchObject({ kind: 'ran', ok: true, problems: [], taskId: 13, exitCode: 0, taskStatus: 'review' });
      const run = (doc.run as Extract<RunPart, { kind: 'ran' }>).run;
      expect(run).toMatchObject({ status: 'succeeded', branch: 'baton/13-implement-slugify' });
      expect(run.attempts.map((attempt) => [attempt.verdict, attempt.failures])).toEqual([
        ['checks_failed', ['`node test.mjs` exited with 1']],
        ['passed', []],
      ]);
      expect((doc.run as Extract<RunPart, { kind: 'ran' }>).retryFeedback).toContain(`Previous attempt failed because:\n1. \`node test.mjs\` exited with 1`);
      expect((doc.run as Extract<RunPart, { kind: 'ran' }>).retryFeedback).toContain(FIRST_FAILURE);
      // Its evidence went with the scratch repository, so the document names no path to it.
      expect((doc.run as Extract<RunPart, { kind: 'ran' }>).evidence).toBeNull();
    },
    DEMO_TIMEOUT_MS,
  );

  it(
    'prints the board under column headings, why tasks waited, what impact awareness found and told, who did what, event counts, checks and the cost of the run, as plain text',
    async () => {
      const tmp = emptyTmp(home);
      const result = await batonAsync(['demo', '--agents', '2', '--tasks', '6'], { cwd: home, env: { TMPDIR: tmp } });
      expect(result.code, result.stderr).toBe(0);
      const out = result.stdout;
      expect(out).toContain('who did what');
      expect(out.match(/^#\d+\s+done\s/gm)).toHaveLength(6);
      // The board has column headings, each over its column.
      const board = /^board .*\n(id .*)\n(#\d+ .*)$/m.exec(out);
      expect(board, out).not.toBeNull();
      const [heading, row] = [(board as RegExpExecArray)[1] as string, (board as RegExpExecArray)[2] as string];
      expect(heading).toMatch(/^id\s+status\s+pri\s+assignee\s+title/);
      expect(heading.indexOf('status')).toBe(row.indexOf('done'));
      expect(heading.indexOf('assignee')).toBe(row.search(/agent-\d/));

      // Why tasks waited, and what freed them.
      expect(out).toMatch(/^ {2}#6 Login endpoint\s+waited on #3 #4 #5\s+until agent-\d completed #[345]$/m);
      // What impact awareness found: which task met which, on what, who was told, and the notice itself.
      const told = /^ {2}\[\d+\] #3 Add users table -> #6 Login endpoint, on table:users: told (agent-\d)$/m.exec(out);
      expect(told, out).not.toBeNull();
      const agent = (told as RegExpExecArray)[1] as string;
      expect(out).toContain(`  what ${agent} was told ($ baton inbox --as ${agent}):\n`);
      const notice = `low impact_notice #6 → ${agent}: ${USERS_NOTICE}`;
      expect(out.split('\n').filter((line) => /^ {4}\[\d+\] /.test(line) && line.endsWith(notice))).toHaveLength(1);
      // ...and the moment the agent read it, in its inbox right after claiming #6.
      expect(result.stderr.split('\n').filter((line) => line.includes(`${agent}'s inbox: [`) && line.endsWith(notice))).toHaveLength(1);
      expect(out).toMatch(/^ {2}agent-1\s+\d+ tasks?/m);
      expect(out).toMatch(/^ {2}agent-2\s+\d+ tasks?/m);
      expect(out).toMatch(/^ {2}task_claimed\s+6\s+6$/m);
      expect(out).toMatch(/^ {2}total\s+(\d+)\s+\1$/m);
      expect(out).toMatch(/demo passed in [\d.]+s/);

      // The run part, streamed while it ran: attempt 1 fails the project's test, attempt 2 passes.
      expect(result.stderr).toMatch(/\| attempt 1: agent succeeded in [\d.]+ s, .* -> checks failed: `node test\.mjs` exited with 1$/m);
      expect(result.stderr).toMatch(/\| attempt 2: agent succeeded in [\d.]+ s, .* -> checks passed$/m);
      expect(result.stderr).toMatch(/\| run 1 succeeded \(2 attempts, .*\): commit [0-9a-f]{10} on baton\/7-implement-slugify; task #7 is in review$/m);
      // Then the report: the run as `baton runs` lists it, the check's words fed back, the task in review, its commits.
      expect(out).toMatch(/^ {2}\$ baton runs 7\n {2}#7 run 1 {2}succeeded {2}claude {2}2 attempts /m);
      expect(out).toContain(`    ${FIRST_FAILURE}`);
      expect(out).toMatch(/^ {2}#7\s+review\s+P\d\s+runner\s+Implement slugify$/m);
      expect(out).toMatch(/^ {2}[0-9a-f]{7,} Implement slugify \(#7\)\n {3}slug\.mjs \| 2 \+-$/m);
      expect(out).toMatch(/^ {2}[0-9a-f]{7,} Checkpoint: Implement slugify \(#7, attempt 1, 1 check failed\)$/m);
      // What the run cost, and that the model was scripted and nothing charged; said before the dollar figures too.
      expect(out).toMatch(/^ {2}cost: \d+ tokens, \$\d+\.\d{4} as Claude Code prices them; the model was scripted by the demo, so nothing was charged$/m);
      expect(result.stderr.indexOf('nothing is charged')).toBeGreaterThan(-1);
      expect(result.stderr.indexOf('nothing is charged')).toBeLessThan(result.stderr.indexOf('$0.'));
      // The evidence is removed with the scratch repository: no path to it, but how to keep it.
      expect(result.stderr).not.toMatch(/evidence: \//);
      expect(result.stderr).toMatch(/\| evidence: removed with the scratch repository; run with --keep to look at the evidence \(`baton run-log 7 --run 1`\)$/m);
      // The only FAIL in the report is the check's output the agent was shown; no check of the demo failed.
      expect(out.match(/FAIL/g)).toHaveLength(1);
      const removed = /scratch repository (\S+) removed/.exec(out);
      expect(removed).not.toBeNull();
      expect(existsSync((removed as RegExpExecArray)[1] as string)).toBe(false);
      // Neither claude nor `baton run` left anything in the system's temporary folder.
      expect(readdirSync(tmp)).toEqual([]);
    },
    DEMO_TIMEOUT_MS,
  );

  it(
    'keeps the repository with --keep --dir: every task claimed once, the story done, the run in review with a commit that passes the test',
    async () => {
      const dir = join(home, 'demo-here');
      const result = await batonAsync(['demo', '--json', '--keep', '--dir', dir, '--agents', '3', '--tasks', '15'], { cwd: home });
      expect(result.code, result.stderr).toBe(0);
      const doc = json<DemoDocument>(result);
      expect(doc.repository).toEqual({ path: dir, kept: true });
      expect(existsSync(join(dir, '.git', 'baton', 'baton.db'))).toBe(true);

      // Read the kept board independently of the demo's own report: 15 tasks done, then #16 in review after its run.
      const board = json<{ tasks: { id: number; status: string }[] }>(baton(['list', '--all', '--json'], { cwd: dir }));
      const tasks = board.tasks.sort((a, b) => a.id - b.id);
      expect(tasks.map((task) => task.status)).toEqual([...Array<string>(15).fill('done'), 'review']);
      const claims = claimsPerTask(dir);
      expect([...claims.keys()].sort((a, b) => a - b)).toEqual(tasks.map((task) => task.id));
      expect([...claims.values()].every((count) => count === 1)).toBe(true);

      // The run's commit makes the project's test pass, where the base commit's stub fails it.
      const runs = json<{ runs: { status: string; branch: string; commit: string }[] }>(baton(['runs', '16', '--json'], { cwd: dir })).runs;
      expect(runs.map((run) => run.status)).toEqual(['succeeded']);
      const { branch, commit } = runs[0] as { branch: string; commit: string };
      expect(git(dir, ['rev-parse', branch]).trim()).toBe(commit);
      expect(git(dir, ['diff', '--name-only', `HEAD...${branch}`]).trim()).toBe('slug.mjs');
      const testAt = (ref: string): number => {
        const checkout = join(home, `checkout-${ref.replace(/\W/g, '-')}`);
        git(dir, ['worktree', 'add', '-q', '--detach', checkout, ref]);
        return spawnSyncCode(process.execPath, ['test.mjs'], checkout);
      };
      expect(testAt('HEAD')).toBe(1);
      expect(testAt(branch)).toBe(0);
      // claude ran with a HOME and a TMPDIR of its own in the scratch repository, which git ignores.
      expect(existsSync(join(dir, '.demo-agent', 'home'))).toBe(true);
      expect(existsSync(join(dir, '.demo-agent', 'tmp'))).toBe(true);
      expect(git(dir, ['status', '--porcelain']).trim()).toBe('');

      // Kept, the run's evidence is worth pointing at: the path printed is there after the demo.
      const evidence = (doc.run as Extract<RunPart, { kind: 'ran' }>).evidence;
      expect(evidence).toBe(join(dir, '.git', 'baton', 'runs', '16', '1'));
      expect(existsSync(join(evidence as string, 'run.json'))).toBe(true);
      expect(result.stderr).toContain(`| evidence: ${evidence as string}  (baton run-log 16 --run 1)`);
    },
    DEMO_TIMEOUT_MS,
  );

  it(
    'skips the run part with --no-run: no project committed, no run, nothing but the board',
    async () => {
      const dir = join(home, 'no-run');
      const result = await batonAsync(['demo', '--no-run', '--keep', '--dir', dir, '--agents', '1', '--tasks', '2'], { cwd: home });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^baton run\n {2}skipped \(--no-run\)$/m);
      expect(result.stdout).toMatch(/demo passed in/);
      expect(result.stdout).toMatch(/^id\s+status\s+pri\s+assignee\s+title/m);
      expect(result.stdout).toMatch(/^why tasks waited\n {2}none did: no task waited on another$/m);
      expect(result.stdout).toMatch(/^impact findings .*\n {2}none this time: no task changed what another task uses$/m);
      expect(result.stderr).toMatch(/^baton demo: 1 agent process shares one board/m);
      expect(result.stderr).not.toContain('scripted model');
      expect(readdirSync(dir)).toEqual(['.git']);
      expect(json<{ runs: unknown[] }>(baton(['runs', '--json'], { cwd: dir })).runs).toEqual([]);
      expect(json<{ tasks: unknown[] }>(baton(['list', '--all', '--json'], { cwd: dir })).tasks).toHaveLength(2);
    },
    DEMO_TIMEOUT_MS,
  );

  it(
    'without a claude CLI, says how to get one, skips the run part and still passes',
    async () => {
      const script = installWithoutDevDependencies(home);
      const result = await nodeScriptAsync(script, ['demo', '--agents', '1', '--tasks', '2', '--json'], { cwd: home, env: { PATH: pathWithoutClaude(home), BATON_AGENT: undefined } });
      expect(result.code, result.stderr).toBe(0);
      const doc = json<DemoDocument>(result);
      expect(doc).toMatchObject({ ok: true, problems: [] });
      expect(doc.run).toEqual({
        kind: 'skipped',
        reason: 'skipping the `baton run` part: the claude CLI is not installed; install it with `npm i -g @anthropic-ai/claude-code` (in a clone of baton, `npm install` brings it)',
      });
      const text = await nodeScriptAsync(script, ['demo', '--agents', '1', '--tasks', '1'], { cwd: home, env: { PATH: pathWithoutClaude(join(home, 'again')), BATON_AGENT: undefined } });
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout.match(/the claude CLI is not installed/g)).toHaveLength(1);
    },
    DEMO_TIMEOUT_MS,
  );

  it('refuses a --dir that is not empty and leaves it alone, and refuses bad counts', () => {
    const dir = join(home, 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep-me.txt'), 'mine');
    const refused = baton(['demo', '--dir', dir], { cwd: home });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not an empty folder');
    expect(readdirSync(dir)).toEqual(['keep-me.txt']);

    expect(baton(['demo', '--agents', '0'], { cwd: home }).code).toBe(2);
    const tooMany = json<{ error: { code: string } }>(baton(['demo', '--tasks', '1000', '--json'], { cwd: home }));
    expect(tooMany.error.code).toBe('INVALID_INPUT');
  });
});
