import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baton, batonAsync, json, makeRepo, spawnBaton, type RunningBaton } from './helpers/baton.js';

interface EventDoc {
  id: number;
  at: string;
  actor: string;
  taskId: number | null;
  type: string;
  recipients: string[];
}
interface FeedLine {
  schemaVersion: number;
  event: EventDoc;
}

/** Generous for a loaded machine; the latency the issue asks for is checked on its own below. */
const ARRIVAL_MS = 10_000;

describe('watch --follow --json', () => {
  let repo: ReturnType<typeof makeRepo>;
  const followers: RunningBaton[] = [];
  beforeEach(() => {
    repo = makeRepo('baton-watch-');
    expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
  });
  afterEach(() => {
    for (const follower of followers.splice(0)) follower.stop();
    repo.cleanup();
  });

  const as = (agent: string, ...args: string[]) => {
    const result = baton(args, { cwd: repo.dir, env: { BATON_AGENT: agent } });
    expect(result.code, result.stderr).toBe(0);
    return result;
  };
  const add = (...args: string[]): number => json<{ task: { id: number } }>(as('tester', 'add', ...args, '--json')).task.id;
  const lastEventId = (): number => json<{ events: EventDoc[] }>(as('tester', 'watch', '--json', '-n', '1')).events[0]?.id ?? 0;
  const follow = (args: string[], agent = 'observer'): RunningBaton => {
    const follower = spawnBaton(['watch', '--follow', '--json', ...args], { cwd: repo.dir, env: { BATON_AGENT: agent } });
    followers.push(follower);
    return follower;
  };
  const feed = (lines: readonly string[]): EventDoc[] =>
    lines.map((line) => {
      const parsed = JSON.parse(line) as FeedLine;
      expect(parsed.schemaVersion).toBe(1);
      return parsed.event;
    });
  /** Waits for the event with this id; every filter test ends on such a sentinel. */
  const until = (follower: RunningBaton, id: number): Promise<EventDoc[]> =>
    follower.waitFor((line) => (JSON.parse(line) as FeedLine).event.id === id, ARRIVAL_MS).then(feed);

  it('prints one JSON line per event, the backlog first and then new events', { timeout: 60_000 }, async () => {
    const first = add('one');
    add('two');
    const follower = follow([]);
    await until(follower, 2);
    as('tester', 'note', String(first), 'written while followed');
    const events = await until(follower, 3);
    for (const line of follower.lines) expect(line).not.toContain('\n');
    expect(events.map((event) => [event.id, event.type, event.taskId])).toEqual([
      [1, 'task_created', 1],
      [2, 'task_created', 2],
      [3, 'note_added', 1],
    ]);
    expect(events.every((event) => event.actor === 'tester' && !Number.isNaN(Date.parse(event.at)))).toBe(true);
  });

  it('resumes after the cursor given with --since', { timeout: 60_000 }, async () => {
    add('one');
    add('two');
    add('three');
    const follower = follow(['--since', '2']);
    await until(follower, 3);
    add('four');
    const events = await until(follower, 4);
    expect(events.map((event) => event.id)).toEqual([3, 4]);
  });

  it('--me shows only events addressed to this agent', { timeout: 60_000 }, async () => {
    const hers = add('for alice', '-a', 'alice');
    const his = add('for bob', '-a', 'bob');
    const follower = follow(['--me'], 'alice');
    as('tester', 'edit', String(hers), '-l', 'urgent');
    as('tester', 'note', String(his), 'not for alice');
    // Alice never hears about what she does herself.
    as('alice', 'note', String(hers), 'my own note');
    as('tester', 'note', String(hers), 'for alice');
    const events = await until(follower, lastEventId());
    expect(events.map((event) => `${event.type}#${event.taskId} by ${event.actor}`)).toEqual([
      `task_created#${hers} by tester`,
      `task_updated#${hers} by tester`,
      `note_added#${hers} by tester`,
    ]);
    for (const event of events) expect(event.recipients).toContain('alice');
  });

  it('--task shows only events about that task', { timeout: 60_000 }, async () => {
    const watched = add('watched');
    const other = add('other');
    const follower = follow(['--task', String(watched)]);
    as('tester', 'note', String(other), 'elsewhere');
    as('tester', 'edit', String(watched), '-d', 'changed');
    as('tester', 'depend', String(other), '--on', String(watched));
    as('tester', 'note', String(watched), 'last');
    const events = await until(follower, lastEventId());
    expect(events.map((event) => event.type)).toEqual(['task_created', 'task_updated', 'note_added']);
    expect(events.every((event) => event.taskId === watched)).toBe(true);
  });

  it('--type shows only the named types, repeated or comma-separated', { timeout: 60_000 }, async () => {
    const id = add('typed');
    const follower = follow(['--type', 'note_added,task_claimed', '--type', 'task_completed']);
    as('tester', 'edit', String(id), '-l', 'x');
    as('tester', 'note', String(id), 'first note');
    as('agent-1', 'claim', String(id));
    as('agent-1', 'complete', String(id), '-m', 'done');
    const events = await until(follower, lastEventId());
    expect(events.map((event) => event.type)).toEqual(['note_added', 'task_claimed', 'task_completed']);
  });

  it('delivers a new event within 1 s of the writing command returning', { timeout: 60_000 }, async () => {
    add('already there');
    const follower = follow([]);
    // The follower is waiting for changes once it has printed the backlog.
    await until(follower, 1);
    const delays: number[] = [];
    for (let round = 0; round < 3; round++) {
      const id = add(`fresh ${round}`);
      const returned = Date.now();
      await follower.waitFor((line) => {
        const { event } = JSON.parse(line) as FeedLine;
        return event.type === 'task_created' && event.taskId === id;
      }, ARRIVAL_MS);
      delays.push(Date.now() - returned);
    }
    expect(Math.max(...delays), `delays ${delays.join(', ')} ms`).toBeLessThan(1000);
  });

  it('delivers every event written by other baton processes at once, never a safety poll later', { timeout: 180_000 }, async () => {
    const task = add('noted on');
    const followers = [follow([]), follow([])];
    for (const follower of followers) await until(follower, 1);
    // The old follower woke on a writer's -wal write, could read before the commit was visible
    // (or miss the next notice while it read), and then slept until its one-second poll.
    const CHAINS = 3;
    const WRITES_PER_CHAIN = 30;
    const BOUND_MS = 400;
    const delays: Promise<string[]>[] = [];
    const chain = async (writer: number): Promise<void> => {
      for (let i = 0; i < WRITES_PER_CHAIN; i++) {
        await sleep(Math.random() * 60);
        const body = `write ${i} by writer ${writer}`;
        const written = await batonAsync(['note', String(task), body], { cwd: repo.dir, env: { BATON_AGENT: `writer-${writer}` } });
        expect(written.code, written.stderr).toBe(0);
        // From the writing process's exit, which comes after its commit: a delay only shrinks.
        const returned = Date.now();
        const late = (arrived: number, n: number): string[] => (arrived - returned > BOUND_MS ? [`${body} at follower ${n + 1}: ${arrived - returned} ms`] : []);
        for (const [n, follower] of followers.entries()) {
          delays.push(follower.waitFor((line) => line.includes(`"${body}"`), ARRIVAL_MS).then(() => late(Date.now(), n)));
        }
      }
    };
    await Promise.all(Array.from({ length: CHAINS }, (_, writer) => chain(writer)));
    const late = (await Promise.all(delays)).flat();
    expect(late, `${late.length} of ${delays.length} deliveries over ${BOUND_MS} ms`).toEqual([]);
  });

  // Linux only: the follower's main thread is the process's first thread, and /proc counts how
  // often it was switched out. A follower that polls wakes (and is switched out) on every poll.
  it.runIf(existsSync('/proc/self/task'))('sleeps while the board is idle: no wake-ups at all', { timeout: 60_000 }, async () => {
    add('already there');
    const follower = follow([]);
    await until(follower, 1);
    const pid = follower.pid;
    expect(pid).toBeTypeOf('number');
    const switches = (): number =>
      readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('voluntary_ctxt_switches'))
        .reduce((sum, line) => sum + Number(line.split(/\s+/)[1]), 0);
    await sleep(1000); // past the first page's printing
    const before = switches();
    await sleep(5000);
    // Two spare: the JavaScript engine may collect garbage once on a timer of its own.
    expect(switches() - before).toBeLessThanOrEqual(2);
  });

  it('stops with exit 3 when its board is removed, instead of following nothing forever', { timeout: 30_000 }, async () => {
    add('one');
    const follower = follow([]);
    await until(follower, 1);
    rmSync(join(repo.dir, '.git', 'baton'), { recursive: true, force: true });
    const exit = await Promise.race([
      follower.exited,
      new Promise<'still running'>((resolvePromise) => setTimeout(() => resolvePromise('still running'), 10_000)),
    ]);
    expect(exit).not.toBe('still running');
    expect(exit, JSON.stringify(exit)).toMatchObject({ code: 3 });
    // In --json mode the error is the last document on stdout.
    const last = JSON.parse(follower.lines.at(-1) as string) as { error?: { code: string; message: string } };
    expect(last.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/was removed/) });
  });
});
