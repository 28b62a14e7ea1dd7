import { serveStdio } from '../../adapters/mcp/stdio-server.js';
import { BatonError } from '../../core/errors.js';
import { quoted } from '../../core/quoted.js';
import type { CommandContext } from '../context.js';
import { errorDocument, type CommandOutput } from '../output.js';
import { batonTools, SERVER_INSTRUCTIONS } from './mcp-tools.js';

declare const BATON_VERSION: string;
const VERSION = typeof BATON_VERSION === 'string' ? BATON_VERSION : 'dev';

/**
 * `baton mcp`: the board's tools for agents, over MCP on stdio, until the client closes stdin.
 * The board is found per call as the CLI finds it (--db, BATON_DB, the repository's own); the
 * agent is a call's `agent` argument, else --as, else BATON_AGENT, else the CLI's fallbacks.
 */
export async function mcpCommandRun(ctx: CommandContext): Promise<CommandOutput> {
  const tools = batonTools({ io: ctx.io, global: ctx.global });
  const names = tools.map((tool) => tool.name);
  ctx.io.stderr(`baton mcp: serving ${names.length} tools on stdio (${names.join(', ')})`);
  await serveStdio({
    name: 'baton',
    version: VERSION,
    instructions: SERVER_INSTRUCTIONS,
    tools,
    stdin: process.stdin,
    stdout: process.stdout,
    unknownTool: (name) => errorDocument(new BatonError('USAGE', `no tool ${quoted(name)}; the tools are ${names.join(', ')}`)),
  });
  return { json: {}, text: '', streamed: true };
}
