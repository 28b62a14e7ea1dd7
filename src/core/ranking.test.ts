import { describe, expect, it } from 'vitest';
import type { Priority } from './priority.js';
import {
  countTransitiveDependents, dependentsIndex, explainRank, rankReady, type GatingEdge, type ReadyCandidate,
} from './ranking.js';

function candidate(id: number, priority: Priority, createdAt = '2025-01-01T00:00:00.000Z'): ReadyCandidate {
  return { id, priority, createdAt, assignee: null };
}

function waits(taskId: number, dependsOnId: number): GatingEdge {
  return { taskId, dependsOnId };
}

describe('rankReady', () => {
  it('puts the most urgent priority first, whatever else holds', () => {
    const ranked = rankReady([candidate(1, 3, '2020-01-01T00:00:00Z'), candidate(2, 0, '2030-01-01T00:00:00Z'), candidate(3, 1)], [
      waits(10, 1),
      waits(11, 1),
    ]);
    expect(ranked.map((task) => task.id)).toEqual([2, 3, 1]);
  });

  it('within a priority, puts first the task the most work waits on, counted transitively', () => {
    // 1 unblocks 10 directly and 12 through 10 (2 tasks); 2 unblocks 11 and 13 directly and 12 (3 tasks);
    // 3 unblocks one task.
    const edges = [waits(10, 1), waits(12, 10), waits(11, 2), waits(13, 2), waits(12, 11), waits(14, 3)];
    const ranked = rankReady([candidate(1, 2), candidate(2, 2), candidate(3, 2), candidate(4, 2)], edges);
    expect(ranked.map((task) => [task.id, task.unblocks])).toEqual([[2, 3], [1, 2], [3, 1], [4, 0]]);
  });

  it('counts a task reached by two paths once', () => {
    const edges = [waits(2, 1), waits(3, 1), waits(4, 2), waits(4, 3), waits(5, 4)];
    expect(rankReady([candidate(1, 2)], edges)[0]?.unblocks).toBe(4);
  });

  it('then puts the oldest first, then the lowest id', () => {
    const ranked = rankReady(
      [
        candidate(5, 1, '2025-01-02T00:00:00.000Z'),
        candidate(9, 1, '2025-01-01T00:00:00.000Z'),
        candidate(3, 1, '2025-01-02T00:00:00.000Z'),
        candidate(7, 1, '2025-01-01T00:00:00.000Z'),
      ],
      [],
    );
    expect(ranked.map((task) => task.id)).toEqual([7, 9, 3, 5]);
  });

  it('returns the same order whatever order the candidates and edges arrive in', () => {
    const candidates = [candidate(1, 2), candidate(2, 1), candidate(3, 2, '2024-06-01T00:00:00Z'), candidate(4, 2)];
    const edges = [waits(20, 4), waits(21, 20)];
    const expected = rankReady(candidates, edges);
    expect(rankReady([...candidates].reverse(), [...edges].reverse())).toEqual(expected);
    expect(expected.map((task) => task.id)).toEqual([2, 4, 3, 1]);
  });

  it('returns what the ranking needs to explain itself and nothing else', () => {
    expect(rankReady([{ id: 1, priority: 0, createdAt: 'c', assignee: 'alice' }], [])).toEqual([
      { id: 1, priority: 0, unblocks: 0, createdAt: 'c' },
    ]);
    expect(rankReady([], [waits(1, 2)])).toEqual([]);
  });
});

describe('dependentsIndex and countTransitiveDependents', () => {
  it('indexes who waits on whom and counts each waiting task once, however it is reached', () => {
    const index = dependentsIndex([waits(2, 1), waits(3, 1), waits(4, 2), waits(4, 3), waits(5, 4), waits(7, 6)]);
    expect(index.get(1)).toEqual([2, 3]);
    expect(index.get(4)).toEqual([5]);
    expect(index.has(5)).toBe(false);
    expect(countTransitiveDependents(1, index)).toBe(4);
    expect(countTransitiveDependents(4, index)).toBe(1);
    expect(countTransitiveDependents(5, index)).toBe(0);
    expect(countTransitiveDependents(6, index)).toBe(1);
  });
});

describe('explainRank', () => {
  it('says the position, priority, how much waits and the age', () => {
    const task = { id: 4, priority: 1 as Priority, unblocks: 3, createdAt: '2025-01-01T00:00:00.000Z' };
    expect(explainRank(task, 2)).toBe('#2: priority 1, 3 tasks wait on it, created 2025-01-01T00:00:00.000Z');
    expect(explainRank({ ...task, unblocks: 1 }, 1)).toBe('#1: priority 1, 1 task waits on it, created 2025-01-01T00:00:00.000Z');
    expect(explainRank({ ...task, unblocks: 0 }, 5)).toContain('0 tasks wait on it');
  });
});
