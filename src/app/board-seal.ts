import { fnv1a64 } from '../core/run/fingerprint.js';
import type { BoardDeps } from './deps.js';

/**
 * What a run knows of its task's board before an attempt: the tables, and the task's history
 * so far. The board lives in the repository's git folder, where an agent without a sandbox can
 * reach it; baton's commands only ever add to a task's history, so a history that lost or
 * changed an event, a task row that vanished or a table that changed was not their doing.
 */
export interface BoardSeal {
  taskId: number;
  schema: string;
  /** The task's events up to `lastEventId`, hashed. */
  historyHash: string;
  lastEventId: number;
}

export async function sealBoard(deps: BoardDeps, taskId: number): Promise<BoardSeal> {
  return deps.store.read(async (tx) => {
    const events = await tx.events({ taskId });
    const lastEventId = events.at(-1)?.id ?? 0;
    return { taskId, schema: await tx.schemaText(), historyHash: fnv1a64(JSON.stringify(events)), lastEventId };
  });
}

/**
 * How the board changed under the run in a way no baton command makes, or null when it did not:
 * the tables were altered, the task row is gone, or the task's history up to the seal differs.
 * A board that cannot be read at all counts too.
 */
export async function boardTampering(deps: BoardDeps, seal: BoardSeal): Promise<string | null> {
  try {
    return await deps.store.read(async (tx) => {
      if ((await tx.schemaText()) !== seal.schema) return "the board's tables were changed";
      if ((await tx.getTask(seal.taskId)) === null) return `task #${seal.taskId} was deleted from the board`;
      const events = (await tx.events({ taskId: seal.taskId })).filter((event) => event.id <= seal.lastEventId);
      if (fnv1a64(JSON.stringify(events)) !== seal.historyHash) return `the history of task #${seal.taskId} on the board was rewritten (events removed or changed)`;
      return null;
    });
  } catch (error) {
    return `the board could not be read: ${(error as Error).message}`;
  }
}
