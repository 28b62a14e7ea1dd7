import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteBoardStore } from './sqlite-store.js';
import { DEPENDENCY_TYPES, isBlockerMet, isGating, type Dependency } from '../../core/dependency.js';
import type { TaskKind } from '../../core/kind.js';
import type { Priority } from '../../core/priority.js';
import { rankReady, type GatingEdge, type ReadyCandidate } from '../../core/ranking.js';
import { STATUSES, type Status } from '../../core/status.js';
import { newTaskRecord } from '../../core/task.js';
import type { BoardStore, NewTask, ReadyQuery } from '../../app/ports.js';
import { seededRandom } from '../../../test/helpers/seeded-random.js';

const BOARDS = 30;
const LIMITS = [1, 2, 5, 12, undefined] as const;
const AGENTS = ['alice', 'bob', 'nobody-assigned'];

function pick<T>(random: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [value, weight] of weighted) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return (weighted.at(-1) as readonly [T, number])[0];
}

interface Board {
  tasks: (NewTask & { id: number })[];
  dependencies: Dependency[];
}

/**
 * 20-80 tasks. Few distinct creation times and priorities, so ties that only the later sort
 * keys break are common; dependencies follow a random order of the tasks, so there is no cycle.
 */
function randomBoard(random: () => number): Board {
  const count = 20 + Math.floor(random() * 61);
  const tasks = Array.from({ length: count }, (_, index) => {
    const createdAt = new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * (count / 8)) * 60_000).toISOString();
    const task: NewTask & { id: number } = {
      ...newTaskRecord({ title: `task ${index + 1}`, createdBy: 'generator', createdAt }),
      id: index + 1,
      kind: pick<TaskKind>(random, [['task', 6], ['bug', 2], ['feature', 1], ['chore', 1], ['idea', 1]]),
      status: pick<Status>(random, [
        ['open', 10], ['in_progress', 2], ['review', 1], ['done', 3], ['blocked', 2], ['cancelled', 1], ['failed', 1],
      ]),
      priority: pick<Priority>(random, [[0, 1], [1, 2], [2, 4], [3, 2], [4, 1]]),
      assignee: pick<string | null>(random, [[null, 5], ['alice', 2], ['bob', 2], ['dave', 1]]),
    };
    return task;
  });
  const order = tasks.map((task) => task.id).sort(() => random() - 0.5);
  const dependencies: Dependency[] = [];
  for (const [position, taskId] of order.entries()) {
    const targets = new Set<number>();
    const wanted = pick(random, [[0, 3], [1, 3], [2, 2], [3, 1]]);
    for (let attempt = 0; attempt < wanted && position > 0; attempt++) {
      targets.add(order[Math.floor(random() * position)] as number);
    }
    for (const dependsOnId of targets) {
      const type = pick(random, DEPENDENCY_TYPES.map((name) => [name, name === 'blocks' ? 4 : 1] as const));
      dependencies.push({ taskId, dependsOnId, type });
    }
  }
  return { tasks, dependencies };
}

/** What the ready queue means, computed straight from the generated rows. */
function readyModel(board: Board): { candidates: ReadyCandidate[]; edges: GatingEdge[] } {
  const status = new Map(board.tasks.map((task) => [task.id, task.status]));
  const gating = board.dependencies.filter((dependency) => isGating(dependency.type));
  const candidates = board.tasks
    .filter((task) => task.status === 'open' && task.kind !== 'idea')
    .filter((task) => gating.every((edge) => edge.taskId !== task.id || isBlockerMet(status.get(edge.dependsOnId) as Status)))
    .map(({ id, priority, createdAt, assignee }) => ({ id, priority, createdAt, assignee }));
  const edges = gating
    .filter((edge) => !['done', 'cancelled'].includes(status.get(edge.taskId) as Status))
    .map(({ taskId, dependsOnId }) => ({ taskId, dependsOnId }));
  return { candidates, edges };
}

function byEdge(a: GatingEdge, b: GatingEdge): number {
  return a.taskId - b.taskId || a.dependsOnId - b.dependsOnId;
}

