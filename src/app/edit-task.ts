import { BatonError } from '../core/errors.js';
import { recipientsFor } from '../core/event.js';
import { formatLink, type Link } from '../core/link.js';
import { formatResource, type Resource } from '../core/resource.js';
import type { Task } from '../core/task.js';
import type { BoardDeps } from './deps.js';
import { loadTask } from './load-task.js';

/** Field changes, each already validated; list fields can be added to or removed from. */
export interface TaskPatch {
  title?: string;
  description?: string;
  kind?: Task['kind'];
  priority?: Task['priority'];
  assignee?: string | null;
  due?: string | null;
  parentId?: number | null;
  labels?: { set?: string[]; add?: string[]; remove?: string[] };
  acceptance?: string[];
  verify?: string[];
  resources?: { add?: Resource[]; remove?: Resource[] };
  links?: { add?: Link[]; remove?: Link[] };
}

/**
 * Applies a patch to the task as it is inside the write transaction, never to a copy read
 * earlier, so two agents editing different fields at once both keep their change.
 */
export async function editTask(deps: BoardDeps, id: number, patch: TaskPatch): Promise<Task> {
  const nowIso = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    const task = await loadTask(tx, id);
    // An in-progress task's assignee is the holder of its claim: changing it would hand the
    // claim over (or drop it, leaving a lease nobody holds) around claim and release.
    if (task.status === 'in_progress' && patch.assignee !== undefined && patch.assignee !== task.assignee) {
      throw new BatonError(
        'ALREADY_CLAIMED',
        `task #${id} is in progress, held by ${task.assignee ?? 'nobody'}; its assignee is its holder. \`baton release ${id}\` gives it back (--force for someone else's claim), then \`baton claim ${id}\` takes it`,
        { id, assignee: task.assignee },
      );
    }
    if (patch.parentId !== undefined && patch.parentId !== null) {
      if (patch.parentId === id) throw new BatonError('INVALID_INPUT', `--parent: task #${id} cannot be its own parent`);
      // Up the new parent's chain: meeting this task there would close a loop of parents.
      const chain: number[] = [];
      for (let at: Task | null = await loadTask(tx, patch.parentId); at !== null; at = at.parentId === null ? null : await tx.getTask(at.parentId)) {
        chain.push(at.id);
        if (at.parentId === id) {
          throw new BatonError('INVALID_INPUT', `--parent: #${patch.parentId} is below #${id} (${[id, ...chain.slice().reverse()].map((n) => `#${n}`).join(' → ')}), so it cannot be its parent: a loop of parents; give #${patch.parentId} another parent first`);
        }
        if (chain.length > 10_000) break;
      }
    }
    const edited = applyPatch(task, patch);
    const changed = changedFields(task, edited);
    if (changed.length === 0) return task;
    const saved = await tx.updateTask({ ...edited, updatedAt: nowIso });
    await tx.appendEvent(
      {
        actor: deps.actor,
        taskId: id,
        type: 'task_updated',
        payload: { changed, after: Object.fromEntries(changed.map((field) => [field, edited[field]])) },
        recipients: recipientsFor(deps.actor, task.assignee, edited.assignee),
      },
      nowIso,
    );
    return saved;
  });
}

function applyPatch(task: Task, patch: TaskPatch): Task {
  return {
    ...task,
    ...(patch.title !== undefined && { title: patch.title }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.kind !== undefined && { kind: patch.kind }),
    ...(patch.priority !== undefined && { priority: patch.priority }),
    ...(patch.assignee !== undefined && { assignee: patch.assignee }),
    ...(patch.due !== undefined && { due: patch.due }),
    ...(patch.parentId !== undefined && { parentId: patch.parentId }),
    ...(patch.acceptance !== undefined && { acceptance: patch.acceptance }),
    ...(patch.verify !== undefined && { verify: patch.verify }),
    labels: editList(task.labels, patch.labels, (label) => label),
    resources: editList(task.resources, patch.resources, formatResource),
    links: editList(task.links, patch.links, formatLink),
  };
}

function editList<T>(current: T[], change: { set?: T[]; add?: T[]; remove?: T[] } | undefined, key: (item: T) => string): T[] {
  if (!change) return current;
  const removed = new Set((change.remove ?? []).map(key));
  const kept = (change.set ?? current).filter((item) => !removed.has(key(item)));
  const seen = new Set(kept.map(key));
  for (const item of change.add ?? []) {
    if (seen.has(key(item))) continue;
    kept.push(item);
    seen.add(key(item));
  }
  return kept;
}

const EDITABLE: readonly (keyof Task)[] = [
  'title', 'description', 'kind', 'priority', 'assignee', 'due', 'parentId', 'labels', 'acceptance', 'verify', 'resources', 'links',
];

function changedFields(before: Task, after: Task): (keyof Task)[] {
  return EDITABLE.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
}
