import type { McpTool } from '../../adapters/mcp/tool.js';
import { claimCommand, heartbeatCommand } from '../commands/claim.js';
import { readyCommand } from '../commands/ready.js';
import { AGENT_PROPERTY, commandTool, idText, options, type ToolHost } from './command-tool.js';

const TTL = { type: 'string', description: 'lease length, e.g. 30m (default), 2h' } as const;

/** Finding work and holding it: ready, claim_next, claim, heartbeat. */
export function queueTools(host: ToolHost): McpTool[] {
  return [
    commandTool(host, {
      name: 'ready',
      description: 'Tasks ready to start, best first.',
      properties: { limit: { type: 'integer', description: 'default 20' }, me: { type: 'boolean', description: 'only tasks I may claim' }, agent: AGENT_PROPERTY },
      command: readyCommand,
      input: ({ limit, me }) => ({ args: [], options: options({ limit, me }) }),
    }),
    commandTool(host, {
      name: 'claim_next',
      description: 'Atomically claim the best ready task, with a lease.',
      properties: { ttl: TTL, agent: AGENT_PROPERTY },
      command: claimCommand,
      input: ({ ttl }) => ({ args: [], options: options({ next: true, ttl }) }),
    }),
    commandTool(host, {
      name: 'claim',
      description: 'Atomically claim task id, with a lease.',
      properties: { id: { type: 'integer' }, ttl: TTL, agent: AGENT_PROPERTY },
      required: ['id'],
      command: claimCommand,
      input: ({ id, ttl }) => ({ args: [idText(id)], options: options({ ttl }) }),
    }),
    commandTool(host, {
      name: 'heartbeat',
      description: 'Renew the lease on my tasks (all, or ids). Lost tasks are no longer mine: stop work on them.',
      properties: { ids: { type: 'array', items: { type: 'integer' } }, ttl: TTL, agent: AGENT_PROPERTY },
      command: heartbeatCommand,
      input: ({ ids, ttl }) => ({ args: Array.isArray(ids) ? ids.map(idText) : [], options: options({ ttl }) }),
    }),
  ];
}
