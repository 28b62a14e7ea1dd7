import { showTask, taskLog } from '../../app/queries.js';
import type { CommandSpec } from '../command.js';
import { eventLine, taskDetailText } from '../format-task.js';
import { idArgument } from '../input.js';
import { paint } from '../output.js';

export const showCommand: CommandSpec = {
  name: 'show',
  summary: 'show one task with its dependencies and notes',
  board: 'read',
  args: [{ name: 'ID', required: true }],
  options: [],
  async run(ctx, { args }) {
    const detail = await showTask({ store: ctx.openStore() }, idArgument(args[0]));
    return { json: { ...detail }, text: () => taskDetailText(detail, paint(ctx.color)) };
  },
};

export const logCommand: CommandSpec = {
  name: 'log',
  summary: "one task's timeline, oldest first",
  board: 'read',
  args: [{ name: 'ID', required: true }],
  options: [],
  async run(ctx, { args }) {
    const events = await taskLog({ store: ctx.openStore() }, idArgument(args[0]));
    const p = paint(ctx.color);
    return { json: { events }, text: events.map((event) => eventLine(event, p)).join('\n') };
  },
};
