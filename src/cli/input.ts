import type { DependencyType } from '../core/dependency.js';
import { parseDependencyType } from '../core/dependency.js';
import { parseDueDate } from '../core/due-date.js';
import { parseTaskId } from '../core/ids.js';
import { parseKind } from '../core/kind.js';
import { parseLink } from '../core/link.js';
import { DEFAULT_PRIORITY, parsePriority } from '../core/priority.js';
import { parseResource } from '../core/resource.js';
import { parseLabels, validateAgentName, validateText, validateTitle } from '../core/task.js';
import type { AddTaskInput } from '../app/add-task.js';
import type { OptionSpec, OptionValues } from './args.js';
import { listOption, stringOption } from './command.js';

/** The fields every task-creating command takes (add/create, idea). */
export const TASK_FIELD_OPTIONS: readonly OptionSpec[] = [
  { name: 'description', short: 'd', kind: 'string', value: 'TEXT', help: 'longer description' },
  { name: 'kind', short: 'k', kind: 'string', value: 'KIND', help: 'task | bug | feature | chore | idea (default task)' },
  { name: 'priority', short: 'p', kind: 'string', value: 'PRIO', help: '0-4 or critical|high|medium|low|backlog (default 2)' },
  { name: 'assignee', short: 'a', kind: 'string', value: 'AGENT', help: 'who should do it' },
  { name: 'label', short: 'l', kind: 'list', value: 'LABEL', help: 'label; repeat or comma-separate for several' },
  { name: 'due', kind: 'string', value: 'DATE', help: 'YYYY-MM-DD, ISO date-time, today, tomorrow, +3d, +2w' },
  { name: 'parent', kind: 'string', value: 'ID', help: 'parent task' },
  { name: 'acceptance', kind: 'list', value: 'TEXT', help: 'an acceptance criterion; repeat for several' },
  { name: 'verify', kind: 'list', value: 'CMD', help: 'a command that proves it done; repeat for several' },
  { name: 'resource', short: 'r', kind: 'list', value: 'MODE:KIND:NAME', help: "what it changes, e.g. 'modifies:endpoint:POST /api/login'" },
  { name: 'link', kind: 'list', value: 'REF', help: 'path[:line[-line]] or URL; repeat for several' },
  { name: 'depends-on', kind: 'list', value: 'ID', help: 'a task this one waits on; repeat or comma-separate' },
  { name: 'type', kind: 'string', value: 'TYPE', help: 'dependency type for --depends-on (default blocks)', requires: 'depends-on' },
];

export function idArgument(value: string | undefined, field = 'ID'): number {
  return parseTaskId(value ?? '', field);
}

export function idList(values: readonly string[], field: string): number[] {
  return values.flatMap((value) => value.split(',')).filter((part) => part.trim() !== '').map((part) => parseTaskId(part, field));
}

/** Validates every field before anything is written, so a refused command changes nothing. */
export function taskInput(title: string, options: OptionValues, now: Date, defaults: { kind?: 'idea' } = {}): AddTaskInput {
  const kindText = stringOption(options, 'kind');
  const priorityText = stringOption(options, 'priority');
  const assignee = stringOption(options, 'assignee');
  const due = stringOption(options, 'due');
  const parent = stringOption(options, 'parent');
  const type: DependencyType = parseDependencyType(stringOption(options, 'type') ?? 'blocks');
  return {
    title: validateTitle(title),
    description: validateText(stringOption(options, 'description') ?? '', '--description'),
    kind: kindText === undefined ? (defaults.kind ?? 'task') : parseKind(kindText),
    priority: priorityText === undefined ? DEFAULT_PRIORITY : parsePriority(priorityText),
    assignee: assignee === undefined ? null : validateAgentName(assignee, '--assignee'),
    labels: parseLabels(listOption(options, 'label')),
    due: due === undefined ? null : parseDueDate(due, now),
    parentId: parent === undefined ? null : parseTaskId(parent, '--parent'),
    acceptance: listOption(options, 'acceptance').map((text) => validateText(text, '--acceptance')),
    verify: listOption(options, 'verify').map((text) => validateText(text, '--verify')),
    resources: listOption(options, 'resource').map((text) => parseResource(text)),
    links: listOption(options, 'link').map((text) => parseLink(text)),
    dependsOn: idList(listOption(options, 'depends-on'), '--depends-on').map((id) => ({ id, type })),
  };
}
