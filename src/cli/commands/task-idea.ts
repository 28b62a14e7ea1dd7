import { addTask } from '../../app/add-task.js';
import { InvalidInputError } from '../../core/errors.js';
import { parseTaskId } from '../../core/ids.js';
import type { CommandSpec } from '../command.js';
import { stringOption } from '../command.js';
import { TASK_FIELD_OPTIONS, taskInput } from '../input.js';

/**
 * An improvement noticed while working on something else: recorded as a task of kind idea
 * with the file it refers to, so it is not lost and not silently done out of scope.
 */
export const ideaCommand: CommandSpec = {
  name: 'idea',
  summary: 'record an out-of-scope improvement (kind idea) with a file link',
  args: [{ name: 'TITLE', required: true }],
  options: [
    ...TASK_FIELD_OPTIONS.filter((option) => option.name !== 'kind'),
    { name: 'from', kind: 'string', value: 'ID', help: 'the task it was noticed in (a discovered-from link)' },
  ],
  async run(ctx, { args, options }) {
    const from = stringOption(options, 'from');
    const input = taskInput(args[0] as string, options, ctx.clock.now(), { kind: 'idea' });
    if (input.links.length === 0) {
      throw new InvalidInputError('--link', 'an idea needs the file it refers to; add --link path[:line[-line]]');
    }
    if (from !== undefined) input.dependsOn.push({ id: parseTaskId(from, '--from'), type: 'discovered-from' });
    const task = await addTask(await ctx.deps(), input);
    return { json: { task }, text: `recorded idea #${task.id} ${task.title}` };
  },
};
