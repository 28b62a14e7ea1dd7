import { describe, expect, it } from 'vitest';
import {
  DEPENDENCY_TYPES, assertNoCycle, isBlockerMet, isClosed, isGating, parseDependencyType,
} from './dependency.js';
import type { BatonError } from './errors.js';

/** `graph[id]` lists what `id` depends on. */
function lookup(graph: Record<number, number[]>): (id: number) => readonly number[] {
  return (id) => graph[id] ?? [];
}

function cycleError(taskId: number, dependsOnId: number, graph: Record<number, number[]>): BatonError {
  try {
    assertNoCycle(taskId, dependsOnId, lookup(graph));
  } catch (error) {
    return error as BatonError;
  }
  throw new Error(`#${taskId} → #${dependsOnId} was accepted`);
}

describe('assertNoCycle', () => {
  it('refuses a task depending on itself, naming --on', () => {
    const error = cycleError(3, 3, {});
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe('--on: task #3 cannot depend on itself; name another task');
  });

  it('refuses a two-task loop and shows it', () => {
    const error = cycleError(1, 2, { 2: [1] });
    expect(error.code).toBe('DEPENDENCY_CYCLE');
    expect(error.details).toEqual({ cycle: [1, 2, 1] });
    expect(error.message).toContain('#1 depending on #2 would make a cycle: #1 → #2 → #1');
    expect(error.message).toContain('baton undepend');
  });

  it('prints a long loop in the order the dependencies run, ignoring side branches', () => {
    // 1 → 2 → 3 → (6 or 7) → 4 → 5, with dead ends (8, 9) hanging off 2 and 3.
    const graph = { 1: [2], 2: [8, 3], 3: [6, 7, 9], 6: [4], 7: [4], 4: [5], 8: [9] };
    const error = cycleError(5, 1, graph);
    expect(error.code).toBe('DEPENDENCY_CYCLE');
    const cycle = (error.details as { cycle: number[] }).cycle;
    expect(cycle[0]).toBe(5);
    expect(cycle.at(-1)).toBe(5);
    expect([[5, 1, 2, 3, 6, 4, 5], [5, 1, 2, 3, 7, 4, 5]]).toContainEqual(cycle);
    // Every step of the printed loop is a real edge.
    for (let index = 0; index < cycle.length - 2; index++) {
      expect(lookup(graph)(cycle[index + 1] as number)).toContain(cycle[index + 2]);
    }
    expect(error.message).toContain(`would make a cycle: ${cycle.map((id) => `#${id}`).join(' → ')};`);
  });

  it('accepts edges that close no loop: a chain extended, a diamond, a shared dependency', () => {
    const graph = { 1: [2, 3], 2: [4], 3: [4] };
    expect(() => assertNoCycle(4, 5, lookup(graph))).not.toThrow();
    expect(() => assertNoCycle(5, 1, lookup(graph))).not.toThrow();
    expect(() => assertNoCycle(2, 3, lookup(graph))).not.toThrow();
    expect(() => assertNoCycle(1, 4, lookup(graph))).not.toThrow();
  });

  it('terminates on a graph that already holds a loop elsewhere', () => {
    expect(() => assertNoCycle(9, 1, lookup({ 1: [2], 2: [1] }))).not.toThrow();
  });
});

describe('dependency types', () => {
  it('gates readiness only for blocks and parent-child', () => {
    expect(DEPENDENCY_TYPES.filter(isGating)).toEqual(['blocks', 'parent-child']);
  });

  it('parses every type, with _ for - and in any case', () => {
    for (const type of DEPENDENCY_TYPES) expect(parseDependencyType(type.toUpperCase())).toBe(type);
    expect(parseDependencyType('discovered_from')).toBe('discovered-from');
    expect(parseDependencyType(' parent_child ')).toBe('parent-child');
  });

  it('refuses an unknown type, naming the field and the types', () => {
    expect(() => parseDependencyType('needs')).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        field: '--type',
        message: "--type: unknown dependency type 'needs'; use one of blocks, related, discovered-from, parent-child",
      }),
    );
  });

  it('meets a blocker once it is closed (done or cancelled), and closes only done and cancelled tasks', () => {
    expect(isBlockerMet('done')).toBe(true);
    expect(isBlockerMet('cancelled')).toBe(true);
    for (const status of ['open', 'in_progress', 'review', 'blocked', 'failed'] as const) {
      expect(isBlockerMet(status)).toBe(false);
    }
    expect(isClosed('done')).toBe(true);
    expect(isClosed('cancelled')).toBe(true);
    expect(isClosed('failed')).toBe(false);
    expect(isClosed('review')).toBe(false);
  });
});
