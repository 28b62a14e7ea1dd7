import type { McpTool } from '../../adapters/mcp/tool.js';
import { dependCommand } from '../commands/dependency.js';
import { addCommand } from '../commands/task-add.js';
import { completeCommand } from '../commands/task-complete.js';
import { ideaCommand } from '../commands/task-idea.js';
import { noteCommand } from '../commands/task-note.js';
import { showCommand } from '../commands/task-show.js';
import { AGENT_PROPERTY, commandTool, idText, options, type ToolHost } from './command-tool.js';

const ID = { type: 'integer' } as const;
const TEXT = { type: 'string' } as const;
const TEXTS = { type: 'array', items: { type: 'string' } } as const;

/** Reading and changing tasks: show, note, idea, complete, add, depend. */
export function taskTools(host: ToolHost): McpTool[] {
  return [
    commandTool(host, {
      name: 'show',
      description: 'One task with its dependencies and notes.',
      properties: { id: ID },
      required: ['id'],
      command: showCommand,
      input: ({ id }) => ({ args: [idText(id)], options: {} }),
    }),
    commandTool(host, {
      name: 'note',
      description: 'Add a note to a task: decisions, findings, what the next one needs.',
      properties: { id: ID, text: TEXT, agent: AGENT_PROPERTY },
      required: ['id', 'text'],
      command: noteCommand,
      input: ({ id, text }) => ({ args: [idText(id), String(text)], options: {} }),
    }),
    commandTool(host, {
      name: 'idea',
      description: 'Record an out-of-scope improvement instead of doing it.',
      properties: { title: TEXT, link: { ...TEXTS, description: 'path[:line[-line]]' }, from: { type: 'integer', description: 'task it was noticed in' }, description: TEXT, agent: AGENT_PROPERTY },
      required: ['title', 'link'],
      command: ideaCommand,
      input: ({ title, link, from, description }) => ({ args: [String(title)], options: options({ link, from, description }) }),
    }),
    commandTool(host, {
      name: 'complete',
      description: 'Mark a task done; unacknowledged conflicts refuse it unless force with reason.',
      properties: { id: ID, message: { type: 'string', description: 'what was done' }, force: { type: 'boolean' }, reason: TEXT, agent: AGENT_PROPERTY },
      required: ['id'],
      command: completeCommand,
      input: ({ id, message, force, reason }) => ({ args: [idText(id)], options: options({ message, force, reason }) }),
    }),
    commandTool(host, {
      name: 'add',
      description: 'Create a task.',
      properties: {
        title: TEXT,
        description: TEXT,
        priority: { type: 'integer', description: '0 (critical) to 4; default 2' },
        kind: { type: 'string', description: 'task|bug|feature|chore|idea' },
        assignee: TEXT,
        labels: TEXTS,
        parent: ID,
        depends_on: { type: 'array', items: { type: 'integer' } },
        resources: { ...TEXTS, description: 'MODE:KIND:NAME, e.g. modifies:endpoint:POST /login' },
        links: TEXTS,
        verify: { ...TEXTS, description: 'commands that prove it done' },
        acceptance: TEXTS,
        due: TEXT,
        agent: AGENT_PROPERTY,
      },
      required: ['title'],
      command: addCommand,
      input: ({ title, description, priority, kind, assignee, labels, parent, depends_on, resources, links, verify, acceptance, due }) => ({
        args: [String(title)],
        options: options({ description, priority, kind, assignee, label: labels, parent, 'depends-on': depends_on, resource: resources, link: links, verify, acceptance, due }),
      }),
    }),
    commandTool(host, {
      name: 'depend',
      description: 'Make task id wait on task on; cycles are refused.',
      properties: { id: ID, on: ID, type: { type: 'string', description: 'blocks (default)|related|discovered-from|parent-child' }, agent: AGENT_PROPERTY },
      required: ['id', 'on'],
      command: dependCommand,
      input: ({ id, on, type }) => ({ args: [idText(id)], options: options({ on, type }) }),
    }),
  ];
}
