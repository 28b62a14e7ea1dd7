import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BoardEvent } from '../src/core/event.js';
import type { Finding } from '../src/core/finding.js';
import { baton, boardFingerprint, git, json, type BatonResult } from './helpers/baton.js';

/** The documents are the domain types, as JSON. */
type FindingDoc = Finding;

interface TaskDoc {
  id: number;
  status: string;
  assignee: string | null;
  worktree: string | null;
  branch: string | null;
}

interface FootprintDoc {
  taskId: number;
  worktree: string;
  branch: string | null;
  base: string;
  paths: string[];
  refreshedAt: string;
}

type EventDoc = BoardEvent;

interface ErrorDoc {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

interface Collision {
  taskId: number;
  reason: string;
}

interface RefreshDoc {
  base: string;
  footprints: FootprintDoc[];
  created: FindingDoc[];
  resolved: FindingDoc[];
}

const FILES: Record<string, string> = {
  'src/a.txt': 'alpha\n',
  'src/b.txt': 'beta\n',
  'src/auth/login.ts': 'export function login() {}\n',
  'src/api/users.ts': 'export const users = [];\n',
  'docs/readme.md': '# docs\n',
};

/**
 * The impact-awareness commands one by one, through the real binary, in real repositories
 * with real linked worktrees. Every refusal is checked to leave the board byte-for-byte alone.
 */
describe('impact awareness commands', () => {
  let root: string;
  let main: string;
  let db: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'baton-impact-cli-'));
    main = join(root, 'repo');
    mkdirSync(main);
    git(main, ['init', '-q', '-b', 'main']);
    git(main, ['config', 'user.name', 'Test User']);
    git(main, ['config', 'user.email', 'test@example.com']);
    for (const [path, text] of Object.entries(FILES)) write(main, path, text);
    git(main, ['add', '.']);
    git(main, ['commit', '-q', '-m', 'initial']);
    db = join(main, '.git', 'baton', 'baton.db');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function write(dir: string, path: string, text: string): void {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }

  /** A linked worktree on a new branch of the same name, next to the main checkout. */
  function worktree(name: string): string {
    const dir = join(root, name);
    git(main, ['worktree', 'add', '-q', '-b', name, dir]);
    return dir;
  }

  function commit(dir: string, path: string, text: string, message = `edit ${path}`): void {
    write(dir, path, text);
    git(dir, ['add', path]);
    git(dir, ['commit', '-q', '-m', message]);
  }

  const as = (agent: string, cwd: string, ...args: string[]): BatonResult => baton(args, { cwd, env: { BATON_AGENT: agent } });
  const ok = (result: BatonResult): BatonResult => {
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    return result;
  };
  /** A refusal: the exit code, and the one JSON error document on stdout. */
  const refusedJson = (result: BatonResult, code: number): ErrorDoc['error'] => {
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(code);
    return json<ErrorDoc>(result).error;
  };
  const lead = (...args: string[]): BatonResult => ok(as('lead', main, ...args));
  const inbox = (agent: string, ...flags: string[]): FindingDoc[] =>
    json<{ findings: FindingDoc[]; count: number }>(ok(as(agent, main, 'inbox', ...flags, '--json'))).findings;
  const show = (id: number): { task: TaskDoc; footprint: FootprintDoc | null; findings: FindingDoc[] } =>
    json(lead('show', String(id), '--json'));
  const events = (...flags: string[]): EventDoc[] => json<{ events: EventDoc[] }>(lead('watch', ...flags, '--json')).events;
  const lastEventId = (): number => events().at(-1)?.id ?? 0;
  const ids = (rows: readonly { id: number }[]): number[] => rows.map((row) => row.id);

