import { countBoard, parentFirstOrder, type BoardCounts, type BoardSnapshot } from '../core/board-jsonl.js';
import { BatonError } from '../core/errors.js';
import type { Task } from '../core/task.js';
import type { BoardDeps } from './deps.js';

/**
 * Loads a parsed board file (see parseBoardJsonl) into an empty board in one write
 * transaction: the whole file lands, or nothing does.
 *
 * It appends no event of its own (no `board_imported`): the imported events already tell the
 * board's history, and an extra one would make export → import → export differ.
 */
export async function importBoard(deps: Pick<BoardDeps, 'store'>, snapshot: BoardSnapshot): Promise<BoardCounts> {
  return deps.store.write(async (tx) => {
    const tasks = await tx.countTasks();
    const lastEvent = await tx.lastEventId();
    if (tasks > 0 || lastEvent > 0) {
      throw new BatonError(
        'BOARD_NOT_EMPTY',
        `this board is not empty (${tasks} task${tasks === 1 ? '' : 's'}, ${lastEvent} event${lastEvent === 1 ? '' : 's'}) and was left unchanged; ` +
          'import into a new board instead: baton import FILE --db PATH/TO/new-board.db',
        { tasks, lastEventId: lastEvent },
      );
    }
    const { order, laterParents } = parentFirstOrder(snapshot.tasks);
    const inserted = new Map<number, Task>();
    for (const task of order) inserted.set(task.id, await tx.insertTask(task));
    for (const { id, parentId } of laterParents) await tx.updateTask({ ...(inserted.get(id) as Task), parentId });
    for (const dependency of snapshot.dependencies) {
      const { createdAt, ...edge } = dependency;
      await tx.addDependency(edge, createdAt);
    }
    for (const note of snapshot.notes) await tx.addNote(note);
    for (const event of [...snapshot.events].sort((a, b) => a.id - b.id)) await tx.restoreEvent(event);
    return countBoard(snapshot);
  });
}
