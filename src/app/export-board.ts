import { boardToJsonl, countBoard, type BoardCounts } from '../core/board-jsonl.js';
import type { BoardDeps } from './deps.js';

export interface BoardExport {
  /** JSONL lines without newlines: the header first, then tasks, dependencies, notes, events. */
  lines: string[];
  counts: BoardCounts;
}

/** The whole board as JSONL, read from one snapshot so the lines agree with each other. */
export async function exportBoard(deps: Pick<BoardDeps, 'store' | 'clock'>): Promise<BoardExport> {
  const snapshot = await deps.store.read(async (tx) => ({
    tasks: (await tx.listTasks({})).map(({ version: _version, ...task }) => task),
    dependencies: await tx.allDependencies(),
    notes: await tx.allNotes(),
    events: await tx.events({}),
  }));
  return { lines: boardToJsonl(snapshot, deps.clock.now().toISOString()), counts: countBoard(snapshot) };
}