/** Random status changes and edge additions/removals, applied to the board and the model alike. */
async function mutate(store: BoardStore, board: Board, random: () => number, steps: number): Promise<void> {
  for (let step = 0; step < steps; step++) {
    const roll = random();
    if (roll < 0.5) {
      const task = board.tasks[Math.floor(random() * board.tasks.length)] as Board['tasks'][number];
      const status = STATUSES[Math.floor(random() * STATUSES.length)] as Status;
      task.status = status;
      await store.write(async (tx) => {
        const stored = await tx.getTask(task.id);
        if (stored) await tx.updateTask({ ...stored, status });
      });
    } else if (roll < 0.75 && board.dependencies.length > 0) {
      const [removed] = board.dependencies.splice(Math.floor(random() * board.dependencies.length), 1);
      if (removed) await store.write((tx) => tx.removeDependency(removed.taskId, removed.dependsOnId));
    } else {
      // Only add edges that keep the gating graph acyclic: from a later to an earlier id.
      const a = 1 + Math.floor(random() * board.tasks.length);
      const b = 1 + Math.floor(random() * board.tasks.length);
      if (a === b) continue;
      const [taskId, dependsOnId] = a > b ? [a, b] : [b, a];
      const type = pick(random, DEPENDENCY_TYPES.map((name) => [name, name === 'blocks' ? 3 : 1] as const));
      const existing = board.dependencies.findIndex((edge) => edge.taskId === taskId && edge.dependsOnId === dependsOnId);
      if (existing >= 0) board.dependencies.splice(existing, 1);
      const reverse = board.dependencies.some((edge) => edge.taskId === dependsOnId && edge.dependsOnId === taskId);
      if (reverse) continue;
      board.dependencies.push({ taskId, dependsOnId, type });
      await store.write((tx) => tx.addDependency({ taskId, dependsOnId, type }, '2025-01-01T00:00:00.000Z'));
    }
  }
}

async function expectQueueMatchesModel(store: BoardStore, board: Board, label: string): Promise<void> {
  const { candidates, edges } = readyModel(board);
  const storeEdges = await store.read((tx) => tx.openGatingEdges());
  expect([...storeEdges].sort(byEdge), `${label}: open gating edges`).toEqual([...edges].sort(byEdge));
  const queue = (query: ReadyQuery) => store.read((tx) => tx.readyQueue(query));
  const expected = rankReady(candidates, edges);
  for (const limit of LIMITS) {
    expect(await queue(limit === undefined ? {} : { limit }), `${label}, limit ${limit}`).toEqual(expected.slice(0, limit));
  }
  for (const agent of AGENTS) {
    const claimable = candidates.filter((candidate) => candidate.assignee === null || candidate.assignee === agent);
    const expectedForAgent = rankReady(claimable, edges);
    for (const limit of LIMITS) {
      const query = limit === undefined ? { claimableBy: agent } : { claimableBy: agent, limit };
      expect(await queue(query), `${label}, ${agent}, limit ${limit}`).toEqual(expectedForAgent.slice(0, limit));
    }
  }
}

describe('the ready queue on random boards equals rankReady', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-ready-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (let seed = 1; seed <= BOARDS; seed++) {
    it(`board #${seed}, as built and after random changes`, async () => {
      const random = seededRandom(seed);
      const board = randomBoard(random);
      const store = SqliteBoardStore.open(join(dir, `board-${seed}.db`), { create: true });
      try {
        await store.write(async (tx) => {
          for (const task of board.tasks) await tx.insertTask(task);
          for (const dependency of board.dependencies) await tx.addDependency(dependency, board.tasks[0]?.createdAt as string);
        });
        await expectQueueMatchesModel(store, board, 'as built');
        for (let round = 1; round <= 3; round++) {
          await mutate(store, board, random, 15);
          await expectQueueMatchesModel(store, board, `after round ${round} of changes`);
        }
      } finally {
        await store.close();
      }
    });
  }

  it('generates boards that exercise every sort key and cut the queue inside it', () => {
    // Guards against a generator that drifts into boards where the property is trivially true.
    const stats = { hubs: 0, readyOver12: 0, tied: 0 };
    for (let seed = 1; seed <= BOARDS; seed++) {
      const { candidates, edges } = readyModel(randomBoard(seededRandom(seed)));
      const ranked = rankReady(candidates, edges);
      stats.hubs += ranked.filter((task) => task.unblocks > 0).length;
      if (ranked.length > 12) stats.readyOver12++;
      const keys = ranked.map((task) => `${task.priority}/${task.unblocks}/${task.createdAt}`);
      if (new Set(keys).size < keys.length) stats.tied++;
    }
    expect(stats.hubs).toBeGreaterThan(BOARDS);
    expect(stats.readyOver12).toBeGreaterThan(BOARDS / 3);
    expect(stats.tied).toBeGreaterThan(BOARDS / 3);
  });
});
