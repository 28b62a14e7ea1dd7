import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteBoardStore } from '../src/adapters/db/sqlite-store.js';
import { addTask } from '../src/app/add-task.js';
import { baton, json, makeRepo, type BatonResult } from './helpers/baton.js';
import { CliLane } from './helpers/cli-lane.js';

/**
 * Dozens of processes racing on one board file, each running the CLI's commands one after
 * another without a Node start in between (a lane, see cli-lane.ts), so the writes of different
 * processes overlap far more than Node's start-up would let them; timeouts allow for a loaded
 * 2-core machine.
 */
const RACE_TIMEOUT_MS = 240_000;

interface TaskDoc {
  id: number;
  title: string;
  status: string;
  assignee: string | null;
  labels: string[];
  description: string;
  resources: { mode: string; kind: string; name: string }[];
  version: number;
}
interface EventDoc {
  id: number;
  taskId: number | null;
  type: string;
  actor: string;
}
interface ErrorDoc {
  error: { code: string; message: string };
}

/** Runs `count` commands one after another in a lane of its own; lanes run side by side. */
async function lane(count: number, command: (step: number) => { args: string[]; env?: Record<string, string> }, cwd: string): Promise<BatonResult[]> {
  return inLane(async (process) => {
    const results: BatonResult[] = [];
    for (let step = 0; step < count; step++) {
      const { args, env } = command(step);
      results.push(await process.run(args, { cwd, ...(env && { env }) }));
    }
    return results;
  });
}

async function inLane<T>(work: (lane: CliLane) => Promise<T>): Promise<T> {
  const lane = new CliLane();
  try {
    return await work(lane);
  } finally {
    await lane.close();
  }
}

/**
 * Seeds open tasks through the real store and use case in this process: 300 CLI starts would
 * only add load to a machine the race itself keeps busy.
 */
