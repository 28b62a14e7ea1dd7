import { compareRanked, countTransitiveDependents, dependentsIndex, type RankedTask } from '../core/ranking.js';
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
  let dependents: Map<number, number[]> | undefined;
  for (const priority of await tx.readyPriorities(query)) {
    const hubs = await tx.readyCandidates({ ...query, priority, hasOpenDependents: true });
    // One read of the open graph beats a query per node once there are a few hubs to rank.
    if (hubs.length > 0 && !dependents) dependents = dependentsIndex(await tx.openGatingEdges());
    const index = dependents ?? new Map<number, number[]>();
    const ranked = hubs.map((hub) => ({ ...hub, unblocks: countTransitiveDependents(hub.id, index) }));
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
