/**
 * The MCP server on stdio, built on the official SDK. Only glue: the tools (what they are
 * called, what they do) come from the caller; this file lists them and routes calls to them.
 */
import type { Readable, Writable } from 'node:stream';
// The low-level Server rather than McpServer: McpServer generates each tool's JSON Schema from
// zod, and the tool list must stay small (see bench/mcp-tools.mjs); the schemas are written by hand.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { McpTool, ToolAnswer } from './tool.js';

export interface StdioServerOptions {
  name: string;
  version: string;
  /** Told to the client once, at start; clients may put it in the model's system prompt. */
  instructions: string;
  tools: readonly McpTool[];
  stdin: Readable;
  stdout: Writable;
  /** The answer for a call of a tool the server does not have. */
  unknownTool(name: string): string;
}

/** Serves the tools until the client closes stdin (or the connection fails). */
export async function serveStdio(options: StdioServerOptions): Promise<void> {
  const server = new Server({ name: options.name, version: options.version }, { capabilities: { tools: {} }, instructions: options.instructions });
  const byName = new Map(options.tools.map((tool) => [tool.name, tool]));
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: options.tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema })),
  }));
  // One call at a time: a call holds the board's write lock across awaits, and SQLite waits for a
  // lock by blocking the thread, so a second call in this process would wait on the first forever
  // (until the busy timeout). Other processes' calls still run alongside; the board keeps them apart.
  let previous: Promise<unknown> = Promise.resolve();
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name);
    const run = async (): Promise<ToolAnswer> => (tool ? tool.call(request.params.arguments ?? {}) : { text: options.unknownTool(request.params.name), isError: true });
    const answered = previous.then(run, run);
    previous = answered;
    const answer = await answered;
    return { content: [{ type: 'text', text: answer.text }], ...(answer.isError && { isError: true }) };
  });
  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve;
  });
  // The SDK's transport reads stdin but never notices its end; a client that goes away ends the server here.
  options.stdin.once('end', () => void server.close());
  await server.connect(new StdioServerTransport(options.stdin, options.stdout));
  await closed;
}
