import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baton, boardFingerprint, json, makeRepo, type BatonResult } from './helpers/baton.js';

/** The state machine's edges: what `release` may do, and every way back to `open` re-deriving `blocked`. */

interface TaskDoc {
  id: number;
  status: string;
  assignee: string | null;
  blockReason: string | null;
  leaseExpiresAt: string | null;
}
interface ErrorDoc {
  error: { code: string; message: string };
}

describe('board edges', () => {
  let repo: ReturnType<typeof makeRepo>;
  beforeEach(() => {
    repo = makeRepo('baton-edges-');
    expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
  });
  afterEach(() => repo.cleanup());

  const as = (agent: string, ...args: string[]): BatonResult => baton(args, { cwd: repo.dir, env: { BATON_AGENT: agent } });
  const ok = (agent: string, ...args: string[]): BatonResult => {
    const result = as(agent, ...args);
    expect(result.code, `${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(0);
    return result;
  };
  const add = (title: string, ...extra: string[]): string => String(json<{ task: TaskDoc }>(ok('planner', 'add', title, ...extra, '--json')).task.id);
  const show = (id: string): TaskDoc => json<{ task: TaskDoc }>(ok('observer', 'show', id, '--json')).task;
  const blockedIds = (): number[] => json<{ tasks: TaskDoc[] }>(ok('observer', 'blocked', '--json')).tasks.map((task) => task.id);

  describe("block and cancel of someone else's claim", () => {
    it.each([
      { command: 'block', extra: ['--reason', 'legal review'], after: 'blocked' },
      { command: 'cancel', extra: ['--reason', 'not needed'], after: 'cancelled' },
    ])('$command: refused (exit 4, naming the holder and --force), board unchanged; its holder may, and --force may', ({ command, extra, after }) => {
      const id = add('held by alice');
      ok('alice', 'claim', id);
      const before = boardFingerprint(repo.db);
      const refused = as('bob', command, id, ...extra, '--json');
      expect(refused.code).toBe(4);
      const error = json<ErrorDoc>(refused).error;
      expect(error.code).toBe('CONFLICT');
      for (const part of [`#${id}`, 'held by alice', `may ${command} it`, '--force']) expect(error.message).toContain(part);
      expect(boardFingerprint(repo.db)).toBe(before);

      ok('bob', command, id, ...extra, '--force');
      expect(show(id).status).toBe(after);
      const own = add('held by alice too');
      ok('alice', 'claim', own);
      ok('alice', command, own, ...extra);
      expect(show(own).status).toBe(after);
    });
  });

  describe('release gives back only an in-progress claim', () => {
    it.each([
      { status: 'done', make: (id: string) => ok('alice', 'complete', id, '-m', 'shipped'), says: ['done', `baton reopen`] },
      { status: 'cancelled', make: (id: string) => ok('alice', 'cancel', id), says: ['cancelled', 'baton reopen'] },
      { status: 'blocked', make: (id: string) => ok('alice', 'block', id, '--reason', 'legal review'), says: ['blocked by hand', 'legal review', 'baton unblock'] },
      { status: 'open', make: () => undefined, says: ['open', 'nobody holds it', 'baton claim'] },
    ])('on a $status task: exit 4, names the status and what to run, board unchanged', ({ status, make, says }) => {
      const id = add('not a claim');
      make(id);
      expect(show(id).status).toBe(status);
      const before = boardFingerprint(repo.db);
      const refused = as('alice', 'release', id, '--json');
      expect(refused.code).toBe(4);
      const error = json<ErrorDoc>(refused).error;
      expect(error.code).toBe('ILLEGAL_TRANSITION');
      for (const part of [`#${id}`, ...says]) expect(error.message).toContain(part.replace('baton reopen', `baton reopen ${id}`).replace('baton unblock', `baton unblock ${id}`).replace('baton claim', `baton claim ${id}`));
      // --force releases another's claim; it does not make a release out of something else.
      expect(as('alice', 'release', id, '--force').code).toBe(4);
      expect(boardFingerprint(repo.db)).toBe(before);
      expect(show(id).status).toBe(status);
    });

    it('on a task waiting on its dependencies: exit 4, says it opens by itself', () => {
      const blocker = add('first');
      const waiting = add('second', '--depends-on', blocker);
      expect(show(waiting).status).toBe('blocked');
      const before = boardFingerprint(repo.db);
      const refused = as('alice', 'release', waiting);
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain('waits on its dependencies');
      expect(refused.stderr).toContain(`baton undepend ${waiting}`);
      expect(boardFingerprint(repo.db)).toBe(before);
    });
  });

  it('reopen does not give back a claim: exit 4 naming release, the holder keeps the task', () => {
    const id = add('in flight');
    ok('alice', 'claim', id);
    const before = boardFingerprint(repo.db);
    const refused = as('bob', 'reopen', id, '--json');
    expect(refused.code).toBe(4);
    const error = json<ErrorDoc>(refused).error;
    expect(error.code).toBe('ILLEGAL_TRANSITION');
    for (const part of [`#${id}`, 'in progress', 'alice', `baton release ${id}`, '--force']) expect(error.message).toContain(part);
    expect(boardFingerprint(repo.db)).toBe(before);
    expect(show(id)).toMatchObject({ status: 'in_progress', assignee: 'alice' });
    expect(as('alice', 'heartbeat').code).toBe(0);
  });

  it.each([['-a', 'bob'], ['--unassign']])('edit %s does not hand over or drop a claim: exit 4 naming release, board unchanged', (...option) => {
    const id = add('in flight');
    ok('alice', 'claim', id);
    const before = boardFingerprint(repo.db);
    const refused = as('bob', 'edit', id, ...option, '--json');
    expect(refused.code).toBe(4);
    const error = json<ErrorDoc>(refused).error;
    for (const part of [`#${id}`, 'held by alice', `baton release ${id}`, `baton claim ${id}`]) expect(error.message).toContain(part);
    expect(boardFingerprint(repo.db)).toBe(before);
    expect(as('alice', 'heartbeat').code).toBe(0);
    // Other fields of a claimed task stay editable.
    ok('bob', 'edit', id, '-p', '1');
  });

  it('heartbeat reports a loss the feed does not explain once, not at every heartbeat', () => {
    const id = add('taken around baton');
    ok('alice', 'claim', id);
    // As a hand edit of the board would leave it: another holder, no event saying so.
    const db = new Database(repo.db);
    db.prepare('UPDATE tasks SET assignee = ? WHERE id = ?').run('bob', Number(id));
    db.close();
    const first = as('alice', 'heartbeat');
    expect(first.code).toBe(4);
    expect(first.stdout).toContain('does not say why');
    const second = as('alice', 'heartbeat');
    expect(second.code, second.stdout).toBe(0);
  });

  describe('every way back to open re-derives blocked', () => {
    /** #work is claimed by agent-a, then made to wait on #blocker, which is in progress elsewhere. */
    function inFlightThenDependent(ttl = '30m'): { work: string; blocker: string } {
      const work = add('in flight');
      const blocker = add('prerequisite');
      ok('agent-b', 'claim', blocker);
      ok('agent-a', 'claim', work, '--ttl', ttl);
      ok('planner', 'depend', work, '--on', blocker);
      expect(show(work).status).toBe('in_progress');
      return { work, blocker };
    }

    it('release of a task whose dependency is unmet leaves it blocked and listed', () => {
      const { work, blocker } = inFlightThenDependent();
      const released = json<{ task: TaskDoc }>(ok('agent-a', 'release', work, '--json')).task;
      expect(released).toMatchObject({ status: 'blocked', assignee: null, blockReason: null });
      expect(blockedIds()).toEqual([Number(work)]);
      expect(ok('observer', 'blocked').stdout).toContain(`waits on #${blocker}`);
      expect(json<{ tasks: TaskDoc[] }>(ok('observer', 'ready', '--json')).tasks.map((task) => task.id)).not.toContain(Number(work));
      // And it opens by itself once the blocker is done.
      ok('agent-b', 'complete', blocker, '-m', 'done');
      expect(show(work).status).toBe('open');
    });

    it('a reaped lease on a task whose dependency is unmet leaves it blocked', async () => {
      const { work } = inFlightThenDependent('1s');
      const lease = Date.parse(show(work).leaseExpiresAt ?? '');
      await sleep(Math.max(0, lease - Date.now()) + 200);
      const reaped = json<{ tasks: TaskDoc[] }>(ok('observer', 'reap', '--json')).tasks;
      expect(reaped).toMatchObject([{ id: Number(work), status: 'blocked', assignee: null }]);
      expect(show(work).status).toBe('blocked');
      expect(blockedIds()).toEqual([Number(work)]);
    });

    it('reopening a done task blocks its open dependents again', () => {
      const first = add('first');
      ok('alice', 'complete', first, '-m', 'done');
      const next = add('next', '--depends-on', first);
      expect(show(next).status).toBe('open');
      ok('alice', 'reopen', first);
      expect(show(next).status).toBe('blocked');
      expect(blockedIds()).toEqual([Number(next)]);
    });
  });

  describe('a cancelled blocker gates nothing', () => {
    it('cancelling the last blocker opens its dependent; reopening it blocks the dependent again', () => {
      const blocker = add('maybe needed');
      const other = add('needed');
      const waiting = add('waits on both', '--depends-on', blocker, '--depends-on', other);
      expect(show(waiting).status).toBe('blocked');

      ok('alice', 'cancel', blocker, '-m', 'not needed after all');
      expect(show(waiting).status).toBe('blocked');
      const refused = as('alice', 'unblock', waiting);
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain(`#${other}`);
      expect(refused.stderr).not.toContain(`#${blocker},`);
      expect(refused.stderr).toContain('opens by itself when they are done or cancelled');

      ok('alice', 'cancel', other);
      expect(show(waiting).status).toBe('open');
      expect(json<{ tasks: TaskDoc[] }>(ok('observer', 'ready', '--json')).tasks.map((task) => task.id)).toContain(Number(waiting));
      expect(ok('observer', 'blocked').stdout.trim()).toBe('nothing is blocked');

      ok('alice', 'reopen', other);
      expect(show(waiting).status).toBe('blocked');
    });

    it('a task added behind a cancelled blocker starts open, and can be claimed', () => {
      const blocker = add('dropped');
      ok('alice', 'cancel', blocker);
      const next = add('after it', '--depends-on', blocker);
      expect(show(next).status).toBe('open');
      expect(json<{ task: TaskDoc }>(ok('alice', 'claim', next, '--json')).task.status).toBe('in_progress');
    });
  });

  describe('heartbeat reports every lease the agent lost', () => {
    interface LossDoc {
      taskId: number;
      reason: string;
      endedBy: { type: string; actor: string } | null;
    }
    const beat = (agent: string, ...ids: string[]): BatonResult => as(agent, 'heartbeat', ...ids, '--json');

    it('reaped, force-released, force-completed: exit 4 naming each and who; told once; own releases are not losses', async () => {
      const reaped = add('lease runs out');
      const released = add('released by force');
      const completed = add('completed by force');
      const kept = add('still held');
      const mine = add('released by its holder');
      ok('agent-a', 'claim', kept, '--ttl', '30m');
      for (const id of [released, completed, mine]) ok('agent-a', 'claim', id);
      ok('agent-a', 'claim', reaped, '--ttl', '1s');
      ok('agent-a', 'release', mine);
      ok('agent-b', 'release', released, '--force');
      ok('agent-b', 'complete', completed, '--force', '--reason', 'agent-a went quiet', '-m', 'finished it myself');
      await sleep(Math.max(0, Date.parse(show(reaped).leaseExpiresAt ?? '') - Date.now()) + 200);
      ok('agent-b', 'claim', reaped);

      // Named, a lost task says it was lost, and how.
      const named = beat('agent-a', reaped);
      expect(named.code).toBe(4);
      expect(json<ErrorDoc>(named).error.message).toMatch(new RegExp(`you lost task #${reaped}: its lease expired .* baton reaped it`));
      expect(json<ErrorDoc>(named).error.message).toContain('assigned to agent-b');

      const before = json<{ task: TaskDoc }>(ok('observer', 'show', kept, '--json')).task.leaseExpiresAt;
      const result = beat('agent-a');
      expect(result.code).toBe(4);
      const doc = json<{ tasks: TaskDoc[]; lost: LossDoc[] }>(result);
      expect(doc.tasks.map((task) => String(task.id))).toEqual([kept]);
      expect(Date.parse(show(kept).leaseExpiresAt ?? '')).toBeGreaterThan(Date.parse(before ?? ''));
      expect(doc.lost.map((loss) => [String(loss.taskId), loss.endedBy?.type, loss.endedBy?.actor])).toEqual([
        [reaped, 'lease_expired', 'baton'],
        [released, 'task_released', 'agent-b'],
        [completed, 'task_completed', 'agent-b'],
      ]);
      expect(doc.lost[1]?.reason).toContain('agent-b released it');

      // Told once: the loss is on the feed now, and the next heartbeat is clean.
      const again = as('agent-a', 'heartbeat');
      expect(again.code).toBe(0);
      expect(again.stdout).toContain(`#${kept} lease until`);
      expect(again.stdout).not.toContain('LOST');
      const feed = json<{ events: { type: string; actor: string; taskId: number }[] }>(ok('observer', 'watch', '--json', '--type', 'lease_lost')).events;
      expect(feed.map((event) => [String(event.taskId), event.actor])).toEqual([[reaped, 'agent-a'], [released, 'agent-a'], [completed, 'agent-a']]);
    });

    it('in plain text, each lost task is one LOST line', () => {
      const id = add('taken away');
      ok('agent-a', 'claim', id);
      ok('agent-b', 'cancel', id, '--force');
      const result = as('agent-a', 'heartbeat');
      expect(result.code).toBe(4);
      expect(result.stdout).toContain(`LOST #${id}: agent-b cancelled it`);
      expect(as('agent-a', 'heartbeat').stdout.trim()).toBe('you hold no tasks');
    });
  });

  describe('leases are judged on the board\'s clock, not each process\'s', () => {
    const SKEWED_CLOCK = resolve(import.meta.dirname, 'helpers/skewed-clock.cjs');
    /** Runs baton in a process whose clock is `skewMs` off (Date only; the kernel's clock is right). */
    const skewed = (skewMs: number, agent: string, ...args: string[]): BatonResult =>
      baton(args, { cwd: repo.dir, env: { BATON_AGENT: agent, NODE_OPTIONS: `--require ${SKEWED_CLOCK}`, SKEWED_CLOCK_MS: String(skewMs) } });
    const MINUTES_31 = 31 * 60_000;

    it('a process whose clock runs 31 minutes fast does not reap a live 30-minute lease', () => {
      const id = add('held');
      ok('agent-a', 'claim', id, '--ttl', '30m');
      const fast = skewed(MINUTES_31, 'fast-agent', 'reap', '--json');
      expect(fast.code).toBe(0);
      expect(json<{ tasks: TaskDoc[] }>(fast).tasks).toEqual([]);
      expect(skewed(MINUTES_31, 'fast-agent', 'claim', '--next', '--json').code).toBe(3);
      expect(show(id)).toMatchObject({ status: 'in_progress', assignee: 'agent-a' });
    });

    it('a fast process grants a lease that ends on the board\'s clock, and is reaped then', async () => {
      const id = add('held by a fast clock');
      const claimed = skewed(MINUTES_31, 'fast-agent', 'claim', id, '--ttl', '2s', '--json');
      expect(claimed.code).toBe(0);
      const lease = Date.parse(json<{ task: TaskDoc }>(claimed).task.leaseExpiresAt ?? '');
      // Stamped on the board's clock: about two seconds from now, not 31 minutes on.
      expect(Math.abs(lease - Date.now())).toBeLessThan(60_000);
      await sleep(Math.max(0, lease - Date.now()) + 300);
      expect(json<{ tasks: TaskDoc[] }>(ok('observer', 'reap', '--json')).tasks.map((task) => String(task.id))).toEqual([id]);
    });

    it('a process whose clock runs 31 minutes slow still reaps an expired lease', async () => {
      const id = add('short lease');
      const lease = Date.parse(json<{ task: TaskDoc }>(ok('agent-a', 'claim', id, '--ttl', '1s', '--json')).task.leaseExpiresAt ?? '');
      await sleep(Math.max(0, lease - Date.now()) + 300);
      const slow = skewed(-MINUTES_31, 'slow-agent', 'reap', '--json');
      expect(json<{ tasks: TaskDoc[] }>(slow).tasks.map((task) => String(task.id))).toEqual([id]);
    });
  });

  it('import refuses a row no command could make, naming line and field, and writes nothing', () => {
    const id = add('claimed');
    ok('agent-a', 'claim', id);
    const lines = ok('observer', 'export').stdout.trimEnd().split('\n');
    const index = lines.findIndex((line) => line.includes('"type":"task"'));
    const record = JSON.parse(lines[index] as string) as { task: Record<string, unknown> };
    record.task.assignee = null;
    lines[index] = JSON.stringify(record);
    const fresh = join(repo.dir, 'fresh.db');
    const refused = baton(['import', '-', '--db', fresh, '--json'], { cwd: repo.dir, input: lines.join('\n') });
    expect(refused.code).toBe(2);
    expect(json<ErrorDoc>(refused).error.message).toContain(`line ${index + 1}: task.assignee is missing`);
    // Refused before any board was made: the file is checked whole, then written in one transaction.
    expect(existsSync(fresh)).toBe(false);
  });
});
