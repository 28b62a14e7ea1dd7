import { blockTask, cancelTask, reopenTask, unblockTask } from '../../app/change-status.js';
import { InvalidInputError } from '../../core/errors.js';
import { validateText } from '../../core/task.js';
import type { CommandSpec } from '../command.js';
import { flag, stringOption } from '../command.js';
import { taskLine } from '../format-task.js';
import { idArgument } from '../input.js';
import { paint } from '../output.js';

const ID = [{ name: 'ID', required: true }] as const;

export const blockCommand: CommandSpec = {
  name: 'block',
  summary: 'mark a task blocked, with the reason',
  args: ID,
  options: [
    { name: 'reason', short: 'm', kind: 'string', value: 'TEXT', help: 'why it is blocked (required)' },
    { name: 'force', kind: 'boolean', help: 'block a task someone else holds' },
  ],
  async run(ctx, { args, options }) {
    const id = idArgument(args[0]);
    const reason = stringOption(options, 'reason');
    if (reason === undefined || reason.trim() === '') {
      throw new InvalidInputError('--reason', 'say why the task is blocked: --reason "waiting on API keys"');
    }
    const task = await blockTask(await ctx.deps(), id, validateText(reason.trim(), '--reason'), flag(options, 'force'));
    return { json: { task }, text: `blocked ${taskLine(task, paint(ctx.color))}` };
  },
};

export const unblockCommand: CommandSpec = {
  name: 'unblock',
  summary: 'lift a manual block',
  args: ID,
  options: [],
  async run(ctx, { args }) {
    const task = await unblockTask(await ctx.deps(), idArgument(args[0]));
    return { json: { task }, text: `unblocked ${taskLine(task, paint(ctx.color))}` };
  },
};

export const cancelCommand: CommandSpec = {
  name: 'cancel',
  summary: 'cancel a task',
  args: ID,
  options: [
    { name: 'reason', short: 'm', kind: 'string', value: 'TEXT', help: 'why' },
    { name: 'force', kind: 'boolean', help: 'cancel a task someone else holds' },
  ],
  async run(ctx, { args, options }) {
    const id = idArgument(args[0]);
    const reason = stringOption(options, 'reason');
    const task = await cancelTask(await ctx.deps(), id, reason === undefined ? null : validateText(reason, '--reason'), flag(options, 'force'));
    return { json: { task }, text: `cancelled ${taskLine(task, paint(ctx.color))}` };
  },
};

export const reopenCommand: CommandSpec = {
  name: 'reopen',
  summary: 'open a done, cancelled or failed task again',
  args: ID,
  options: [],
  async run(ctx, { args }) {
    const task = await reopenTask(await ctx.deps(), idArgument(args[0]));
    return { json: { task }, text: `reopened ${taskLine(task, paint(ctx.color))}` };
  },
};
