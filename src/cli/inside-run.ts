import { BatonError } from '../core/errors.js';
import { NOTES_PATH } from '../core/run/project-config.js';

/**
 * The variable `baton run` sets in its agent's environment: the id of the task the run drives.
 * It is a courtesy, not the guard — a sandboxed run keeps the board out of the agent's reach
 * altogether — but an agent that was told to `baton complete` its task, as agents usually
 * are, learns why it may not before it spoils the run.
 */
export const RUN_TASK_VARIABLE = 'BATON_RUN_TASK';

/**
 * Commands that write the board: inside a run, the board is baton's (a sandboxed run mounts it
 * read-only), and the agent's notes reach it through `.baton/notes.md`. `serve` too: its POST
 * routes claim, note and complete as these commands do.
 */
const MOVES_TASKS = new Set([
  'edit', 'claim', 'start', 'release', 'reap', 'complete', 'done', 'block', 'unblock', 'cancel', 'reopen', 'depend', 'undepend',
  'import', 'run', 'merge', 'queue', 'approve', 'reject', 'gc', 'bind', 'note', 'idea', 'add', 'create', 'ack', 'resolve', 'reserve', 'unreserve', 'heartbeat', 'hb', 'init', 'serve',
]);

/** Refuses a command an agent inside `baton run` may not make: one that writes the board. Reads stay open. */
export function refuseInsideRun(commandName: string, env: Readonly<Record<string, string | undefined>>): void {
  const task = env[RUN_TASK_VARIABLE];
  if (task === undefined || task === '' || !MOVES_TASKS.has(commandName)) return;
  throw new BatonError(
    'ILLEGAL_TRANSITION',
    `\`baton ${commandName}\` is not for an agent inside \`baton run\` (task #${task}): baton's own checks decide when the task is done, and only the run writes the board. Write a note for the task to ${NOTES_PATH} (baton adds it when you stop), and stop when the work is done`,
    { task },
  );
}
