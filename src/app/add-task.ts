import { isBlockerMet, isGating, type DependencyType } from '../core/dependency.js';
import { recipientsFor } from '../core/event.js';
import type { TaskKind } from '../core/kind.js';
import type { Link } from '../core/link.js';
import type { Priority } from '../core/priority.js';
import type { Resource } from '../core/resource.js';
import { newTaskRecord, type Task } from '../core/task.js';
import type { BoardDeps } from './deps.js';
import { loadTask } from './load-task.js';

/** A new task, already validated field by field by the caller. */
export interface AddTaskInput {
  title: string;
  description: string;
  kind: TaskKind;
  priority: Priority;
  assignee: string | null;
  labels: string[];
  due: string | null;
  parentId: number | null;
  acceptance: string[];
  verify: string[];
  resources: Resource[];
  links: Link[];
  dependsOn: { id: number; type: DependencyType }[];
}

/**
 * Creates a task with its dependencies and its event in one transaction: either all of it
 * lands or none of it does. A task created behind unmet blockers starts `blocked`.
 */
export async function addTask(deps: BoardDeps, input: AddTaskInput): Promise<Task> {
  const now = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    if (input.parentId !== null) await loadTask(tx, input.parentId);
    const targets = await Promise.all(input.dependsOn.map((dependency) => loadTask(tx, dependency.id)));
    const blocked = input.dependsOn.some(
      (dependency, index) => isGating(dependency.type) && !isBlockerMet((targets[index] as Task).status),
    );
    const { dependsOn, ...fields } = input;
    const task = await tx.insertTask(
      newTaskRecord({ ...fields, status: blocked ? 'blocked' : 'open', createdBy: deps.actor, createdAt: now }),
    );
    for (const dependency of dependsOn) {
      await tx.addDependency({ taskId: task.id, dependsOnId: dependency.id, type: dependency.type }, now);
    }
    await tx.appendEvent(
      {
        actor: deps.actor,
        taskId: task.id,
        type: task.kind === 'idea' ? 'idea_created' : 'task_created',
        payload: { title: task.title, status: task.status, priority: task.priority, assignee: task.assignee, dependsOn },
        recipients: recipientsFor(deps.actor, task.assignee),
      },
      now,
    );
    return task;
  });
}
