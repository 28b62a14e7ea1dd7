/**
 * The MCP SDK's own client, spawning the built `baton mcp` (bin/baton.cjs) over stdio, as an
 * agent's MCP client would.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BATON_BIN, childEnv } from './baton.js';

export interface ToolReply {
  isError: boolean;
  /** The answer's text, parsed: the CLI's `--json` document, or `{ error: { code, message } }`. */
  doc: Record<string, unknown> & { error?: { code: string; message: string } };
}

export interface BatonMcp {
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<ToolReply>;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

/** Starts `baton mcp ...extraArgs` in `cwd` (agent `tester` unless `env` says otherwise) and connects to it. */
export async function connectBatonMcp(cwd: string, env: Record<string, string | undefined> = {}, extraArgs: string[] = []): Promise<BatonMcp> {
  const fullEnv = Object.fromEntries(Object.entries(childEnv(env)).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const transport = new StdioClientTransport({ command: process.execPath, args: [BATON_BIN, 'mcp', ...extraArgs], cwd, env: fullEnv, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'baton-test', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    async call(name, args = {}) {
      const result = await client.callTool({ name, arguments: args });
      const content = result.content as { type: string; text?: string }[];
      const text = content.find((part) => part.type === 'text')?.text ?? '';
      return { isError: result.isError === true, doc: JSON.parse(text) as ToolReply['doc'] };
    },
    stderr: () => stderr,
    close: () => client.close(),
  };
}
