import { assertNoCycle, isGating, type DependencyType } from '../core/dependency.js';
import { BatonError } from '../core/errors.js';
import { recipientsFor } from '../core/event.js';
import type { Task } from '../core/task.js';
import { syncBlockedState } from './blocked-state.js';
import type { BoardDeps } from './deps.js';
import { loadTask } from './load-task.js';

/** `taskId` depends on `dependsOnId`; refuses self-dependencies and cycles among gating edges. */
export async function addDependency(
  deps: BoardDeps,
  taskId: number,
  dependsOnId: number,
  type: DependencyType,
): Promise<Task> {
  const now = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    const task = await loadTask(tx, taskId);
    await loadTask(tx, dependsOnId);
    // Self-dependency is refused for every type; loops only matter where edges gate readiness.
    const graph = isGating(type) ? await reachableGatingEdges(tx.gatingDependencyIds.bind(tx), dependsOnId) : new Map();
    assertNoCycle(taskId, dependsOnId, (id) => graph.get(id) ?? []);
    await tx.addDependency({ taskId, dependsOnId, type }, now);
    await tx.appendEvent(
      { actor: deps.actor, taskId, type: 'dependency_added', payload: { dependsOn: dependsOnId, type }, recipients: recipientsFor(deps.actor, task.assignee) },
      now,
    );
    return syncBlockedState(tx, task, deps.actor, now);
  });
}

/** The gating edges reachable from `start`, loaded one task at a time (usually a handful). */
async function reachableGatingEdges(
  gatingDependencyIds: (id: number) => Promise<number[]>,
  start: number,
): Promise<Map<number, number[]>> {
  const graph = new Map<number, number[]>();
  const stack = [start];
  while (stack.length > 0) {
    const id = stack.pop() as number;
    if (graph.has(id)) continue;
    const next = await gatingDependencyIds(id);
    graph.set(id, next);
    stack.push(...next);
  }
  return graph;
}

export async function removeDependency(deps: BoardDeps, taskId: number, dependsOnId: number): Promise<Task> {
  const now = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    const task = await loadTask(tx, taskId);
    await loadTask(tx, dependsOnId);
    if (!(await tx.removeDependency(taskId, dependsOnId))) {
      throw new BatonError('NOT_FOUND', `#${taskId} does not depend on #${dependsOnId}; see \`baton show ${taskId}\``, {
        id: taskId,
        dependsOn: dependsOnId,
      });
    }
    await tx.appendEvent(
      { actor: deps.actor, taskId, type: 'dependency_removed', payload: { dependsOn: dependsOnId }, recipients: recipientsFor(deps.actor, task.assignee) },
      now,
    );
    return syncBlockedState(tx, task, deps.actor, now);
  });
}
