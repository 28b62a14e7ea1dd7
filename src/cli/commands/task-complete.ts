import { completeTask } from '../../app/complete-task.js';
import { validateText } from '../../core/task.js';
import type { CommandSpec } from '../command.js';
import { flag, stringOption } from '../command.js';
import { taskLine } from '../format-task.js';
import { idArgument } from '../input.js';
import { paint } from '../output.js';

export const completeCommand: CommandSpec = {
  name: 'complete',
  aliases: ['done'],
  summary: 'mark a task done; its dependents are unblocked and their assignees told',
  args: [{ name: 'ID', required: true }],
  options: [
    { name: 'message', short: 'm', kind: 'string', value: 'TEXT', help: 'what was done (e.g. "Merged PR #123")' },
    { name: 'force', kind: 'boolean', help: "complete a task someone else holds" },
  ],
  async run(ctx, { args, options }) {
    const id = idArgument(args[0]);
    const message = stringOption(options, 'message');
    const result = await completeTask(await ctx.deps(), id, {
      message: message === undefined ? null : validateText(message, '--message'),
      force: flag(options, 'force'),
    });
    const p = paint(ctx.color);
    const lines = [`completed ${taskLine(result.task, p)}`, ...result.unblocked.map((task) => `unblocked ${taskLine(task, p)}`)];
    return { json: { task: result.task, unblocked: result.unblocked }, text: lines.join('\n') };
  },
};
