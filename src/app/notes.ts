import { recipientsFor } from '../core/event.js';
import type { Note } from '../core/task.js';
import type { BoardDeps } from './deps.js';
import { loadTask } from './load-task.js';

export async function addNote(deps: BoardDeps, taskId: number, body: string): Promise<Note> {
  const nowIso = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    const task = await loadTask(tx, taskId);
    const note = await tx.addNote({ taskId, author: deps.actor, body, createdAt: nowIso });
    await tx.appendEvent(
      { actor: deps.actor, taskId, type: 'note_added', payload: { noteId: note.id, body }, recipients: recipientsFor(deps.actor, task.assignee) },
      nowIso,
    );
    return note;
  });
}
