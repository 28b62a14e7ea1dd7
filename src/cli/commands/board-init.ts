import type { CommandSpec } from '../command.js';

export const initCommand: CommandSpec = {
  name: 'init',
  summary: "create this repository's board (safe to run again)",
  args: [],
  options: [],
  async run(ctx) {
    const path = ctx.boardPath();
    const store = ctx.openStore(true);
    const tasks = await store.read((tx) => tx.countTasks());
    return { json: { path, tasks }, text: `board ready at ${path} (${tasks} task${tasks === 1 ? '' : 's'})` };
  },
};