  describe('inbox, ack and resolve', () => {
    let toB: FindingDoc;
    let toC: FindingDoc;
    let unaddressed: FindingDoc;

    /** #1 removes an endpoint that #2 (agent-b) modifies, #3 (agent-c) reads and #4 (nobody) reads. */
    beforeEach(() => {
      lead('init');
      lead('add', 'Remove legacy login', '--resource', 'removes:endpoint:POST /api/login');
      lead('add', 'Rate-limit login', '--resource', 'modifies:endpoint:POST /api/login');
      lead('add', 'Audit login', '--resource', 'reads:endpoint:POST /api/login');
      lead('add', 'Document login', '--resource', 'reads:endpoint:POST /api/login');
      ok(as('agent-b', main, 'claim', '2'));
      ok(as('agent-c', main, 'claim', '3'));
      const findings = json<{ findings: FindingDoc[] }>(lead('complete', '1', '--json')).findings;
      expect(findings.map((finding) => [finding.taskId, finding.recipient])).toEqual([[2, 'agent-b'], [3, 'agent-c'], [4, null]]);
      [toB, toC, unaddressed] = findings as [FindingDoc, FindingDoc, FindingDoc];
    }, 120_000);

    it('lists my open findings by default, everyone\'s with --all, and settled ones with --history', { timeout: 120_000 }, () => {
      expect(ids(inbox('agent-b'))).toEqual([toB.id]);
      expect(ids(inbox('agent-b', '--me'))).toEqual([toB.id]);
      expect(ids(inbox('agent-c'))).toEqual([toC.id]);
      expect(inbox('lead')).toEqual([]);
      expect(ok(as('lead', main, 'inbox')).stdout.trim()).toBe('inbox empty');
      expect(ids(inbox('lead', '--all'))).toEqual([toB.id, toC.id, unaddressed.id]);
      expect(json<{ count: number }>(ok(as('lead', main, 'inbox', '--all', '--json'))).count).toBe(3);
      expect(ok(as('agent-b', main, 'inbox')).stdout).toContain(`[${toB.id}] high impact_conflict #2 → agent-b: #1 'Remove legacy login' removed`);

      const acked = json<{ finding: FindingDoc }>(ok(as('agent-b', main, 'ack', String(toB.id), '-m', 'moving to v2', '--json'))).finding;
      expect(acked).toMatchObject({ id: toB.id, status: 'acknowledged', ackedBy: 'agent-b', ackMessage: 'moving to v2' });
      expect(inbox('agent-b')).toEqual([]);
      expect(inbox('agent-b', '--history')).toEqual([expect.objectContaining({ id: toB.id, status: 'acknowledged' })]);
      expect(ok(as('agent-b', main, 'inbox', '--history')).stdout).toContain('(acknowledged)');

      const resolved = json<{ finding: FindingDoc }>(ok(as('agent-c', main, 'resolve', String(toC.id), '-m', 'audit dropped', '--json'))).finding;
      expect(resolved).toMatchObject({ id: toC.id, status: 'resolved', resolvedBy: 'agent-c', ackMessage: 'audit dropped' });
      expect(ids(inbox('lead', '--all'))).toEqual([unaddressed.id]);
      expect(inbox('lead', '--all', '--history').map((finding) => [finding.id, finding.status])).toEqual([
        [toB.id, 'acknowledged'],
        [toC.id, 'resolved'],
        [unaddressed.id, 'open'],
      ]);
      // Resolving what was acknowledged closes it; settling it again changes nothing.
      ok(as('agent-b', main, 'resolve', String(toB.id)));
      expect(inbox('agent-b', '--history')).toEqual([expect.objectContaining({ id: toB.id, status: 'resolved', resolvedBy: 'agent-b', ackMessage: 'moving to v2' })]);
      const before = boardFingerprint(db);
      expect(json<{ finding: FindingDoc }>(ok(as('agent-b', main, 'ack', String(toB.id), '--json'))).finding.status).toBe('resolved');
      expect(boardFingerprint(db)).toBe(before);
    });

    it('refuses an unknown id (3), a finding addressed to another agent (4, naming it) and a malformed id (2), changing nothing', { timeout: 120_000 }, () => {
      const before = boardFingerprint(db);
      const unknown = as('agent-b', main, 'ack', '999');
      expect(unknown.code).toBe(3);
      expect(unknown.stderr).toMatch(/^baton: finding 999 does not exist/);
      expect(refusedJson(as('agent-b', main, 'resolve', '999', '--json'), 3).code).toBe('NOT_FOUND');

      const foreign = as('agent-c', main, 'ack', String(toB.id), '-m', 'not mine');
      expect(foreign.code).toBe(4);
      expect(foreign.stderr).toContain(`finding ${toB.id} is addressed to agent-b`);
      expect(foreign.stderr).toContain('--force');
      const foreignJson = refusedJson(as('agent-c', main, 'resolve', String(toB.id), '--json'), 4);
      expect(foreignJson).toMatchObject({ code: 'CONFLICT', details: { id: toB.id, recipient: 'agent-b' } });

      for (const bad of ['abc', '0', '-1', '1.5', '']) {
        const result = as('agent-b', main, 'ack', bad);
        expect(result.code, `ack '${bad}': ${result.stderr}`).toBe(2);
      }
      expect(refusedJson(as('agent-b', main, 'ack', 'abc', '--json'), 2).message).toContain('is not a finding id');
      expect(boardFingerprint(db)).toBe(before);
      expect(inbox('lead', '--all').map((finding) => finding.status)).toEqual(['open', 'open', 'open']);
    });

    it('lets --force settle another agent\'s finding, and the event says who did it and tells the recipient', { timeout: 120_000 }, () => {
      const since = lastEventId();
      const forced = json<{ finding: FindingDoc }>(ok(as('lead', main, 'ack', String(toB.id), '--force', '-m', 'lead takes it', '--json'))).finding;
      expect(forced).toMatchObject({ status: 'acknowledged', ackedBy: 'lead', ackMessage: 'lead takes it', recipient: 'agent-b' });
      expect(inbox('agent-b')).toEqual([]);
      // Nobody holds #4, so anyone may settle its finding without --force, and that is not forcing.
      ok(as('agent-c', main, 'ack', String(unaddressed.id)));
      ok(as('agent-c', main, 'ack', String(toC.id)));
      const settled = events('--since', String(since), '--type', 'finding_acknowledged');
      expect(settled.map((event) => [event.actor, event.taskId, event.payload.findingId, event.payload.forced, event.recipients])).toEqual([
        ['lead', 2, toB.id, true, ['agent-b']],
        ['agent-c', 4, unaddressed.id, false, []],
        ['agent-c', 3, toC.id, false, []],
      ]);
      expect(settled[0]?.payload.message).toBe('lead takes it');
    });
  });

