import type { CommandSpec } from '../command.js';

/** `baton mcp`. The MCP SDK lives in a chunk of its own (scripts/bundles.mjs): no other command loads it. */
export const mcpCommand: CommandSpec = {
  name: 'mcp',
  summary: 'serve the board to agents as MCP tools on stdio (claim_next, note, complete...)',
  args: [],
  options: [],
  async run(ctx) {
    const { mcpCommandRun } = await import('../mcp/mcp-command.js');
    return mcpCommandRun(ctx);
  },
};
