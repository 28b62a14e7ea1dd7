import type { McpTool } from '../../adapters/mcp/tool.js';
import { ackCommand, inboxCommand } from '../commands/findings.js';
import { AGENT_PROPERTY, commandTool, idText, options, type ToolHost } from './command-tool.js';

/** What other agents' work does to mine: inbox, ack. */
export function inboxTools(host: ToolHost): McpTool[] {
  return [
    commandTool(host, {
      name: 'inbox',
      description: "Findings for me not yet acknowledged: overlaps, predicted merge conflicts, removed things I use.",
      properties: { all: { type: 'boolean', description: "every agent's" }, history: { type: 'boolean', description: 'include settled ones' }, agent: AGENT_PROPERTY },
      command: inboxCommand,
      input: ({ all, history }) => ({ args: [], options: options({ all, history }) }),
    }),
    commandTool(host, {
      name: 'ack',
      description: 'Acknowledge finding id: seen, and handled in my task.',
      properties: { id: { type: 'integer' }, message: { type: 'string', description: 'how' }, force: { type: 'boolean' }, agent: AGENT_PROPERTY },
      required: ['id'],
      command: ackCommand,
      input: ({ id, message, force }) => ({ args: [idText(id)], options: options({ message, force }) }),
    }),
  ];
}