  it('list marks tasks with open findings, and show lists the footprint and the findings', { timeout: 120_000 }, () => {
    const wtB = worktree('task-b');
    lead('init');
    lead('add', 'Remove legacy login', '--resource', 'removes:endpoint:POST /api/login', '--resource', 'removes:table:sessions');
    lead('add', 'Rate-limit login', '--resource', 'modifies:endpoint:POST /api/login', '--resource', 'reads:table:sessions');
    lead('add', 'Unrelated docs');
    ok(as('agent-b', wtB, 'claim', '2'));
    commit(wtB, 'src/b.txt', 'beta, rate limited\n');
    write(wtB, 'src/new.txt', 'not committed yet\n');
    ok(as('agent-b', wtB, 'sync'));
    lead('complete', '1');

    const listed = json<{ tasks: (TaskDoc & { openFindings: number })[] }>(lead('list', '--json')).tasks;
    expect(listed.map((task) => [task.id, task.openFindings])).toEqual([[2, 2], [3, 0]]);
    const text = lead('list').stdout.split('\n');
    expect(text.find((line) => line.startsWith('#2'))).toMatch(/Rate-limit login\s+!2 findings$/);
    expect(text.find((line) => line.startsWith('#3'))).not.toContain('!');

    const detail = show(2);
    expect(detail.task).toMatchObject({ worktree: wtB, branch: 'task-b' });
    expect(detail.footprint).toMatchObject({ taskId: 2, worktree: wtB, branch: 'task-b', base: 'main', paths: ['src/b.txt', 'src/new.txt'] });
    expect(detail.findings.map((finding) => [finding.kind, finding.status])).toEqual([['impact_conflict', 'open'], ['impact_conflict', 'open']]);
    const shown = lead('show', '2').stdout;
    expect(shown).toMatch(/footprint \(against main, [^)]+\):\n\s+src\/b\.txt\n\s+src\/new\.txt/);
    expect(shown).toMatch(/findings:\n\s+\[\d+\] impact_conflict \(open\): #1 'Remove legacy login' removed/);
    expect(lead('show', '3').stdout).not.toMatch(/footprint|findings/);

    // Acknowledged findings stay in `show`, but no longer mark the task in `list`.
    const [first] = detail.findings as [FindingDoc];
    ok(as('agent-b', wtB, 'ack', String(first.id)));
    expect(json<{ tasks: { id: number; openFindings: number }[] }>(lead('list', '--json')).tasks[0]).toMatchObject({ id: 2, openFindings: 1 });
    expect(lead('list').stdout).toMatch(/!1 finding$/m);
    expect(show(2).findings.map((finding) => finding.status)).toEqual(['acknowledged', 'open']);
  });

