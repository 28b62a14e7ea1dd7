/**
 * `baton mcp` against a hostile or confused client, over raw stdio (no SDK client to tidy the
 * lines up): garbage lines, malformed requests, arguments named like Object.prototype members,
 * an agent name with a terminal escape, the board file swapped under it. After each, the next
 * well-formed call is still answered: one bad call never wedges the server.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baton, BATON_BIN, childEnv, json, makeRepo } from './helpers/baton.js';

const TIMEOUT_MS = 60_000;
let repo: ReturnType<typeof makeRepo>;
let child: ChildProcessWithoutNullStreams | undefined;

beforeEach(() => {
  repo = makeRepo('baton-mcp-adversary-');
  expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
  expect(baton(['add', 'one'], { cwd: repo.dir }).code).toBe(0);
});

afterEach(() => {
  child?.kill();
  child = undefined;
  repo.cleanup();
});

interface Reply {
  id?: number;
  result?: { content: { text: string }[]; isError?: boolean };
  error?: { code: number; message: string };
}

/** A `baton mcp` on raw stdio: write any line, wait for the reply with an id. */
function rawMcp(): { send(line: string): void; reply(id: number): Promise<Reply> } {
  const proc = spawn(process.execPath, [BATON_BIN, 'mcp'], { cwd: repo.dir, env: childEnv({ BATON_AGENT: 'agent-1' }) });
  child = proc;
  const replies: Reply[] = [];
  let buffer = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') replies.push(JSON.parse(line) as Reply);
  });
  return {
    send: (line) => proc.stdin.write(`${line}\n`),
    async reply(id) {
      for (let waited = 0; waited < 20_000; waited += 20) {
        const found = replies.find((reply) => reply.id === id);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no reply ${id}; got ${JSON.stringify(replies)}`);
    },
  };
}

const call = (id: number, name: string, args: unknown): string => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
const docOf = (reply: Reply): { error?: { code: string; message: string } } & Record<string, unknown> => JSON.parse(reply.result?.content[0]?.text ?? '{}') as Record<string, unknown>;

describe('baton mcp against a hostile client', () => {
  it('garbage lines, malformed requests and bad arguments are refused, and the next call is answered', { timeout: TIMEOUT_MS }, async () => {
    const mcp = rawMcp();
    mcp.send(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'adversary', version: '1' } } }));
    expect((await mcp.reply(0)).result).toBeDefined();
    mcp.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    mcp.send('not json at all');
    mcp.send('{"jsonrpc":"2.0","id":');
    mcp.send('[1,2,3]');
    mcp.send('\u001b[2J\u0000');
    mcp.send(call(1, 'note', 'a string, not an object'));
    expect((await mcp.reply(1)).error).toBeDefined();
    mcp.send('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"note","arguments":{"id":1,"text":"x","toString":"y"}}}');
    expect(docOf(await mcp.reply(2)).error?.message).toBe('toString: is not an argument of this tool; it takes id, text, agent');
    mcp.send(call(3, 'claim', { id: 1, agent: 'evil\u001b[31m' }));
    expect(docOf(await mcp.reply(3)).error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^agent: /) as unknown });
    mcp.send(call(4, 'note', { id: 1, text: 'x'.repeat(100_000) }));
    expect(docOf(await mcp.reply(4)).error?.code).toBe('INVALID_INPUT');
    mcp.send(call(5, '__proto__', {}));
    expect(docOf(await mcp.reply(5)).error?.code).toBe('USAGE');
    mcp.send(call(6, 'claim', { id: 1 }));
    expect((await mcp.reply(6)).result?.isError).toBeUndefined();
    expect(json<{ task: { assignee: string }; notes: unknown[] }>(baton(['show', '1', '--json'], { cwd: repo.dir }))).toMatchObject({ task: { assignee: 'agent-1' }, notes: [] });
  });

  it('a board file replaced by garbage mid-session is an error for that call only', { timeout: TIMEOUT_MS }, async () => {
    const mcp = rawMcp();
    mcp.send(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'adversary', version: '1' } } }));
    await mcp.reply(0);
    mcp.send(call(1, 'show', { id: 1 }));
    expect((await mcp.reply(1)).result?.isError).toBeUndefined();
    renameSync(repo.db, `${repo.db}.aside`);
    writeFileSync(repo.db, 'not a board '.repeat(100));
    mcp.send(call(2, 'add', { title: 'during' }));
    expect(docOf(await mcp.reply(2)).error?.code).toBe('BOARD_UNREADABLE');
    renameSync(`${repo.db}.aside`, repo.db);
    mcp.send(call(3, 'add', { title: 'after' }));
    expect(docOf(await mcp.reply(3))).toMatchObject({ task: { title: 'after' } });
  });
});
