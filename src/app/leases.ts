import { BatonError } from '../core/errors.js';
import { leaseExpiry } from '../core/lease.js';
import { leaseLoss, type LeaseLoss } from '../core/lease-loss.js';
import type { Task } from '../core/task.js';
import { returnToQueue } from './blocked-state.js';
import type { BoardDeps } from './deps.js';
import { loadTask } from './load-task.js';
import type { BoardWriter } from './ports.js';

/** The actor recorded for what baton does on its own, such as reaping a dead agent's lease. */
export const SYSTEM_ACTOR = 'baton';

/**
 * Returns every task whose lease ran out to `open`, unassigned, and tells the former
 * assignee with a `lease_expired` event. Reads first, so the common case takes no write lock.
 */
export async function reapExpiredLeases(deps: BoardDeps): Promise<Task[]> {
  const nowIso = deps.clock.now().toISOString();
  const expired = await deps.store.read((tx) => tx.expiredLeases(nowIso));
  if (expired.length === 0) return [];
  return deps.store.write((tx) => reapWithin(tx, nowIso));
}

/** Reaps inside an open write transaction (claims do this before they look at the queue). */
export async function reapWithin(tx: BoardWriter, nowIso: string): Promise<Task[]> {
  const reaped: Task[] = [];
  for (const task of await tx.expiredLeases(nowIso)) {
    const payload = { formerAssignee: task.assignee, leaseExpiresAt: task.leaseExpiresAt };
    reaped.push(await returnToQueue(tx, task, { actor: SYSTEM_ACTOR, type: 'lease_expired', payload }, nowIso));
  }
  return reaped;
}

export interface HeartbeatResult {
  /** The leases renewed. */
  renewed: Task[];
  /** Tasks this agent held and lost since it last heard (reaped, released, taken, closed). */
  lost: LeaseLoss[];
}

/**
 * Renews the leases of the given tasks, or of every task the actor holds when none is named.
 * No event for a renewal: it changes nothing anyone else needs to react to, and one per minute
 * per agent would drown the feed. Without ids it also reports every task the agent lost since
 * it was last told (see leaseLoss), and records a `lease_lost` event for each, in the same
 * transaction, so the next heartbeat does not report it again.
 */
export async function heartbeat(deps: BoardDeps, ids: readonly number[], ttlMs: number): Promise<HeartbeatResult> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  return deps.store.write(async (tx) => {
    const tasks = ids.length > 0
      ? await Promise.all(ids.map((id) => loadTask(tx, id)))
      : await tx.listTasks({ statuses: ['in_progress'], assignee: deps.actor });
    const renewed: Task[] = [];
    for (const task of tasks) {
      if (task.status !== 'in_progress' || task.assignee !== deps.actor) throw await notHeld(tx, deps.actor, task);
      renewed.push(await tx.updateTask({ ...task, leaseExpiresAt: leaseExpiry(now, ttlMs) }));
    }
    if (ids.length > 0) return { renewed, lost: [] };
    const lost = await lostLeases(tx, deps.actor);
    for (const loss of lost) {
      await tx.appendEvent({ actor: deps.actor, taskId: loss.taskId, type: 'lease_lost', payload: { reason: loss.reason, endedBy: loss.endedBy }, recipients: [] }, nowIso);
    }
    return { renewed, lost };
  });
}

/**
 * The tasks `agent` claimed, does not hold now, and has not been told it lost. The claims come
 * from the feed (every claim writes `task_claimed`), so no column has to be kept in step.
 */
async function lostLeases(tx: BoardWriter, agent: string): Promise<LeaseLoss[]> {
  const lastClaim = new Map<number, number>();
  for (const event of await tx.events({ types: ['task_claimed'], actor: agent })) {
    if (event.taskId !== null) lastClaim.set(event.taskId, event.id);
  }
  const lost: LeaseLoss[] = [];
  for (const task of await tx.getTasks([...lastClaim.keys()])) {
    if (task.status === 'in_progress' && task.assignee === agent) continue;
    const loss = leaseLoss(agent, task.id, await tx.events({ taskId: task.id, afterId: lastClaim.get(task.id) as number }));
    if (loss) lost.push(loss);
  }
  return lost.sort((a, b) => a.taskId - b.taskId);
}

async function notHeld(tx: BoardWriter, agent: string, task: Task): Promise<BatonError> {
  const now = `it is ${task.status}${task.assignee ? `, assigned to ${task.assignee}` : ''}`;
  const [claim] = (await tx.events({ taskId: task.id, types: ['task_claimed'], actor: agent })).slice(-1);
  const loss = claim ? leaseLoss(agent, task.id, await tx.events({ taskId: task.id, afterId: claim.id })) : null;
  const message = loss
    ? `you lost task #${task.id}: ${loss.reason}; ${now}. Stop working on it, or claim it again with \`baton claim ${task.id}\``
    : `task #${task.id} is not held by ${agent} (${now}); claim it again with \`baton claim ${task.id}\``;
  return new BatonError('CONFLICT', message, { id: task.id, status: task.status, assignee: task.assignee, lost: loss });
}

/** Gives a held task back to the queue. Only its holder may, unless `force`. */
export async function releaseTask(deps: BoardDeps, id: number, force: boolean): Promise<Task> {
  const nowIso = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    const task = await loadTask(tx, id);
    if (task.status !== 'in_progress') throw notReleasable(task, (await tx.unmetBlockers(id)).length > 0);
    if (task.assignee !== deps.actor && !force) {
      throw new BatonError(
        'ALREADY_CLAIMED',
        `task #${id} is held by ${task.assignee ?? 'nobody'}, not ${deps.actor}; pass --force to release it anyway`,
        { id, assignee: task.assignee },
      );
    }
    return returnToQueue(tx, task, { actor: deps.actor, type: 'task_released', payload: { formerAssignee: task.assignee } }, nowIso);
  });
}

/**
 * `release` gives back a claim and nothing else: on a task nobody holds it would silently
 * reopen finished work or lift a block, so it names the command that does what was meant.
 */
function notReleasable(task: Task, waitsOnDependencies: boolean): BatonError {
  const id = task.id;
  const instead: Record<Exclude<Task['status'], 'in_progress'>, string> = {
    open: `nobody holds it; \`baton claim ${id}\` takes it`,
    review: `it waits for review; \`baton complete ${id}\` accepts it, \`baton reopen ${id}\` opens it again`,
    done: `to work on it again, \`baton reopen ${id}\``,
    cancelled: `to bring it back, \`baton reopen ${id}\``,
    failed: `to try it again, \`baton reopen ${id}\``,
    blocked: task.blockReason !== null
      ? `it is blocked by hand (${task.blockReason}); \`baton unblock ${id}\` lifts the block`
      : waitsOnDependencies
        ? `it waits on its dependencies and opens by itself when they are done or cancelled (\`baton blocked\` shows them; \`baton undepend ${id} --on ID\` drops one)`
        : `\`baton unblock ${id}\` opens it`,
  };
  const status = task.status as Exclude<Task['status'], 'in_progress'>;
  return new BatonError('ILLEGAL_TRANSITION', `task #${id} is ${status}, not in progress, so there is no claim to release; ${instead[status]}`, {
    id,
    status,
  });
}
