import { addDependency, removeDependency } from '../../app/depend.js';
import { listBlocked } from '../../app/queries.js';
import { parseDependencyType } from '../../core/dependency.js';
import { InvalidInputError } from '../../core/errors.js';
import { parseTaskId } from '../../core/ids.js';
import type { CommandSpec } from '../command.js';
import { stringOption } from '../command.js';
import { assigneeWidth, taskLine } from '../format-task.js';
import { idArgument } from '../input.js';
import { paint } from '../output.js';

function requiredOn(value: string | undefined): number {
  if (value === undefined) throw new InvalidInputError('--on', 'name the task it depends on: --on ID');
  return parseTaskId(value, '--on');
}

export const dependCommand: CommandSpec = {
  name: 'depend',
  summary: 'make task ID wait on another (--on)',
  args: [{ name: 'ID', required: true }],
  options: [
    { name: 'on', kind: 'string', value: 'ID', help: 'the task it depends on' },
    { name: 'type', kind: 'string', value: 'TYPE', help: 'blocks (default) | related | discovered-from | parent-child' },
  ],
  async run(ctx, { args, options }) {
    const id = idArgument(args[0]);
    const on = requiredOn(stringOption(options, 'on'));
    const type = parseDependencyType(stringOption(options, 'type') ?? 'blocks');
    const task = await addDependency(await ctx.deps(), id, on, type);
    return { json: { task, dependsOn: on, type }, text: `#${id} now depends on #${on} (${type}); ${taskLine(task, paint(ctx.color))}` };
  },
};

export const undependCommand: CommandSpec = {
  name: 'undepend',
  summary: 'remove a dependency',
  args: [{ name: 'ID', required: true }],
  options: [{ name: 'on', kind: 'string', value: 'ID', help: 'the task it should no longer depend on' }],
  async run(ctx, { args, options }) {
    const id = idArgument(args[0]);
    const on = requiredOn(stringOption(options, 'on'));
    const task = await removeDependency(await ctx.deps(), id, on);
    return { json: { task, removed: on }, text: `#${id} no longer depends on #${on}; ${taskLine(task, paint(ctx.color))}` };
  },
};

export const blockedCommand: CommandSpec = {
  name: 'blocked',
  summary: 'list blocked tasks and what blocks each',
  board: 'read',
  args: [],
  options: [],
  async run(ctx) {
    const blocked = await listBlocked({ store: ctx.openStore() });
    const p = paint(ctx.color);
    const width = assigneeWidth(blocked.map(({ task }) => task));
    const text = blocked.length === 0
      ? 'nothing is blocked'
      : blocked
          .map(({ task, blockers }) => {
            const why = [
              ...(task.blockReason ? [`reason: ${task.blockReason}`] : []),
              ...blockers.map((blocker) => `waits on #${blocker.id} ${blocker.title} [${blocker.status}]`),
            ];
            return [taskLine(task, p, width), ...why.map((line) => `       ${line}`)].join('\n');
          })
          .join('\n');
    return {
      json: { tasks: blocked.map(({ task, blockers }) => ({ ...task, blockers })), count: blocked.length },
      text,
    };
  },
};
