import { addNote } from '../../app/notes.js';
import { InvalidInputError } from '../../core/errors.js';
import { validateText } from '../../core/task.js';
import type { CommandSpec } from '../command.js';
import { idArgument } from '../input.js';

export const noteCommand: CommandSpec = {
  name: 'note',
  summary: 'add a note to a task',
  args: [{ name: 'ID', required: true }, { name: 'TEXT', required: true, variadic: true }],
  options: [],
  async run(ctx, { args }) {
    const id = idArgument(args[0]);
    const body = args.slice(1).join(' ').trim();
    if (body === '') throw new InvalidInputError('TEXT', 'the note is empty; write what you want to record');
    const note = await addNote(await ctx.deps(), id, validateText(body, 'TEXT'));
    return { json: { note }, text: `noted on #${id}` };
  },
};
