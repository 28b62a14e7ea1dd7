import { collisionsWith } from '../core/collision.js';
import { BatonError } from '../core/errors.js';
import { recipientsFor } from '../core/event.js';
import { leaseExpiry } from '../core/lease.js';
import { applyStatus } from '../core/task-status.js';
import type { Task } from '../core/task.js';
import type { BoardDeps } from './deps.js';
import { reapWithin } from './leases.js';
import { loadTask } from './load-task.js';
import type { BoardWriter } from './ports.js';
import { hasImpactSurface, IN_FLIGHT, impactSubjects, subjectOf } from './impact-subjects.js';
import { readyWithCollisions } from './ready-with-collisions.js';
import { readdressFindings } from './record-findings.js';

export interface ClaimOptions {
  ttlMs: number;
  /** Refuse, instead of warning, when the task collides with running work. */
  strict: boolean;
  /** The linked worktree the claim was made from; binds the task to it. */
  worktree: string | null;
  branch: string | null;
}

export interface ClaimResult {
  task: Task;
  /** True when the actor already held the task and the claim only renewed the lease. */
  renewed: boolean;
  /** Running tasks whose resources or changes this task's declared resources or links overlap. */
  collisions: { taskId: number; reason: string }[];
}

/**
 * Claims one task: the readiness check and the write happen in one IMMEDIATE transaction, so
 * two agents can never both hold it. Claiming a task you already hold renews the lease.
 */
export async function claimTask(deps: BoardDeps, id: number, options: ClaimOptions): Promise<ClaimResult> {
  const now = deps.clock.now();
  return deps.store.write(async (tx) => {
    await reapWithin(tx, now.toISOString());
    return claimWithin(tx, deps.actor, await loadTask(tx, id), options, now);
  });
}

/** Claims the best ready task this agent may take; NOTHING_READY when the queue is empty. */
export async function claimNext(deps: BoardDeps, options: ClaimOptions): Promise<ClaimResult> {
  const now = deps.clock.now();
  return deps.store.write(async (tx) => {
    await reapWithin(tx, now.toISOString());
    const [best] = await readyWithCollisions(tx, { limit: 1, claimableBy: deps.actor });
    if (!best) {
      throw new BatonError('NOTHING_READY', 'nothing ready to claim: every open task is blocked, claimed, or assigned to someone else');
    }
    return claimWithin(tx, deps.actor, await loadTask(tx, best.id), options, now);
  });
}

async function claimWithin(tx: BoardWriter, actor: string, task: Task, options: ClaimOptions, now: Date): Promise<ClaimResult> {
  const nowIso = now.toISOString();
  const lease = leaseExpiry(now, options.ttlMs);
  if (task.status === 'in_progress' && task.assignee === actor) {
    const renewed = await tx.updateTask({ ...task, leaseExpiresAt: lease, ...binding(task, options) });
    return { task: renewed, renewed: true, collisions: [] };
  }
  await assertClaimable(tx, task);
  const collisions = await collisionsOf(tx, task);
  if (collisions.length > 0 && options.strict) {
    throw new BatonError(
      'CONFLICT',
      `task #${task.id} collides with running work: ${collisions.map((collision) => collision.reason).join('; ')}; ` +
        'claim it without --strict to take it anyway, or pick another',
      { id: task.id, collisions },
    );
  }
  const claimed = await tx.updateTask({
    ...applyStatus(task, 'in_progress', nowIso),
    assignee: actor,
    leaseExpiresAt: lease,
    ...binding(task, options),
  });
  await readdressFindings(tx, task.id, actor, actor, nowIso);
  await tx.appendEvent(
    {
      actor,
      taskId: task.id,
      type: 'task_claimed',
      payload: { leaseExpiresAt: lease, worktree: claimed.worktree, branch: claimed.branch },
      recipients: recipientsFor(actor, task.assignee),
    },
    nowIso,
  );
  return { task: claimed, renewed: false, collisions };
}

async function collisionsOf(tx: BoardWriter, task: Task): Promise<{ taskId: number; reason: string }[]> {
  const candidate = subjectOf(task, []);
  if (!hasImpactSurface(candidate)) return [];
  const running = await impactSubjects(tx, await tx.listTasks({ statuses: IN_FLIGHT, withImpactSurface: true }));
  return collisionsWith(candidate, running.filter((other) => other.id !== task.id));
}

function binding(task: Task, options: ClaimOptions): Pick<Task, 'worktree' | 'branch'> {
  return { worktree: options.worktree ?? task.worktree, branch: options.branch ?? task.branch };
}

async function assertClaimable(tx: BoardWriter, task: Task): Promise<void> {
  if (task.status === 'in_progress') {
    throw new BatonError(
      'ALREADY_CLAIMED',
      `task #${task.id} is already claimed by ${task.assignee ?? 'another agent'} (lease until ${task.leaseExpiresAt ?? 'unknown'}); ` +
        'pick another with `baton claim --next`',
      { id: task.id, assignee: task.assignee, leaseExpiresAt: task.leaseExpiresAt },
    );
  }
  if (task.status === 'blocked' || task.status === 'open') {
    const blockers = await tx.unmetBlockers(task.id);
    if (blockers.length > 0) {
      const names = blockers.map((blocker) => `#${blocker.id} '${blocker.title}' (${blocker.status})`).join(', ');
      throw new BatonError('DEPENDENCIES_UNMET', `task #${task.id} is waiting on ${names}; finish those first or pick another task`, {
        id: task.id,
        blockers,
      });
    }
    if (task.status === 'blocked') {
      throw new BatonError('CONFLICT', `task #${task.id} is blocked: ${task.blockReason ?? 'no reason given'}; \`baton unblock ${task.id}\` first`, {
        id: task.id,
        reason: task.blockReason,
      });
    }
    // A task assigned but not started is a plan, not a claim: naming it takes it over, and
    // the event tells the planned assignee. `claim --next` never picks such a task.
    return;
  }
  if (task.status === 'review') {
    throw new BatonError('CONFLICT', `task #${task.id} is in review; complete it, or reopen it to work on it again`, { id: task.id });
  }
  // done, cancelled, failed: the transition table names what is possible instead.
  applyStatus(task, 'in_progress', '');
}