  it('claim warns when declared resources or links overlap running work; --strict refuses and changes nothing', { timeout: 120_000 }, () => {
    const wtA = worktree('task-a');
    lead('init');
    lead('add', 'Rewrite auth', '--resource', 'modifies:file:src/auth/**');
    lead('add', 'Fix login page', '--link', 'src/auth/login.ts:1-3');
    lead('add', 'Users endpoint', '--resource', 'modifies:file:src/api/users.ts');
    lead('add', 'Docs', '--resource', 'modifies:file:docs/readme.md');
    ok(as('agent-a', wtA, 'claim', '1'));
    // #1's branch also changes a file it never declared: its footprint counts too.
    commit(wtA, 'src/api/users.ts', 'export const users = ["a"];\n');
    ok(as('agent-a', wtA, 'heartbeat'));

    const byLink = ok(as('agent-b', main, 'claim', '2', '--json'));
    const linkCollisions = json<{ collisions: Collision[] }>(byLink).collisions;
    expect(linkCollisions.map((collision) => collision.taskId)).toEqual([1]);
    expect(linkCollisions[0]?.reason).toContain('src/auth/login.ts');
    expect(byLink.stderr).toContain(`baton: warning: ${linkCollisions[0]?.reason}`);

    const before = boardFingerprint(db);
    const strict = as('agent-c', main, 'claim', '3', '--strict');
    expect(strict.code).toBe(4);
    expect(strict.stderr).toMatch(/task #3 collides with running work: #1 'Rewrite auth' \(agent-a\) is already working on src\/api\/users\.ts/);
    const strictJson = refusedJson(as('agent-c', main, 'claim', '3', '--strict', '--json'), 4);
    expect(strictJson).toMatchObject({ code: 'CONFLICT', details: { id: 3, collisions: [{ taskId: 1 }] } });
    expect(boardFingerprint(db)).toBe(before);
    expect(show(3).task).toMatchObject({ status: 'open', assignee: null });

    const anyway = ok(as('agent-c', main, 'claim', '3', '--json'));
    expect(json<{ collisions: Collision[] }>(anyway).collisions.map((collision) => collision.taskId)).toEqual([1]);
    expect(anyway.stderr).toContain('src/api/users.ts');

    const free = ok(as('agent-d', main, 'claim', '4', '--strict', '--json'));
    expect(json<{ collisions: Collision[]; task: TaskDoc }>(free)).toMatchObject({ collisions: [], task: { status: 'in_progress', assignee: 'agent-d' } });
    expect(free.stderr).not.toContain('warning');
  });

  it('ready ranks a colliding task after equal-priority work that collides with nothing, and --explain says why', { timeout: 120_000 }, () => {
    lead('init');
    lead('add', 'Running', '-p', '3', '--resource', 'modifies:endpoint:POST /api/login');
    lead('add', 'Colliding', '-p', '1', '--resource', 'reads:endpoint:POST /api/login');
    lead('add', 'Free', '-p', '1');
    lead('add', 'Lower', '-p', '2');
    lead('add', 'Urgent colliding', '-p', '0', '--resource', 'modifies:endpoint:POST /api/login');
    const queue = (...flags: string[]): { id: number; rank: { collisions: Collision[]; why?: string } }[] =>
      json<{ tasks: { id: number; rank: { collisions: Collision[]; why?: string } }[] }>(lead('ready', ...flags, '--json')).tasks;
    expect(ids(queue())).toEqual([5, 2, 3, 4, 1]);

    ok(as('agent-a', main, 'claim', '1'));
    const ranked = queue();
    expect(ids(ranked)).toEqual([5, 3, 2, 4]);
    expect(ranked.map((task) => task.rank.collisions.map((collision) => collision.taskId))).toEqual([[1], [], [1], []]);
    expect(ids(queue('--limit', '2'))).toEqual([5, 3]);
    expect(ids(queue('--limit', '3'))).toEqual([5, 3, 2]);

    const explained = queue('--explain');
    expect(explained.find((task) => task.id === 2)?.rank.why).toMatch(/priority 1.*; ranked later: #1 'Running' \(agent-a\) is already working on endpoint POST \/api\/login/);
    expect(explained.find((task) => task.id === 3)?.rank.why).not.toContain('ranked later');
    const text = lead('ready', '--explain').stdout.split('\n');
    const colliding = text.findIndex((line) => line.startsWith('#2'));
    expect(colliding).toBeGreaterThan(text.findIndex((line) => line.startsWith('#3')));
    expect(text[colliding + 1]).toContain("ranked later: #1 'Running' (agent-a) is already working on endpoint POST /api/login");
    expect(lead('ready').stdout).not.toContain('ranked later');

    // `claim --next` follows the same order.
    expect(json<{ task: TaskDoc }>(ok(as('agent-b', main, 'claim', '--next', '--json'))).task.id).toBe(5);
    expect(json<{ task: TaskDoc }>(ok(as('agent-c', main, 'claim', '--next', '--json'))).task.id).toBe(3);
  });

  it('sync refreshes every bound in-flight task, resolves a predicted conflict that went away, and reopens it when it returns', { timeout: 180_000 }, () => {
    const wtA = worktree('task-a');
    const wtB = worktree('task-b');
    lead('init');
    lead('add', 'Alpha wording');
    lead('add', 'Alpha spelling');
    lead('add', 'Unbound work');
    ok(as('agent-a', wtA, 'claim', '1'));
    ok(as('agent-b', wtB, 'claim', '2'));
    ok(as('agent-c', main, 'claim', '3'));
    commit(wtA, 'src/a.txt', 'alpha, reworded by a\n');
    commit(wtB, 'src/a.txt', 'alpha, respelled by b\n');

    const first = json<RefreshDoc>(lead('sync', '--json'));
    expect(first.base).toBe('main');
    expect(first.footprints.map((footprint) => [footprint.taskId, footprint.branch, footprint.paths])).toEqual([
      [1, 'task-a', ['src/a.txt']],
      [2, 'task-b', ['src/a.txt']],
    ]);
    const live = (agent: string): [string, number | null, string[]][] =>
      inbox(agent).map((finding) => [finding.kind, finding.otherTaskId, finding.paths]);
    expect(live('agent-a')).toEqual(expect.arrayContaining([['overlap', 2, ['src/a.txt']], ['merge_conflict_predicted', 2, ['src/a.txt']]]));
    expect(live('agent-b')).toEqual(expect.arrayContaining([['overlap', 1, ['src/a.txt']], ['merge_conflict_predicted', 1, ['src/a.txt']]]));
    expect(inbox('agent-c')).toEqual([]);
    const predicted = inbox('lead', '--all').filter((finding) => finding.kind === 'merge_conflict_predicted');
    expect(predicted).toHaveLength(2);
    expect(lead('sync').stdout).toMatch(/#1 task-a: 1 changed file\(s\) against main\n#2 task-b: 1 changed file\(s\) against main/);

    // B starts over from main and changes another file: nothing conflicts or overlaps any more.
    git(wtB, ['reset', '-q', '--hard', 'main']);
    commit(wtB, 'src/b.txt', 'beta, by b\n');
    const second = json<RefreshDoc>(lead('sync', '--json'));
    expect(second.footprints.find((footprint) => footprint.taskId === 2)?.paths).toEqual(['src/b.txt']);
    expect(second.resolved.map((finding) => finding.kind).sort()).toEqual(['merge_conflict_predicted', 'merge_conflict_predicted', 'overlap', 'overlap']);
    expect(inbox('lead', '--all')).toEqual([]);
    expect(inbox('lead', '--all', '--history').map((finding) => [finding.status, finding.resolvedBy])).toEqual(
      Array.from({ length: 4 }, () => ['resolved', 'baton']),
    );
    expect(json<RefreshDoc>(lead('sync', '--json')).resolved).toEqual([]);

    // The conflict comes back: the same findings open again, not new ones.
    commit(wtB, 'src/a.txt', 'alpha, respelled by b again\n');
    const third = json<RefreshDoc>(lead('sync', '2', '--json'));
    expect(third.footprints.map((footprint) => footprint.taskId)).toEqual([2]);
    const reopened = inbox('lead', '--all').filter((finding) => finding.kind === 'merge_conflict_predicted');
    expect(ids(reopened).sort()).toEqual(ids(predicted).sort());
    expect(ids(third.created)).toEqual(expect.arrayContaining(ids(predicted)));
    expect(show(1).findings.map((finding) => finding.kind).sort()).toEqual(['merge_conflict_predicted', 'overlap']);
  });

  it('live findings follow a task that changed hands to its new holder', { timeout: 180_000 }, () => {
    const wtA = worktree('task-a');
    const wtB = worktree('task-b');
    lead('init');
    lead('add', 'Alpha wording');
    lead('add', 'Alpha spelling');
    ok(as('agent-a', wtA, 'claim', '1'));
    ok(as('agent-b', wtB, 'claim', '2'));
    commit(wtA, 'src/a.txt', 'alpha, reworded by a\n');
    commit(wtB, 'src/a.txt', 'alpha, respelled by b\n');
    lead('sync');
    const forTwo = inbox('agent-b');
    expect(forTwo.map((finding) => finding.kind).sort()).toEqual(['merge_conflict_predicted', 'overlap']);

    ok(as('agent-b', wtB, 'release', '2'));
    const since = lastEventId();
    ok(as('agent-c', wtB, 'claim', '2'));
    expect(ids(inbox('agent-c'))).toEqual(ids(forTwo));
    expect(inbox('agent-b')).toEqual([]);
    // #2's findings move to agent-c; #1's stay with agent-a, reworded to name #2's new holder.
    const moved = events('--since', String(since), '--type', 'finding_updated');
    expect(moved.filter((event) => event.taskId === 2).map((event) => event.recipients)).toEqual([['agent-c'], ['agent-c']]);
    expect(moved.filter((event) => event.taskId === 1).map((event) => event.recipients)).toEqual([['agent-a'], ['agent-a']]);
    expect(inbox('agent-a').every((finding) => finding.message.includes('(agent-c)'))).toBe(true);
    // The new holder settles them as their own, without --force.
    for (const finding of forTwo) ok(as('agent-c', wtB, 'ack', String(finding.id)));
    ok(as('agent-c', wtB, 'complete', '2'));
  });

  it('bind binds an in-flight task to the linked worktree it runs in, and refuses the main checkout and tasks not in progress', { timeout: 120_000 }, () => {
    const wtA = worktree('task-a');
    lead('init');
    lead('add', 'Claimed in the main checkout');
    lead('add', 'Not started');
    ok(as('agent-a', main, 'claim', '1'));
    expect(show(1).task).toMatchObject({ worktree: null, branch: null });
    commit(wtA, 'src/b.txt', 'beta from a\n');

    const before = boardFingerprint(db);
    const inMain = as('agent-a', main, 'bind', '1');
    expect(inMain.code).toBe(2);
    expect(inMain.stderr).toMatch(/is the main checkout, not a linked worktree; run bind inside the worktree/);
    expect(refusedJson(as('agent-a', join(main, 'src'), 'bind', '1', '--json'), 2).code).toBe('INVALID_INPUT');
    const notStarted = as('agent-a', wtA, 'bind', '2');
    expect(notStarted.code).toBe(4);
    expect(notStarted.stderr).toContain('task #2 is open');
    expect(as('agent-a', wtA, 'bind', '99').code).toBe(3);
    expect(as('agent-a', wtA, 'bind', 'abc').code).toBe(2);
    expect(boardFingerprint(db)).toBe(before);

    // From a subdirectory of the worktree, too: the worktree's root is what gets bound.
    const bound = json<{ task: TaskDoc; refresh: RefreshDoc | null }>(ok(as('agent-a', join(wtA, 'src'), 'bind', '1', '--json')));
    expect(bound.task).toMatchObject({ id: 1, worktree: wtA, branch: 'task-a' });
    expect(bound.refresh?.footprints.map((footprint) => [footprint.taskId, footprint.paths])).toEqual([[1, ['src/b.txt']]]);
    expect(show(1)).toMatchObject({ task: { worktree: wtA, branch: 'task-a' }, footprint: { paths: ['src/b.txt'] } });
    expect(events('--task', '1', '--type', 'task_bound').map((event) => event.payload)).toEqual([{ worktree: wtA, branch: 'task-a' }]);

    // Only the holder binds a task, unless forced.
    const beforeOther = boardFingerprint(db);
    const other = as('agent-b', wtA, 'bind', '1');
    expect(other.code).toBe(4);
    expect(other.stderr).toContain('held by agent-a, not agent-b');
    expect(boardFingerprint(db)).toBe(beforeOther);
    ok(as('agent-b', wtA, 'bind', '1', '--force'));
  });

  it('a task that changes hands takes its findings, open again, to the new holder', { timeout: 120_000 }, () => {
    lead('init');
    lead('add', 'Remove legacy login', '--resource', 'removes:endpoint:POST /api/login');
    lead('add', 'Rate-limit login', '--resource', 'modifies:endpoint:POST /api/login');
    ok(as('agent-b', main, 'claim', '2'));
    lead('complete', '1');
    const [conflict] = json<{ findings: FindingDoc[] }>(ok(as('agent-b', main, 'inbox', '--json'))).findings;
    expect(conflict).toMatchObject({ kind: 'impact_conflict', recipient: 'agent-b' });
    ok(as('agent-b', main, 'ack', String(conflict?.id), '-m', 'will adapt'));
    ok(as('agent-b', main, 'release', '2'));
    ok(as('agent-c', main, 'claim', '2'));
    const moved = json<{ findings: FindingDoc[] }>(ok(as('agent-c', main, 'inbox', '--json'))).findings;
    expect(moved).toEqual([expect.objectContaining({ id: conflict?.id, recipient: 'agent-c', status: 'open', ackedBy: null })]);
    expect(json<{ findings: FindingDoc[] }>(ok(as('agent-b', main, 'inbox', '--json'))).findings).toEqual([]);
    expect(events('--type', 'finding_updated').map((event) => event.recipients)).toEqual([['agent-c']]);
    expect(as('agent-c', main, 'complete', '2').code).toBe(4);
    ok(as('agent-c', main, 'ack', String(conflict?.id)));
    ok(as('agent-c', main, 'complete', '2'));
  });

  it('reserve and unreserve paths: exclusive overlaps refused naming the holder, shared with shared allowed', { timeout: 120_000 }, async () => {
    lead('init');
    lead('add', 'Auth');
    lead('add', 'Login page');
    lead('add', 'Already done');
    ok(as('agent-a', main, 'claim', '1'));
    ok(as('agent-b', main, 'claim', '2'));
    lead('complete', '3');
    type Reserved = { reservations: { taskId: number; pattern: string; shared: boolean; holder: string; expiresAt: string | null }[] };
    const reserve = (agent: string, cwd: string, ...args: string[]): Reserved => json<Reserved>(ok(as(agent, cwd, 'reserve', ...args, '--json')));

    expect(reserve('agent-a', main, 'src/auth/**', '--task', '1').reservations).toEqual([
      expect.objectContaining({ taskId: 1, pattern: 'src/auth/**', shared: false, holder: 'agent-a', expiresAt: null }),
    ]);
    let before = boardFingerprint(db);
    const clash = as('agent-b', main, 'reserve', 'src/auth/login.ts', '--task', '2');
    expect(clash.code).toBe(4);
    expect(clash.stderr).toContain("'src/auth/login.ts' overlaps 'src/auth/**', reserved exclusively for task #1 by agent-a");
    expect(as('agent-b', main, 'reserve', 'src/**', '--task', '2').code).toBe(4);
    const sharedOverExclusive = refusedJson(as('agent-b', main, 'reserve', 'src/auth/login.ts', '--task', '2', '--shared', '--json'), 4);
    expect(sharedOverExclusive).toMatchObject({ code: 'CONFLICT', details: { reservation: { taskId: 1, holder: 'agent-a' } } });
    expect(boardFingerprint(db)).toBe(before);

    // Shared with shared is fine; an exclusive one over a shared one is not.
    reserve('agent-a', main, 'docs/**', '--task', '1', '--shared');
    expect(reserve('agent-b', main, 'docs/readme.md', '--task', '2', '--shared').reservations[0]).toMatchObject({ pattern: 'docs/readme.md', shared: true });
    expect(as('agent-b', main, 'reserve', 'docs/other.md', '--task', '2').stderr).toContain("reserved shared for task #1 by agent-a");

    // Paths are relative to where the command runs, and must stay inside the repository.
    expect(reserve('agent-b', join(main, 'src'), 'api/users.ts', '--task', '2').reservations[0]?.pattern).toBe('src/api/users.ts');
    before = boardFingerprint(db);
    for (const outside of ['../outside.txt', join(root, 'elsewhere.txt'), '.', main]) {
      const result = as('agent-b', main, 'reserve', outside, '--task', '2');
      expect(result.code, `reserve ${outside}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain('is outside the repository');
    }
    expect(as('agent-b', main, 'reserve', 'src/x.ts').code).toBe(2); // no --task
    expect(as('agent-b', main, 'reserve', 'src/x.ts', '--task', '99').code).toBe(3);
    expect(as('lead', main, 'reserve', 'src/x.ts', '--task', '3').code).toBe(4); // done
    expect(boardFingerprint(db)).toBe(before);

    // A glob that matches nothing yet is allowed: it reserves files still to be written.
    expect(reserve('agent-b', main, 'src/generated/**/*.zz', '--task', '2').reservations[0]?.pattern).toBe('src/generated/**/*.zz');

    // A TTL runs out by itself (long enough that the first attempt surely comes before it).
    const requested = Date.now();
    const expiring = reserve('agent-b', main, 'tmp/**', '--task', '2', '--ttl', '8s').reservations[0];
    const expiresAt = Date.parse(expiring?.expiresAt ?? '');
    expect(expiresAt - requested).toBeGreaterThanOrEqual(8_000);
    expect(as('agent-a', main, 'reserve', 'tmp/cache', '--task', '1').code).toBe(4);
    await sleep(Math.max(0, expiresAt - Date.now()) + 500);
    reserve('agent-a', main, 'tmp/cache', '--task', '1');

    // Releasing: the paths given, or everything with --all.
    expect(json<{ removed: number }>(ok(as('agent-a', main, 'unreserve', 'src/auth/**', '--task', '1', '--json'))).removed).toBe(1);
    reserve('agent-b', main, 'src/auth/login.ts', '--task', '2');
    expect(as('agent-a', main, 'unreserve', '--task', '1').code).toBe(2);
    expect(ok(as('agent-b', main, 'unreserve', '--all', '--task', '2')).stdout.trim()).toBe('released 5 reservations of #2');
    expect(json<{ removed: number }>(ok(as('agent-b', main, 'unreserve', '--all', '--task', '2', '--json'))).removed).toBe(0);
    reserve('agent-a', main, 'src/**', '--task', '1');
  });

  describe('hooks', () => {
    const USER_HOOK = '#!/bin/sh\n# the team\'s own check\necho "user pre-commit ran" >> "$USER_HOOK_LOG"\nexit 0\n';
    let hooksDir: string;
    let log: string;

    beforeEach(() => {
      hooksDir = join(main, '.git', 'hooks');
      log = join(root, 'user-hook.log');
      mkdirSync(hooksDir, { recursive: true });
      writeFileSync(join(hooksDir, 'pre-commit'), USER_HOOK);
      chmodSync(join(hooksDir, 'pre-commit'), 0o755);
    });

    function gitCommit(cwd: string, ...args: string[]): { code: number; stderr: string } {
      const result = spawnSync('git', ['commit', '-q', ...args], { cwd, encoding: 'utf8', env: { ...process.env, USER_HOOK_LOG: log, NO_COLOR: '1' } });
      return { code: result.status ?? -1, stderr: result.stderr };
    }
    const userHookRuns = (): number => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0);

    it('keeps the user\'s hook, guards reserved paths, refreshes the footprint after a commit, and uninstalls cleanly', { timeout: 180_000 }, () => {
      const wtA = worktree('task-a');
      const wtR = worktree('task-r');
      lead('init');
      lead('add', 'Edit b');
      lead('add', 'Own a.txt');
      ok(as('agent-a', wtA, 'claim', '1'));
      ok(as('agent-r', wtR, 'claim', '2'));
      ok(as('agent-r', wtR, 'reserve', 'src/a.txt', '--task', '2'));

      const installed = json<{ hooks: { hook: string; action: string }[] }>(ok(as('lead', main, 'hooks', 'install', '--json'))).hooks;
      expect(installed.map((change) => [change.hook, change.action])).toEqual([['pre-commit', 'added'], ['post-commit', 'created']]);
      const preCommit = readFileSync(join(hooksDir, 'pre-commit'), 'utf8');
      const postCommit = readFileSync(join(hooksDir, 'post-commit'), 'utf8');
      expect(preCommit).toContain('echo "user pre-commit ran"');
      expect(preCommit.startsWith('#!/bin/sh\n# >>> baton >>>\n')).toBe(true);
      const again = json<{ hooks: { action: string }[] }>(ok(as('lead', main, 'hooks', 'install', '--json'))).hooks;
      expect(again.map((change) => change.action)).toEqual(['unchanged', 'unchanged']);
      expect(readFileSync(join(hooksDir, 'pre-commit'), 'utf8')).toBe(preCommit);
      expect(readFileSync(join(hooksDir, 'post-commit'), 'utf8')).toBe(postCommit);

      // A commit of other paths goes through, runs the user's hook, and refreshes #1's footprint.
      expect(show(1).footprint?.paths ?? []).toEqual([]);
      write(wtA, 'src/b.txt', 'beta from a\n');
      git(wtA, ['add', 'src/b.txt']);
      const through = gitCommit(wtA, '-m', 'edit b');
      expect(through.code, through.stderr).toBe(0);
      expect(through.stderr).toBe(''); // the hooks say nothing when all is well
      expect(userHookRuns()).toBe(1);
      expect(show(1).footprint).toMatchObject({ worktree: wtA, branch: 'task-a', paths: ['src/b.txt'] });

      // A commit of a path #2 holds exclusively is refused, naming the holder and the override.
      const before = boardFingerprint(db);
      write(wtA, 'src/a.txt', 'alpha from a\n');
      const blocked = gitCommit(wtA, '-am', 'edit a');
      expect(blocked.code).not.toBe(0);
      expect(blocked.stderr).toContain('commit refused: src/a.txt (reserved for #2 by agent-r)');
      expect(blocked.stderr).toContain('git commit --no-verify');
      expect(git(wtA, ['log', '-1', '--format=%s']).trim()).toBe('edit b');
      expect(boardFingerprint(db)).toBe(before);

      // The holder's own worktree commits the path it reserved.
      write(wtR, 'src/a.txt', 'alpha from r\n');
      expect(gitCommit(wtR, '-am', 'edit a as its holder').code).toBe(0);
      expect(show(2).footprint?.paths).toEqual(['src/a.txt']);

      // Uninstalling gives the user's hook back byte for byte and deletes the one baton made.
      const removed = json<{ hooks: { hook: string; action: string }[] }>(ok(as('lead', main, 'hooks', 'uninstall', '--json'))).hooks;
      expect(removed.map((change) => [change.hook, change.action])).toEqual([['pre-commit', 'removed'], ['post-commit', 'deleted']]);
      expect(readFileSync(join(hooksDir, 'pre-commit'), 'utf8')).toBe(USER_HOOK);
      expect(statSync(join(hooksDir, 'pre-commit')).mode & 0o111).not.toBe(0);
      expect(existsSync(join(hooksDir, 'post-commit'))).toBe(false);
      const runsBefore = userHookRuns();
      expect(gitCommit(wtA, '-am', 'edit a, unguarded').code).toBe(0);
      expect(userHookRuns()).toBe(runsBefore + 1);
    });

    it('lets every commit through while the repository has no board yet, and guards once it has one', { timeout: 120_000 }, () => {
      const installed = json<{ hooks: { action: string }[] }>(ok(as('lead', main, 'hooks', 'install', '--json'))).hooks;
      expect(installed.map((change) => change.action)).toEqual(['added', 'created']);
      write(main, 'src/a.txt', 'alpha, before init\n');
      const beforeInit = gitCommit(main, '-am', 'before baton init');
      expect(beforeInit.code, beforeInit.stderr).toBe(0);
      expect(beforeInit.stderr).toBe('');
      expect(existsSync(db)).toBe(false);
      expect(userHookRuns()).toBe(1);

      lead('init');
      lead('add', 'Holds a.txt');
      ok(as('agent-r', main, 'claim', '1'));
      ok(as('agent-r', main, 'reserve', 'src/a.txt', '--task', '1'));
      write(main, 'src/a.txt', 'alpha, after init\n');
      const guarded = gitCommit(main, '-am', 'after baton init');
      expect(guarded.code).not.toBe(0);
      expect(guarded.stderr).toContain('commit refused: src/a.txt (reserved for #1 by agent-r)');
      expect(as('lead', main, 'hooks', 'run', 'pre-push').code).toBe(2);
      expect(as('lead', main, 'hooks', 'reinstall').code).toBe(2);
    });
  });

  it('complete sends the impact to each affected task\'s assignee only, never to the completer', { timeout: 120_000 }, () => {
    lead('init');
    lead('add', 'Change login', '--resource', 'modifies:endpoint:POST /api/login');
    lead('add', 'Rate-limit login', '-a', 'agent-b', '--resource', 'modifies:endpoint:POST /api/login');
    lead('add', 'Document login', '--resource', 'reads:endpoint:POST /api/login');
    lead('add', 'Health check', '-a', 'agent-c', '--resource', 'modifies:endpoint:GET /health');
    lead('add', 'Old login audit', '--resource', 'reads:endpoint:POST /api/login');
    lead('complete', '5');
    ok(as('agent-a', main, 'claim', '1'));
    const since = lastEventId();

    const done = json<{ findings: FindingDoc[] }>(ok(as('agent-a', main, 'complete', '1', '--json')));
    expect(done.findings.map((finding) => [finding.kind, finding.taskId, finding.otherTaskId, finding.recipient])).toEqual([
      ['impact_notice', 2, 1, 'agent-b'],
      ['impact_notice', 3, 1, null],
    ]);
    expect(done.findings[0]?.message).toContain("#1 'Change login'");

    const after = events('--since', String(since));
    const created = after.filter((event) => event.type === 'finding_created');
    expect(created.map((event) => [event.taskId, event.recipients])).toEqual([[2, ['agent-b']], [3, []]]);
    expect(after.filter((event) => event.recipients.includes('agent-a'))).toEqual([]);
    expect(ids(inbox('agent-b'))).toEqual([done.findings[0]?.id]);
    expect(inbox('agent-a')).toEqual([]);
    expect(inbox('agent-c')).toEqual([]);
    expect(json<{ events: EventDoc[] }>(ok(as('agent-a', main, 'watch', '--me', '--since', String(since), '--json'))).events).toEqual([]);
    expect(lead('complete', '4').stdout).not.toContain('told');
  });
});
