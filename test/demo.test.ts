import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectContainment } from '../src/adapters/process/containment.js';
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
  fleet: Fleet;
}

type Moment =
  | { kind: 'started'; taskId: number; agent: string; dispatch: number; cameBack: boolean }
  | { kind: 'deferred'; taskId: number; waitsFor: number[]; reason: string }
  | { kind: 'ended'; taskId: number; run: number; outcome: string; attempts: number }
  | { kind: 'held'; taskId: number; reason: string }
  | { kind: 'approved'; taskId: number; by: string; message: string | null }
  | { kind: 'landed'; taskId: number; commit: string }
  | { kind: 'returned'; taskId: number; reason: string; conflicts: string[] };

type Fleet =
  | { kind: 'skipped'; reason: string }
  | {
      kind: 'ran';
      ok: boolean;
      problems: string[];
      command: string;
      parallel: number;
      fallback: string | null;
      supervisorExit: number;
      checks: { name: string; ok: boolean; detail: string }[];
      tasks: { id: number; role: string; title: string; status: string }[];
      runs: { taskId: number; run: number; agent: string; status: string; startedAt: string; endedAt: string | null; attempts: number }[];
      timeline: (Moment & { atMs: number })[];
      baseBranch: string;
      baseCommits: { commit: string; subject: string; taskIds: number[] }[];
      testsOnBase: { exitCode: number; output: string };
      conflictFeedback: string;
      totals: { landed: number; tasks: number; runs: number; attempts: number; tokens: number; costUsd: number };
    };
type RanFleet = Extract<Fleet, { kind: 'ran' }>;

interface BoardEvent {
  type: string;
  taskId: number | null;
  actor: string;
}

const DEMO_TIMEOUT_MS = 180_000;
/** Whether runs can go side by side here: the fleet then runs three at once, else one at a time. */
const CONTAINED = (await detectContainment()).kind === 'namespaces';
/** The fleet's tasks in the order the demo adds them, after the board story's. */
const FLEET_TITLES = ['Make truncate end with an ellipsis', 'Add slugify', 'Remove the deprecated shout', 'Add wordCount'];
const FLEET_CHECKS = ['all_landed', 'tests_pass', 'in_parallel', 'both_agents', 'deferred', 'conflict_fixed', 'approved', 'supervisor_exit'];
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

/** The fleet part of a demo that ran it. */
function fleetOf(doc: DemoDocument): RanFleet {
  expect(doc.fleet.kind).toBe('ran');
  return doc.fleet as RanFleet;
}

/** The fleet's timeline moments of one kind. */
function moments<K extends Moment['kind']>(fleet: RanFleet, kind: K): (Extract<Moment, { kind: K }> & { atMs: number })[] {
  return fleet.timeline.filter((entry): entry is Extract<Moment, { kind: K }> & { atMs: number } => entry.kind === kind);
}

