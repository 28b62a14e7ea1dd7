import type { McpTool } from '../../adapters/mcp/tool.js';
import type { ToolHost } from './command-tool.js';
import { inboxTools } from './inbox-tools.js';
import { queueTools } from './queue-tools.js';
import { taskTools } from './task-tools.js';

/** The tools of `baton mcp`, finding work, working on a task, hearing from the others. */
export function batonTools(host: ToolHost): McpTool[] {
  return [...queueTools(host), ...taskTools(host), ...inboxTools(host)];
}

/** Said once to the client when it connects: how the tools fit together. */
export const SERVER_INSTRUCTIONS =
  'baton is the shared task board of this repository; other agents use it at the same time. ' +
  'Loop: claim_next, heartbeat every few minutes, note what matters, check inbox and ack, complete. ' +
  'Errors carry the CLI\'s code (ALREADY_CLAIMED, TASK_NOT_FOUND...) and what to do next.';
