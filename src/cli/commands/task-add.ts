import { addTask } from '../../app/add-task.js';
import type { CommandSpec } from '../command.js';
import { TASK_FIELD_OPTIONS, taskInput } from '../input.js';
import { paint } from '../output.js';
import { taskLine } from '../format-task.js';

export const addCommand: CommandSpec = {
  name: 'add',
  aliases: ['create'],
  summary: 'create a task',
  args: [{ name: 'TITLE', required: true }],
  options: TASK_FIELD_OPTIONS,
  async run(ctx, { args, options }) {
    const input = taskInput(args[0] as string, options, ctx.clock.now());
    const task = await addTask(await ctx.deps(), input);
    return { json: { task }, text: `created ${taskLine(task, paint(ctx.color))}` };
  },
};