/** `node test.mjs` in a new checkout of `ref` in the repository `dir`; its exit code and output. */
function testAt(dir: string, ref: string, checkout: string): { code: number; output: string } {
  git(dir, ['worktree', 'add', '-q', '--detach', checkout, ref]);
  const result = spawnSync(process.execPath, ['test.mjs'], { cwd: checkout, encoding: 'utf8' });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

/** A PATH holding only node and git, so no agent CLI can be found on it. */
function pathWithoutAgents(root: string): string {
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

  it.skipIf(!CONTAINED)(
    'tells the whole story as plain text: the board, then the fleet with its timeline, what came back and why, the base branch, the test there, the totals and the checks; paths it removes are not shown',
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

      // The fleet, streamed while it ran: the tasks and who takes each, the deferral, the person's review and approval.
      expect(result.stderr).toMatch(/^\[ *[\d.]+s\] {3}#7 Make truncate end with an ellipsis \(P1; claude, the config's agent; declares modifies:file:text\.mjs\)$/m);
      expect(result.stderr).toContain("#9 Remove the deprecated shout (P2; codex by the config's fleet.agents rule for the label cleanup; declares modifies:file:text.mjs, removes:export:shout)");
      expect(result.stderr).toContain('#10 Add wordCount (P3; codex by its label agent:codex; declares adds:file:count.mjs)');
      expect(result.stderr).toContain("  | supervisor: #9 waits: #7 'Make truncate end with an ellipsis' is already working on text.mjs");
      expect(result.stderr).toMatch(/ {2}\| #7 run 1 of task #7 with claude: worktree <scratch>\/\.baton\/worktrees\/7-make-truncate-end-with-an-ellipsis, branch /);
      expect(result.stderr).toContain('person|   needs a person: it declares removes:export:shout (resources: removes:*)');
      expect(result.stderr).toContain('person$ baton approve 9 -m "shout had no callers left; removing it is fine"');
      // Nothing charged, said before the first dollar figure.
      expect(result.stderr.indexOf('nothing is charged')).toBeGreaterThan(-1);
      expect(result.stderr.indexOf('nothing is charged')).toBeLessThan(result.stderr.indexOf('$0.'));

      // The report: the tasks with their agents and commits on main...
      expect(out).toContain('fleet: `baton run --ready --parallel 3` over 4 tasks, Claude Code and Codex against a scripted model');
      expect(out).toMatch(/^ {2}#7 Make truncate end with an ellipsis {2}claude {2}1\s+done\s+[0-9a-f]{7}$/m);
      expect(out).toMatch(/^ {2}#8 Add slugify\s+claude\s+[12]\s+done\s+[0-9a-f]{7}$/m);
      expect(out).toMatch(/^ {2}#9 Remove the deprecated shout\s+codex\s+1\s+done\s+[0-9a-f]{7}$/m);
      expect(out).toMatch(/^ {2}#10 Add wordCount\s+codex\s+[12]\s+done\s+[0-9a-f]{7}$/m);
      // ...the timeline: who started what, what waited for what, what came back and why, what the person approved, what landed...
      const timeline = out.slice(out.indexOf('  timeline'), out.indexOf('  $ git log'));
      expect(timeline).toMatch(/^ +[\d.]+ {2}#7 started with claude: Make truncate end with an ellipsis$/m);
      expect(timeline).toMatch(/^ +[\d.]+ {2}#10 started with codex: Add wordCount$/m);
      expect(timeline).toMatch(/^ +[\d.]+ {2}#9 waits for #7: #7 'Make truncate end with an ellipsis' is already working on text\.mjs$/m);
      const cameBack = /^ +[\d.]+ {2}#(8|10) came back: bringing baton\/\1-[a-z-]+ onto main \(at [0-9a-f]{12}\) conflicts in 1 file\(s\): index\.mjs$/m.exec(timeline);
      expect(cameBack, timeline).not.toBeNull();
      const back = (cameBack as RegExpExecArray)[1] as string;
      expect(timeline).toMatch(new RegExp(`^ +[\\d.]+ {2}#${back} started again with (claude|codex): the base merged into its branch, why it came back as its feedback$`, 'm'));
      expect(timeline).toMatch(/^ +[\d.]+ {2}#9 waits for a person before it merges: it declares removes:export:shout \(resources: removes:\*\)$/m);
      expect(timeline).toMatch(/^ +[\d.]+ {2}person approved #9: "shout had no callers left; removing it is fine"$/m);
      for (const id of [7, 8, 9, 10]) expect(timeline).toMatch(new RegExp(`^ +[\\d.]+ {2}#${id} landed as [0-9a-f]{10}$`, 'm'));
      // ...what the task sent back read first in its next run, the base's log, the test there, and the totals.
      expect(out).toContain(`  what #${back}'s next run read first (baton run-log ${back} --run 2 --attempt 1):\n    ## Previous attempt failed because:\n`);
      expect(out).toMatch(/^ {4}- index\.mjs$/m);
      const log = out.slice(out.indexOf("  $ git log --format='%h %s' main\n"), out.indexOf('  $ node test.mjs'));
      expect(log.split('\n').slice(1, 6).map((line) => line.replace(/^ {4}[0-9a-f]{7} /, '')).sort()).toEqual(
        ['Add slugify (#8)', 'Add wordCount (#10)', 'Make truncate end with an ellipsis (#7)', 'Remove the deprecated shout (#9)', 'textkit: truncate, titleCase, shout, and their test'].sort(),
      );
      expect(out).toContain('  $ node test.mjs   (in a fresh checkout of main)\n    7 of 7 cases pass\n');
      expect(out).toMatch(/^ {2}totals: 4 of 4 tasks landed; 5 runs, 5 attempts; [\d,]+ tokens, \$\d+\.\d{4} as Claude Code prices its share; the model was scripted by the demo, so nothing was charged; [\d.]+s$/m);
      const checks = out.slice(out.indexOf("  checks (the demo's own, on what the board"));
      expect(checks.split('\n').filter((line) => line.startsWith('    ok   '))).toHaveLength(8);
      expect(out).not.toContain('FAIL');
      expect(out).toMatch(/demo passed in [\d.]+s/);

      // The scratch repository is gone, and no path into it was printed.
      expect(out).toContain('the scratch repository was removed (run with --keep');
      expect(`${out}${result.stderr}`).not.toContain(`${tmp}/baton-demo-`);
      expect(readdirSync(tmp)).toEqual([]);
    },
    DEMO_TIMEOUT_MS,
  );

  it.skipIf(!CONTAINED)(
    'keeps the repository with --keep --dir: read back on its own, main holds every task\'s commit and passes the test; the conflict was fed back and fixed, the person approved, one task waited for another',
    async () => {
      const dir = join(home, 'demo-here');
      const result = await batonAsync(['demo', '--json', '--keep', '--dir', dir, '--agents', '3', '--tasks', '15'], { cwd: home });
      expect(result.code, result.stderr).toBe(0);
      const doc = json<DemoDocument>(result);
      expect(doc).toMatchObject({ schemaVersion: 1, ok: true, problems: [], repository: { path: dir, kept: true } });
      const fleet = fleetOf(doc);
      expect(fleet).toMatchObject({ ok: true, problems: [], command: 'baton run --ready --parallel 3', parallel: 3, fallback: null, supervisorExit: 0, baseBranch: 'main' });
      expect(fleet.checks.map((check) => [check.name, check.ok])).toEqual(FLEET_CHECKS.map((name) => [name, true]));
      expect(fleet.tasks.map((task) => [task.id, task.title, task.status])).toEqual(FLEET_TITLES.map((title, index) => [16 + index, title, 'done']));
      expect(fleet.totals).toMatchObject({ landed: 4, tasks: 4, runs: 5, attempts: 5 });

      // The board, read back: the story's 15 tasks done and claimed once each, then the fleet's 4 done.
      const tasks = json<{ tasks: { id: number; status: string }[] }>(baton(['list', '--all', '--json'], { cwd: dir })).tasks.sort((a, b) => a.id - b.id);
      expect(tasks.map((task) => task.status)).toEqual(Array<string>(19).fill('done'));
      const claims = claimsPerTask(dir);
      expect(Array.from({ length: 15 }, (_, index) => claims.get(index + 1))).toEqual(Array<number>(15).fill(1));

      // main, read back with git: one commit per fleet task (its Baton-Task trailer), and the project's test passes there.
      const trailers = git(dir, ['log', '--format=%(trailers:key=Baton-Task,valueonly)', 'main']).split('\n').filter((line) => line.trim() !== '');
      expect(trailers.map(Number).sort((a, b) => a - b)).toEqual([16, 17, 18, 19]);
      expect(testAt(dir, 'main', join(home, 'main-check'))).toEqual({ code: 0, output: '7 of 7 cases pass\n' });
      expect(testAt(dir, 'main~4', join(home, 'base-check'))).toEqual({ code: 0, output: '2 of 2 cases pass\n' });
      expect(git(dir, ['show', 'main:index.mjs'])).toBe("// The library: one line per module.\nexport * from './text.mjs';\nexport * from './slug.mjs';\nexport * from './count.mjs';\n");
      // The main checkout followed the base branch, clean.
      expect(git(dir, ['rev-parse', 'HEAD']).trim()).toBe(git(dir, ['rev-parse', 'main']).trim());
      expect(git(dir, ['status', '--porcelain']).trim()).toBe('');

      // The conflict: one of the two tasks that register themselves in index.mjs came back, and its next run was told why.
      const events = json<{ events: { type: string; taskId: number | null; actor: string; payload: Record<string, unknown> }[] }>(baton(['watch', '--json'], { cwd: dir })).events;
      const returned = events.filter((event) => event.type === 'merge_returned');
      expect(returned.map((event) => event.payload.conflicts)).toEqual([['index.mjs']]);
      const back = returned[0]?.taskId as number;
      expect([17, 19]).toContain(back);
      const prompt = json<{ files: Record<string, string | null> }>(baton(['run-log', String(back), '--run', '2', '--attempt', '1', '--json'], { cwd: dir })).files['prompt.md'] ?? '';
      expect(prompt).toContain('## Previous attempt failed because:\n\n1. bringing baton/');
      expect(prompt).toContain('conflicts in 1 file(s): index.mjs (`merge:conflict`)');
      const landedOf = (id: number): number => events.findIndex((event) => event.type === 'merge_landed' && event.taskId === id);
      expect(landedOf(back)).toBeGreaterThan(events.indexOf(returned[0] as (typeof events)[number]));

      // The approval: #18 waited for a person, who approved it before it landed.
      const approvals = events.filter((event) => event.type === 'review_approved');
      expect(approvals.map((event) => [event.taskId, event.actor, event.payload.message])).toEqual([[18, 'person', 'shout had no callers left; removing it is fine']]);
      expect(landedOf(18)).toBeGreaterThan(events.indexOf(approvals[0] as (typeof events)[number]));

      // The runs, read back: three at once at the start, Claude Code and Codex by label and rule, #18 only once #16's run had ended.
      const runs = json<{ runs: { taskId: number; run: number; agent: string; startedAt: string; endedAt: string }[] }>(baton(['runs', '--json'], { cwd: dir })).runs.filter((run) => run.taskId > 15);
      const first = (id: number): (typeof runs)[number] => runs.find((run) => run.taskId === id && run.run === 1) as (typeof runs)[number];
      expect([16, 17, 18, 19].map((id) => first(id).agent)).toEqual(['claude', 'claude', 'codex', 'codex']);
      const together = [16, 17, 19].map(first);
      expect(Math.max(...together.map((run) => Date.parse(run.startedAt)))).toBeLessThan(Math.min(...together.map((run) => Date.parse(run.endedAt))));
      expect(Date.parse(first(18).startedAt)).toBeGreaterThanOrEqual(Date.parse(first(16).endedAt));
      expect(result.stderr).toContain("  | supervisor: #18 waits: #16 'Make truncate end with an ellipsis' is already working on text.mjs");

      // Kept, paths are worth printing; the agents' HOME (with Codex's config) is in the repository, which git ignores.
      expect(result.stderr).toContain(`worktree ${dir}/.baton/worktrees/16-make-truncate-end-with-an-ellipsis`);
      expect(existsSync(join(dir, '.demo-agent', 'home', '.codex', 'config.toml'))).toBe(true);
    },
    DEMO_TIMEOUT_MS,
  );

  it(
    'without containment runs the fleet one task at a time, says so and passes; leaves nothing in TMPDIR and never touches a board named in the environment',
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
      expect(result.stderr).toMatch(/agent-\d claimed #\d+ /);
      expect(result.stderr).toMatch(/agent-\d completed #\d+, which unblocked #/);

      // Why tasks waited: every task with dependencies, and whose completion freed it.
      expect(doc.waits).toHaveLength(10);
      expect(doc.waits.every((wait) => wait.freedBy !== null && wait.waitedOn.includes(wait.freedBy.taskId))).toBe(true);
      expect(doc.waits.find((wait) => wait.taskId === 6)?.waitedOn).toEqual([3, 4, 5]);
      // What impact awareness found, and that the agent on #6 was the one told.
      const onSix = doc.tasks.find((task) => task.id === 6)?.assignee;
      expect(doc.impact.findings).toContainEqual(expect.objectContaining({ taskId: 6, otherTaskId: 3, subject: 'table:users', recipient: onSix, message: USERS_NOTICE }));
      expect(doc.impact.inboxes.find((inbox) => inbox.agent === onSix)?.text).toContain(`#6 → ${onSix as string}: ${USERS_NOTICE}`);

      // The fleet, one task at a time, said so; every task landed with one attempt (no landing beside a run), the person approving at the end.
      const fleet = fleetOf(doc);
      expect(fleet).toMatchObject({ ok: true, command: 'baton run --ready --parallel 1', parallel: 1, supervisorExit: 0 });
      // Asked for three at once first, the supervisor refused (exit 2, nothing touched); the demo said so and asked for one.
      expect(result.stderr).toMatch(/^\[ *[\d.]+s\] {3}\| baton: .*runs side by side need containment/m);
      expect(fleet.fallback).toContain('the supervisor refused --parallel 3: runs side by side need containment');
      expect(result.stderr).toMatch(/\$ baton run --ready --parallel 3\n(.*\n)+.*\$ baton run --ready --parallel 1\n/);
      expect(result.stderr).toContain('containment: none (turned off by BATON_CONTAINMENT=off)');
      expect(fleet.checks.map((check) => [check.name, check.ok])).toEqual(FLEET_CHECKS.map((name) => [name, true]));
      expect(fleet.checks.find((check) => check.name === 'deferred')?.detail).toBe('runs went one at a time, so no task had to wait for a running one');
      expect(fleet.baseCommits.flatMap((commit) => commit.taskIds).sort((a, b) => a - b)).toEqual([13, 14, 15, 16]);
      expect(fleet.testsOnBase).toEqual({ exitCode: 0, output: '7 of 7 cases pass' });
      expect(fleet.runs.map((run) => [run.taskId, run.status, run.attempts])).toEqual([13, 14, 15, 16].map((id) => [id, 'succeeded', 1]));
      expect(result.stderr).toContain('#15 waits for person, who looks at it once the supervisor has ended');
      const approvedAt = moments(fleet, 'approved')[0]?.atMs ?? -1;
      expect(approvedAt).toBeGreaterThan(Math.max(...moments(fleet, 'ended').map((entry) => entry.atMs)));

      // Its scratch repository is gone, the stray board never made, nothing left in TMPDIR.
      expect(doc.repository.kept).toBe(false);
      expect(existsSync(doc.repository.path)).toBe(false);
      expect(existsSync(stray)).toBe(false);
      expect(readdirSync(tmp)).toEqual([]);
    },
    DEMO_TIMEOUT_MS,
  );

  it(
    'skips the fleet with --no-run: no project committed, no run, nothing but the board',
    async () => {
      const dir = join(home, 'no-run');
      const result = await batonAsync(['demo', '--no-run', '--keep', '--dir', dir, '--agents', '1', '--tasks', '2'], { cwd: home });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^fleet\n {2}skipped \(--no-run\)$/m);
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
    'without the agent CLIs, says how to get them, skips the fleet and still passes',
    async () => {
      const script = installWithoutDevDependencies(home);
      const result = await nodeScriptAsync(script, ['demo', '--agents', '1', '--tasks', '2', '--json'], { cwd: home, env: { PATH: pathWithoutAgents(home), BATON_AGENT: undefined } });
      expect(result.code, result.stderr).toBe(0);
      const doc = json<DemoDocument>(result);
      expect(doc).toMatchObject({ ok: true, problems: [] });
      expect(doc.fleet).toEqual({
        kind: 'skipped',
        reason:
          'skipping the fleet part: the claude CLI and the codex CLI are not installed; install with `npm i -g @anthropic-ai/claude-code @openai/codex` (in a clone of baton, `npm install` brings them)',
      });
      const text = await nodeScriptAsync(script, ['demo', '--agents', '1', '--tasks', '1'], { cwd: home, env: { PATH: pathWithoutAgents(join(home, 'again')), BATON_AGENT: undefined } });
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout.match(/the claude CLI and the codex CLI are not installed/g)).toHaveLength(1);
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