async function seedOpenTasks(dbPath: string, count: number): Promise<void> {
  const store = SqliteBoardStore.open(dbPath);
  const deps = { store, clock: { now: () => new Date() }, actor: 'seeder' };
  try {
    for (let n = 1; n <= count; n++) {
      await addTask(deps, {
        title: `seed ${n}`, description: '', kind: 'task', priority: 2, assignee: null, labels: [], due: null, parentId: null,
        acceptance: [], verify: [], resources: [], links: [], dependsOn: [],
      });
    }
  } finally {
    await store.close();
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

describe('many processes on one board', () => {
  let repo: ReturnType<typeof makeRepo>;
  beforeEach(() => {
    repo = makeRepo('baton-race-');
    expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
  });
  afterEach(() => repo.cleanup());

  const events = (...filter: string[]): EventDoc[] =>
    json<{ events: EventDoc[] }>(baton(['watch', '--json', ...filter], { cwd: repo.dir })).events;
  const allTasks = (): TaskDoc[] => json<{ tasks: TaskDoc[] }>(baton(['list', '--all', '--json'], { cwd: repo.dir })).tasks;

  it('32 processes adding 20 tasks each persist exactly 640 tasks with unique ids and one event each', { timeout: RACE_TIMEOUT_MS }, async () => {
    const lanes = await Promise.all(
      range(1, 32).map((worker) =>
        lane(20, (step) => ({ args: ['add', `worker ${worker} task ${step}`, '--json'], env: { BATON_AGENT: `adder-${worker}` } }), repo.dir),
      ),
    );
    const results = lanes.flat();
    const failures = results.filter((result) => result.code !== 0);
    expect(failures.map((result) => result.stdout + result.stderr)).toEqual([]);

    const reported = results.map((result) => json<{ task: TaskDoc }>(result).task);
    const reportedIds = reported.map((task) => task.id).sort((a, b) => a - b);
    expect(reportedIds).toEqual(range(1, 640));

    const tasks = allTasks();
    expect(tasks).toHaveLength(640);
    expect(tasks.map((task) => task.id).sort((a, b) => a - b)).toEqual(range(1, 640));
    // Each id holds the title its creator was told it got.
    const titleById = new Map(tasks.map((task) => [task.id, task.title]));
    for (const task of reported) expect(titleById.get(task.id)).toBe(task.title);

    const created = events('--type', 'task_created');
    expect(created).toHaveLength(640);
    expect(created.map((event) => event.taskId).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(range(1, 640));
    const creatorById = new Map(created.map((event) => [event.taskId, event.actor]));
    for (const [index, task] of reported.entries()) {
      expect(creatorById.get(task.id)).toBe(`adder-${Math.floor(index / 20) + 1}`);
    }
  });

  it('16 agents racing `claim --next` over 300 ready tasks claim each exactly once', { timeout: RACE_TIMEOUT_MS }, async () => {
    await seedOpenTasks(repo.db, 300);
    expect(allTasks().filter((task) => task.status === 'open')).toHaveLength(300);

    const claimsBy = new Map<string, number[]>();
    const unexpected: string[] = [];
    await Promise.all(
      range(1, 16).map((racer) => inLane(async (lane) => {
        const agent = `racer-${racer}`;
        const mine: number[] = [];
        claimsBy.set(agent, mine);
        for (;;) {
          const result = await lane.run(['claim', '--next', '--json'], { cwd: repo.dir, env: { BATON_AGENT: agent } });
          if (result.code === 0) {
            mine.push(json<{ task: TaskDoc }>(result).task.id);
            continue;
          }
          if (result.code === 3 && json<ErrorDoc>(result).error.code === 'NOTHING_READY') return;
          unexpected.push(`${agent}: exit ${result.code} ${result.stdout}${result.stderr}`);
          return;
        }
      })),
    );
    expect(unexpected).toEqual([]);

    const claimed = [...claimsBy.values()].flat();
    expect(claimed).toHaveLength(300);
    expect(claimed.sort((a, b) => a - b)).toEqual(range(1, 300));
    // The race is real only if more than one agent won something.
    expect([...claimsBy.values()].filter((ids) => ids.length > 0).length).toBeGreaterThan(1);

    const holderOf = new Map([...claimsBy].flatMap(([agent, ids]) => ids.map((id) => [id, agent] as const)));
    const tasks = allTasks();
    expect(tasks).toHaveLength(300);
    for (const task of tasks) {
      expect(task.status).toBe('in_progress');
      expect(task.assignee).toBe(holderOf.get(task.id));
    }

    const claimEvents = events('--type', 'task_claimed');
    expect(claimEvents).toHaveLength(300);
    expect(new Set(claimEvents.map((event) => event.taskId)).size).toBe(300);
    for (const event of claimEvents) expect(event.actor).toBe(holderOf.get(event.taskId ?? 0));
  });

  it('two processes editing one task at once lose no update', { timeout: RACE_TIMEOUT_MS }, async () => {
    const id = json<{ task: TaskDoc }>(baton(['add', 'contended', '--json'], { cwd: repo.dir })).task.id;
    const edits = 30;
    const [labelling, describing] = await Promise.all([
      lane(edits, (step) => ({ args: ['edit', String(id), '-l', `a${step + 1}`, '--json'], env: { BATON_AGENT: 'labeller' } }), repo.dir),
      lane(
        edits,
        (step) => ({
          args: ['edit', String(id), '-d', `description ${step + 1}`, '-r', `modifies:file:src/f${step + 1}.ts`, '--json'],
          env: { BATON_AGENT: 'describer' },
        }),
        repo.dir,
      ),
    ]);
    const all = [...labelling, ...describing];
    expect(all.filter((result) => result.code !== 0).map((result) => result.stdout + result.stderr)).toEqual([]);

    const task = json<{ task: TaskDoc }>(baton(['show', String(id), '--json'], { cwd: repo.dir })).task;
    expect([...task.labels].sort()).toEqual(range(1, edits).map((n) => `a${n}`).sort());
    expect(task.resources.map((resource) => resource.name).sort()).toEqual(range(1, edits).map((n) => `src/f${n}.ts`).sort());
    expect(task.description).toBe(`description ${edits}`);
    expect(task.version).toBe(1 + 2 * edits);

    const updates = events('--task', String(id), '--type', 'task_updated');
    expect(updates).toHaveLength(all.length);
    expect(updates.filter((event) => event.actor === 'labeller')).toHaveLength(edits);
    expect(updates.filter((event) => event.actor === 'describer')).toHaveLength(edits);
  });
});
