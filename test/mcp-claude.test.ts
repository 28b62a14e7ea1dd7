/**
 * A real MCP client: Claude Code (node_modules/.bin/claude) with `baton mcp` as its MCP server,
 * driven by the scripted model to call claim_next, note and complete. The board shows all three.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from '../src/adapters/scripted-model/model-server.js';
import { callTools, mcpTool, offersTool, say, type ConversationView, type Script } from '../src/adapters/scripted-model/script.js';
import { BATON_BIN, baton, json, makeRepo } from './helpers/baton.js';
import { claudeCommand, describeRun, runAgent } from './model-server/agent-cli.js';

const TEST_TIMEOUT_MS = 180_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The last tool result the model got contains `text`. */
const resultHas = (text: string) => (view: ConversationView) => view.toolResults.some((result) => result.includes(text));

describe('Claude Code with baton mcp', () => {
  it('claims the task, notes on it and completes it through the MCP tools', { timeout: TEST_TIMEOUT_MS }, async () => {
    const repo = makeRepo('baton-mcp-claude-');
    cleanups.push(repo.cleanup);
    const home = mkdtempSync(join(tmpdir(), 'baton-mcp-claude-home-'));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const lead = (args: string[]) => json(baton([...args, '--json'], { cwd: repo.dir, env: { BATON_AGENT: 'lead' } }));
    lead(['init']);
    lead(['add', 'Write the greeting', '-p', '1']);
    lead(['add', 'Later work', '-p', '3']);

    const script: Script = [
      { ...callTools(mcpTool('baton', 'claim_next')), when: offersTool('mcp__baton__claim_next') },
      { ...callTools(mcpTool('baton', 'note', { id: 1, text: 'greeting goes in greeting.txt' })), when: resultHas('"status":"in_progress"') },
      { ...callTools(mcpTool('baton', 'complete', { id: 1, message: 'greeting written' })), when: resultHas('"note"') },
      { ...say('Task 1 is done.'), when: resultHas('"status":"done"') },
    ];
    const server: ModelServer = await startModelServer(script);
    cleanups.push(() => server.close());
    const mcpConfig = join(home, 'mcp.json');
    writeFileSync(mcpConfig, JSON.stringify({ mcpServers: { baton: { command: process.execPath, args: [BATON_BIN, 'mcp'], env: { BATON_AGENT: 'claude-1' } } } }));

    const command = claudeCommand({ server, home, cwd: repo.dir, prompt: 'Take the next baton task and finish it.' });
    command.args.push('--mcp-config', mcpConfig, '--strict-mcp-config', '--allowedTools', 'mcp__baton__claim_next,mcp__baton__note,mcp__baton__complete');
    const run = await runAgent(command, 150_000);

    expect(run.code, describeRun(run)).toBe(0);
    expect(server.unusedTurns(), describeRun(run)).toEqual([]);
    const first = server.conversation()[0]?.view;
    expect(first?.tools).toEqual(expect.arrayContaining(['mcp__baton__ready', 'mcp__baton__claim_next', 'mcp__baton__note', 'mcp__baton__complete', 'mcp__baton__inbox']));
    const toolUses = run.events
      .filter((event) => event.type === 'assistant')
      .flatMap((event) => ((event.message as { content?: { type: string; name?: string }[] }).content ?? []).filter((block) => block.type === 'tool_use').map((block) => block.name));
    expect(toolUses).toEqual(['mcp__baton__claim_next', 'mcp__baton__note', 'mcp__baton__complete']);

    // The board, read by the CLI: claimed by the MCP server's agent, noted, completed.
    const shown = lead(['show', '1']) as { task: Record<string, unknown>; notes: { author: string; body: string }[] };
    expect(shown.task).toMatchObject({ status: 'done', assignee: 'claude-1', completionMessage: 'greeting written' });
    expect(shown.notes).toEqual([expect.objectContaining({ author: 'claude-1', body: 'greeting goes in greeting.txt' })]);
    const log = lead(['log', '1']) as { events: { type: string; actor: string }[] };
    expect(log.events.map((event) => [event.type, event.actor])).toEqual([
      ['task_created', 'lead'],
      ['task_claimed', 'claude-1'],
      ['note_added', 'claude-1'],
      ['task_completed', 'claude-1'],
    ]);
    expect(lead(['show', '2'])).toMatchObject({ task: { status: 'open', assignee: null } });
  });
});
