import { editTask, type TaskPatch } from '../../app/edit-task.js';
import { InvalidInputError } from '../../core/errors.js';
import { parseDueDate } from '../../core/due-date.js';
import { parseTaskId } from '../../core/ids.js';
import { parseKind } from '../../core/kind.js';
import { formatLink, parseLink } from '../../core/link.js';
import { parsePriority } from '../../core/priority.js';
import { formatResource, parseResource } from '../../core/resource.js';
import { quoted } from '../../core/quoted.js';
import { parseLabels, validateAgentName, validateText, validateTitle } from '../../core/task.js';
import { UsageError, type OptionValues } from '../args.js';
import type { CommandSpec } from '../command.js';
import { flag, listOption, stringOption } from '../command.js';
import { taskLine } from '../format-task.js';
import { idArgument } from '../input.js';
import { paint } from '../output.js';

export const editCommand: CommandSpec = {
  name: 'edit',
  summary: 'change fields of a task (status has its own commands)',
  args: [{ name: 'ID', required: true }],
  options: [
    { name: 'title', short: 't', kind: 'string', value: 'TITLE', help: 'new title' },
    { name: 'description', short: 'd', kind: 'string', value: 'TEXT', help: 'new description' },
    { name: 'kind', short: 'k', kind: 'string', value: 'KIND', help: 'task | bug | feature | chore | idea' },
    { name: 'priority', short: 'p', kind: 'string', value: 'PRIO', help: '0-4 or a name' },
    { name: 'assignee', short: 'a', kind: 'string', value: 'AGENT', help: 'assign to AGENT' },
    { name: 'unassign', kind: 'boolean', help: 'remove the assignee', conflicts: ['assignee'] },
    { name: 'label', short: 'l', kind: 'list', value: 'LABEL', help: 'add a label' },
    { name: 'remove-label', kind: 'list', value: 'LABEL', help: 'remove a label' },
    { name: 'due', kind: 'string', value: 'DATE', help: 'new due date' },
    { name: 'clear-due', kind: 'boolean', help: 'remove the due date', conflicts: ['due'] },
    { name: 'parent', kind: 'string', value: 'ID', help: 'new parent task' },
    { name: 'clear-parent', kind: 'boolean', help: 'remove the parent', conflicts: ['parent'] },
    { name: 'acceptance', kind: 'list', value: 'TEXT', help: 'replace the acceptance criteria' },
    { name: 'verify', kind: 'list', value: 'CMD', help: 'replace the verify commands' },
    { name: 'resource', short: 'r', kind: 'list', value: 'MODE:KIND:NAME', help: 'add a resource' },
    { name: 'remove-resource', kind: 'list', value: 'MODE:KIND:NAME', help: 'remove a resource' },
    { name: 'link', kind: 'list', value: 'REF', help: 'add a link' },
    { name: 'remove-link', kind: 'list', value: 'REF', help: 'remove a link' },
  ],
  async run(ctx, { args, options }) {
    const id = idArgument(args[0]);
    const patch = editPatch(options, ctx.clock.now());
    if (Object.keys(patch).length === 0) {
      throw new InvalidInputError('edit', 'nothing to change; pass at least one field option (see `baton edit --help`)');
    }
    const task = await editTask(await ctx.deps(), id, patch);
    return { json: { task }, text: `updated ${taskLine(task, paint(ctx.color))}` };
  },
};

function editPatch(options: OptionValues, now: Date): TaskPatch {
  const text = (name: string): string | undefined => stringOption(options, name);
  const patch: TaskPatch = {};
  if (text('title') !== undefined) patch.title = validateTitle(text('title') as string, '--title');
  if (text('description') !== undefined) patch.description = validateText(text('description') as string, '--description');
  if (text('kind') !== undefined) patch.kind = parseKind(text('kind') as string);
  if (text('priority') !== undefined) patch.priority = parsePriority(text('priority') as string);
  if (text('assignee') !== undefined) patch.assignee = validateAgentName(text('assignee') as string, '--assignee');
  if (flag(options, 'unassign')) patch.assignee = null;
  if (text('due') !== undefined) patch.due = parseDueDate(text('due') as string, now);
  if (flag(options, 'clear-due')) patch.due = null;
  if (text('parent') !== undefined) patch.parentId = parseTaskId(text('parent') as string, '--parent');
  if (flag(options, 'clear-parent')) patch.parentId = null;
  if (options.acceptance !== undefined) patch.acceptance = listOption(options, 'acceptance').map((item) => validateText(item, '--acceptance'));
  if (options.verify !== undefined) patch.verify = listOption(options, 'verify').map((item) => validateText(item, '--verify'));
  if (options.label !== undefined || options['remove-label'] !== undefined) {
    patch.labels = addedAndRemoved('label', { add: parseLabels(listOption(options, 'label')), remove: parseLabels(listOption(options, 'remove-label'), '--remove-label') }, (label) => label);
  }
  if (options.resource !== undefined || options['remove-resource'] !== undefined) {
    patch.resources = addedAndRemoved('resource', {
      add: listOption(options, 'resource').map((item) => parseResource(item)),
      remove: listOption(options, 'remove-resource').map((item) => parseResource(item, '--remove-resource')),
    }, formatResource);
  }
  if (options.link !== undefined || options['remove-link'] !== undefined) {
    patch.links = addedAndRemoved('link', {
      add: listOption(options, 'link').map((item) => parseLink(item)),
      remove: listOption(options, 'remove-link').map((item) => parseLink(item, '--remove-link')),
    }, formatLink);
  }
  return patch;
}

/** One value both added and removed would end up added, without a word: refused instead. */
function addedAndRemoved<T>(name: string, change: { add: T[]; remove: T[] }, key: (item: T) => string): { add: T[]; remove: T[] } {
  const removed = new Set(change.remove.map(key));
  const both = change.add.map(key).find((item) => removed.has(item));
  if (both !== undefined) {
    throw new UsageError(`--${name} and --remove-${name} both name ${quoted(both)}; give it to one of them`);
  }
  return change;
}
