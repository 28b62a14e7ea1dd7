/**
 * A real MCP client: Claude Code (node_modules/.bin/claude) with `baton mcp` as its MCP server
 * (`--mcp-config`), driven by the scripted model to call claim_next, note and complete. The board
 * shows all three, by the agent the server's environment names.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startModelServer } from '../src/adapters/scripted-model/model-server.js';
import { BATON_BIN } from './helpers/baton.js';
import { expectLoopOnBoard, LOOP_SCRIPT, loopRepo } from './helpers/mcp-loop.js';
import { claudeCommand, describeRun, runAgent } from './model-server/agent-cli.js';

const TEST_TIMEOUT_MS = 180_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('Claude Code with baton mcp', () => {
  it('claims the task, notes on it and completes it through the MCP tools', { timeout: TEST_TIMEOUT_MS }, async () => {
    const repo = loopRepo();
    cleanups.push(repo.cleanup);
    const home = mkdtempSync(join(tmpdir(), 'baton-mcp-claude-home-'));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const server = await startModelServer(LOOP_SCRIPT);
    cleanups.push(() => server.close());
    const mcpConfig = join(home, 'mcp.json');
    writeFileSync(mcpConfig, JSON.stringify({ mcpServers: { baton: { command: process.execPath, args: [BATON_BIN, 'mcp'], env: { BATON_AGENT: 'claude-1' } } } }));

    const command = claudeCommand({ server, home, cwd: repo.dir, prompt: 'Take the next baton task and finish it.' });
    command.args.push('--mcp-config', mcpConfig, '--strict-mcp-config', '--allowedTools', 'mcp__baton__claim_next,mcp__baton__note,mcp__baton__complete');
    const run = await runAgent(command, 150_000);

    expect(run.code, describeRun(run)).toBe(0);
    expect(server.unusedTurns(), describeRun(run)).toEqual([]);
    expect(server.conversation()[0]?.view?.tools).toEqual(expect.arrayContaining(['mcp__baton__ready', 'mcp__baton__claim_next', 'mcp__baton__note', 'mcp__baton__complete', 'mcp__baton__inbox']));
    const toolUses = run.events
      .filter((event) => event.type === 'assistant')
      .flatMap((event) => ((event.message as { content?: { type: string; name?: string }[] }).content ?? []).filter((block) => block.type === 'tool_use').map((block) => block.name));
    expect(toolUses).toEqual(['mcp__baton__claim_next', 'mcp__baton__note', 'mcp__baton__complete']);
    expectLoopOnBoard(repo.dir, 'claude-1');
  });
});
