import { listTasks } from '../../app/queries.js';
import { reapExpiredLeases } from '../../app/leases.js';
import type { TaskFilter } from '../../app/ports.js';
import { InvalidInputError } from '../../core/errors.js';
import { parseTaskId } from '../../core/ids.js';
import { parseKind } from '../../core/kind.js';
import { parseStatus, type Status } from '../../core/status.js';
import { validateAgentName, validateLabel } from '../../core/task.js';
import type { OptionValues } from '../args.js';
import type { CommandSpec } from '../command.js';
import { flag, listOption, stringOption } from '../command.js';
import { taskTable } from '../format-task.js';
import { paint } from '../output.js';
import { quoted } from '../../core/quoted.js';

const NOT_CLOSED: readonly Status[] = ['open', 'in_progress', 'review', 'blocked', 'failed'];

export const listCommand: CommandSpec = {
  name: 'list',
  aliases: ['ls'],
  summary: 'list tasks (not done or cancelled unless --all or --status)',
  board: 'read',
  args: [],
  options: [
    { name: 'me', kind: 'boolean', help: 'only tasks assigned to me', conflicts: ['assignee'] },
    { name: 'status', short: 's', kind: 'list', value: 'STATUS', help: 'only this status; repeat or comma-separate' },
    { name: 'assignee', short: 'a', kind: 'string', value: 'AGENT', help: 'only tasks assigned to AGENT' },
    { name: 'label', short: 'l', kind: 'string', value: 'LABEL', help: 'only tasks with this label' },
    { name: 'kind', short: 'k', kind: 'string', value: 'KIND', help: 'only tasks of this kind' },
    { name: 'parent', kind: 'string', value: 'ID', help: 'only children of this task' },
    { name: 'limit', short: 'n', kind: 'string', value: 'N', help: 'at most N tasks' },
    { name: 'all', kind: 'boolean', help: 'include done and cancelled tasks', conflicts: ['status'] },
  ],
  async run(ctx, { options }) {
    const filter = listFilter(options, flag(options, 'me') ? await ctx.actor() : undefined);
    const deps = { store: ctx.openStore(), clock: ctx.clock, actor: 'baton' };
    await reapExpiredLeases(deps);
    const tasks = await listTasks(deps, filter);
    return { json: { tasks, count: tasks.length }, text: () => taskTable(tasks, paint(ctx.color), 'no tasks') };
  },
};

/** The filter `list` builds from its options; `baton serve` builds its own from query parameters with it. */
export function listFilter(values: OptionValues, me: string | undefined): TaskFilter {
  const statuses = listOption(values, 'status').flatMap((text) => text.split(',')).map((text) => parseStatus(text));
  const assignee = stringOption(values, 'assignee');
  const label = stringOption(values, 'label');
  const kind = stringOption(values, 'kind');
  const parent = stringOption(values, 'parent');
  const limit = stringOption(values, 'limit');
  return {
    statuses: statuses.length > 0 ? statuses : flag(values, 'all') ? [] : NOT_CLOSED,
    ...(me !== undefined ? { assignee: me } : assignee !== undefined ? { assignee: validateAgentName(assignee, '--assignee') } : {}),
    ...(label !== undefined && { label: validateLabel(label) }),
    ...(kind !== undefined && { kind: parseKind(kind) }),
    ...(parent !== undefined && { parentId: parseTaskId(parent, '--parent') }),
    ...(limit !== undefined && { limit: parseLimit(limit) }),
  };
}

export function parseLimit(text: string, field = '--limit'): number {
  if (!/^\d{1,6}$/.test(text.trim()) || Number(text) === 0) {
    throw new InvalidInputError(field, `${quoted(text)} is not a count; use a whole number from 1 to 999999`);
  }
  return Number(text);
}
