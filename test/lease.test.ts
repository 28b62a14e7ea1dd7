import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baton, batonAsync, json, makeRepo, type BatonResult } from './helpers/baton.js';

interface TaskDoc {
  id: number;
  status: string;
  assignee: string | null;
  leaseExpiresAt: string | null;
}
interface EventDoc {
  id: number;
  actor: string;
  taskId: number | null;
  type: string;
  payload: Record<string, unknown>;
  recipients: string[];
}
interface ErrorDoc {
  error: { code: string; message: string };
}

/** Leases measured in seconds on a loaded machine: every wait is past a lease, never a race with one. */
const LEASE_TIMEOUT_MS = 60_000;

async function waitPast(iso: string | null): Promise<void> {
  if (iso === null) throw new Error('the task has no lease');
  const remaining = Date.parse(iso) - Date.now();
  await sleep(Math.max(0, remaining) + 150);
}

describe('leases', () => {
  let repo: ReturnType<typeof makeRepo>;
  beforeEach(() => {
    repo = makeRepo('baton-lease-');
    expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
  });
  afterEach(() => repo.cleanup());

  const as = (agent: string, ...args: string[]): BatonResult => baton(args, { cwd: repo.dir, env: { BATON_AGENT: agent } });
  const add = (title: string): number => json<{ task: TaskDoc }>(as('planner', 'add', title, '--json')).task.id;
  const show = (id: number): TaskDoc => json<{ task: TaskDoc }>(as('observer', 'show', String(id), '--json')).task;
  const claim = (agent: string, id: number, ttl = '30m'): { task: TaskDoc; renewed: boolean } => {
    const result = as(agent, 'claim', String(id), '--ttl', ttl, '--json');
    expect(result.code, result.stdout).toBe(0);
    return json<{ task: TaskDoc; renewed: boolean }>(result);
  };
  // `watch` without --follow only reads the feed; it never reaps.
  const events = (id: number, type?: string): EventDoc[] =>
    json<{ events: EventDoc[] }>(as('observer', 'watch', '--json', '--task', String(id), ...(type ? ['--type', type] : []))).events;

  /** A task agent-a held with a one-second lease that has now run out. */
  async function expiredClaim(): Promise<number> {
    const id = add('lease runs out');
    const { task } = claim('agent-a', id, '1s');
    expect(task).toMatchObject({ status: 'in_progress', assignee: 'agent-a' });
    await waitPast(task.leaseExpiresAt);
    expect(events(id, 'lease_expired')).toEqual([]);
    return id;
  }

  function expectReapedOnce(id: number): void {
    const expired = events(id, 'lease_expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ actor: 'baton', recipients: ['agent-a'], payload: { formerAssignee: 'agent-a' } });
  }

  it.each([
    { name: 'ready', command: ['ready', '--json'], shows: (doc: { tasks: TaskDoc[] }, id: number) => expect(doc.tasks.map((task) => task.id)).toContain(id) },
    {
      name: 'list',
      command: ['list', '--json'],
      shows: (doc: { tasks: TaskDoc[] }, id: number) => expect(doc.tasks.find((task) => task.id === id)).toMatchObject({ status: 'open', assignee: null }),
    },
    { name: 'reap', command: ['reap', '--json'], shows: (doc: { tasks: TaskDoc[] }, id: number) => expect(doc.tasks.map((task) => task.id)).toEqual([id]) },
  ])('$name reaps an expired lease once, telling the former holder', { timeout: LEASE_TIMEOUT_MS }, async ({ command, shows }) => {
    const id = await expiredClaim();
    const result = as('observer', ...command);
    expect(result.code).toBe(0);
    shows(json<{ tasks: TaskDoc[] }>(result), id);
    expect(show(id)).toMatchObject({ status: 'open', assignee: null, leaseExpiresAt: null });
    expectReapedOnce(id);

    for (const again of [['ready'], ['list'], ['reap'], command]) expect(as('observer', ...again).code).toBe(0);
    expectReapedOnce(id);
  });

  it('`claim --next` reaps an expired lease and then claims the task', { timeout: LEASE_TIMEOUT_MS }, async () => {
    const id = await expiredClaim();
    const result = as('agent-b', 'claim', '--next', '--json');
    expect(result.code).toBe(0);
    expect(json<{ task: TaskDoc; renewed: boolean }>(result)).toMatchObject({ task: { id, status: 'in_progress', assignee: 'agent-b' }, renewed: false });
    expectReapedOnce(id);
    const types = events(id).map((event) => `${event.type}:${event.actor}`);
    expect(types.slice(-2)).toEqual(['lease_expired:baton', 'task_claimed:agent-b']);
  });

  it('several commands reaping at once record one lease_expired event', { timeout: LEASE_TIMEOUT_MS }, async () => {
    const id = await expiredClaim();
    const commands = [['reap'], ['ready'], ['list'], ['reap'], ['list'], ['ready'], ['reap'], ['list']];
    const results = await Promise.all(commands.map((args) => batonAsync([...args, '--json'], { cwd: repo.dir, env: { BATON_AGENT: 'observer' } })));
    expect(results.map((result) => result.code)).toEqual(commands.map(() => 0));
    const reapers = results.filter((result, index) => commands[index]?.[0] === 'reap' && json<{ tasks: TaskDoc[] }>(result).tasks.length > 0);
    expect(reapers.length).toBeLessThanOrEqual(1);
    expectReapedOnce(id);
    expect(show(id)).toMatchObject({ status: 'open', assignee: null });
  });

  it('heartbeat renews a lease so it is not reaped after the original expiry', { timeout: LEASE_TIMEOUT_MS }, async () => {
    const id = add('kept alive');
    const other = add('also held');
    // The long lease first: a claim reaps expired leases, so the short one must not run out
    // before the heartbeat even on a slow machine.
    const long = claim('agent-a', other, '10m').task;
    const first = claim('agent-a', id, '3s').task;
    // No ids: every task agent-a holds is renewed.
    const beat = as('agent-a', 'heartbeat', '--ttl', '1h', '--json');
    expect(beat.code).toBe(0);
    const renewed = new Map(json<{ tasks: TaskDoc[] }>(beat).tasks.map((task) => [task.id, Date.parse(task.leaseExpiresAt ?? '')]));
    expect([...renewed.keys()].sort((a, b) => a - b)).toEqual([id, other]);
    expect(renewed.get(id)).toBeGreaterThan(Date.parse(first.leaseExpiresAt ?? ''));
    expect(renewed.get(other)).toBeGreaterThan(Date.parse(long.leaseExpiresAt ?? ''));

    await waitPast(first.leaseExpiresAt);
    expect(json<{ tasks: TaskDoc[] }>(as('observer', 'reap', '--json')).tasks).toEqual([]);
    expect(as('observer', 'list', '--json').code).toBe(0);
    expect(show(id)).toMatchObject({ status: 'in_progress', assignee: 'agent-a' });
    expect(show(other)).toMatchObject({ status: 'in_progress', assignee: 'agent-a' });
    expect(events(id, 'lease_expired')).toEqual([]);

    // An id names just that task.
    const single = json<{ tasks: TaskDoc[] }>(as('agent-a', 'heartbeat', String(id), '--ttl', '5m', '--json')).tasks;
    expect(single.map((task) => task.id)).toEqual([id]);
  });

  it('heartbeat on a task you do not hold exits 4 and leaves the lease alone', () => {
    const id = add('held by a');
    const lease = claim('agent-a', id).task.leaseExpiresAt;
    const foreign = as('agent-b', 'heartbeat', String(id), '--json');
    expect(foreign.code).toBe(4);
    expect(json<ErrorDoc>(foreign).error.code).toBe('CONFLICT');
    expect(json<ErrorDoc>(foreign).error.message).toContain('agent-a');
    expect(show(id)).toMatchObject({ assignee: 'agent-a', leaseExpiresAt: lease });

    const open = add('nobody holds this');
    expect(as('agent-a', 'heartbeat', String(open)).code).toBe(4);
    expect(show(open)).toMatchObject({ status: 'open', leaseExpiresAt: null });
  });

  it('release gives the task back to the queue; only its holder may', () => {
    const id = add('handed back');
    claim('agent-a', id);
    const stranger = as('agent-b', 'release', String(id), '--json');
    expect(stranger.code).toBe(4);
    expect(json<ErrorDoc>(stranger).error.code).toBe('ALREADY_CLAIMED');
    expect(show(id).assignee).toBe('agent-a');

    const released = as('agent-a', 'release', String(id), '--json');
    expect(released.code).toBe(0);
    expect(json<{ task: TaskDoc }>(released).task).toMatchObject({ id, status: 'open', assignee: null, leaseExpiresAt: null });
    expect(show(id)).toMatchObject({ status: 'open', assignee: null, leaseExpiresAt: null });
    expect(events(id, 'task_released')).toHaveLength(1);
    expect(json<{ tasks: TaskDoc[] }>(as('agent-b', 'ready', '--json')).tasks.map((task) => task.id)).toContain(id);
    expect(json<{ task: TaskDoc }>(as('agent-b', 'claim', '--next', '--json')).task).toMatchObject({ id, assignee: 'agent-b' });
  });

  it('re-claiming your own task renews the lease without a second claim event', { timeout: LEASE_TIMEOUT_MS }, async () => {
    const id = add('mine twice');
    const first = claim('agent-a', id, '10m');
    expect(first.renewed).toBe(false);
    await sleep(20);
    const second = claim('agent-a', id, '20m');
    expect(second.renewed).toBe(true);
    expect(second.task).toMatchObject({ id, status: 'in_progress', assignee: 'agent-a' });
    expect(Date.parse(second.task.leaseExpiresAt ?? '')).toBeGreaterThan(Date.parse(first.task.leaseExpiresAt ?? ''));
    expect(events(id, 'task_claimed')).toHaveLength(1);
  });

  it('claiming a task another agent holds exits 4 naming the holder', () => {
    const id = add('contested');
    claim('agent-a', id);
    const refused = as('agent-b', 'claim', String(id), '--json');
    expect(refused.code).toBe(4);
    expect(json<ErrorDoc>(refused).error).toMatchObject({ code: 'ALREADY_CLAIMED', message: expect.stringContaining('agent-a') });
    const plain = as('agent-b', 'claim', String(id));
    expect(plain.code).toBe(4);
    expect(plain.stderr).toMatch(/^baton: .*agent-a/);
    expect(show(id)).toMatchObject({ status: 'in_progress', assignee: 'agent-a' });
    expect(events(id, 'task_claimed')).toHaveLength(1);
  });
});
