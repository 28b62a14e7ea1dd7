import { compareRanked, type RankedTask } from '../core/ranking.js';
import type { BoardReader } from './ports.js';

export interface ReadyQueueOptions {
  limit?: number;
  /** Leave out tasks assigned to someone else (what `claim --next` may take). */
  claimableBy?: string;
}

/**
 * The ready queue in `rankReady` order, computed without reading the whole board: priority
 * buckets are visited most urgent first; inside a bucket, tasks other work waits on come
 * first (ranked by how much waits, transitively), then the rest oldest first, and the walk
 * stops as soon as `limit` tasks are found. A property test holds it equal to `rankReady`.
 */
export async function rankedReady(tx: BoardReader, options: ReadyQueueOptions = {}): Promise<RankedTask[]> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const query = options.claimableBy === undefined ? {} : { claimableBy: options.claimableBy };
  const result: RankedTask[] = [];
  const countDependents = transitiveDependentCounter(tx);
  for (const priority of await tx.readyPriorities(query)) {
    const hubs = await tx.readyCandidates({ ...query, priority, hasOpenDependents: true });
    const ranked: RankedTask[] = [];
    for (const hub of hubs) ranked.push({ ...hub, unblocks: await countDependents(hub.id) });
    ranked.sort(compareRanked);
    result.push(...ranked.slice(0, limit - result.length));
    if (result.length >= limit) break;
    const remaining = limit - result.length;
    const rest = await tx.readyCandidates({
      ...query,
      priority,
      hasOpenDependents: false,
      ...(Number.isFinite(remaining) ? { limit: remaining } : {}),
    });
    result.push(...rest.map((candidate) => ({ ...candidate, unblocks: 0 })));
    if (result.length >= limit) break;
  }
  return result.map(({ id, priority, unblocks, createdAt }) => ({ id, priority, unblocks, createdAt }));
}

/** Counts not-closed tasks waiting on a task, directly or through others; memoises edges. */
function transitiveDependentCounter(tx: BoardReader): (id: number) => Promise<number> {
  const edges = new Map<number, number[]>();
  const dependentsOf = async (id: number): Promise<number[]> => {
    let direct = edges.get(id);
    if (!direct) {
      direct = await tx.openDependentIds(id);
      edges.set(id, direct);
    }
    return direct;
  };
  return async (id) => {
    const seen = new Set<number>();
    const stack = [...(await dependentsOf(id))];
    while (stack.length > 0) {
      const current = stack.pop() as number;
      if (seen.has(current)) continue;
      seen.add(current);
      stack.push(...(await dependentsOf(current)));
    }
    return seen.size;
  };
}
