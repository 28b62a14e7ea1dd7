/**
 * Codex (node_modules/.bin/codex) with `baton mcp` registered in its config.toml as
 * `baton prime --mcp` says (env_vars passes BATON_AGENT on; calls approved without asking),
 * driven by the scripted model to call claim_next, note and complete. The board shows all three,
 * by the agent named in Codex's own environment.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startModelServer } from '../src/adapters/scripted-model/model-server.js';
import { BATON_BIN, baton, json } from './helpers/baton.js';
import { expectLoopOnBoard, LOOP_SCRIPT, loopRepo } from './helpers/mcp-loop.js';
import { codexCommand, describeRun, runAgent, writeCodexConfig } from './model-server/agent-cli.js';

const TEST_TIMEOUT_MS = 180_000;

/** The config.toml table `baton prime --mcp` prints, with the built binary run by node for `baton`. */
function primedTable(cwd: string): string {
  const lines = json<{ mcp: string }>(baton(['prime', '--mcp', '--json'], { cwd })).mcp.split('\n').map((line) => line.trim());
  const start = lines.indexOf('[mcp_servers.baton]');
  const end = lines.indexOf('', start);
  const table = lines.slice(start, end).join('\n');
  expect(table).toContain('command = "baton"\nargs = ["mcp"]');
  return table.replace('command = "baton"\nargs = ["mcp"]', `command = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(BATON_BIN)}, "mcp"]`);
}
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('Codex with baton mcp', () => {
  it('claims the task, notes on it and completes it through the MCP tools', { timeout: TEST_TIMEOUT_MS }, async () => {
    const repo = loopRepo();
    cleanups.push(repo.cleanup);
    const home = mkdtempSync(join(tmpdir(), 'baton-mcp-codex-home-'));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const server = await startModelServer(LOOP_SCRIPT);
    cleanups.push(() => server.close());
    const codexHome = join(home, 'codex');
    writeCodexConfig(codexHome, server);
    appendFileSync(join(codexHome, 'config.toml'), `\n${primedTable(repo.dir)}\n`);

    const run = await runAgent(codexCommand({ codexHome, home, cwd: repo.dir, prompt: 'Take the next baton task and finish it.', env: { BATON_AGENT: 'codex-1' } }), 150_000);

    expect(run.code, describeRun(run)).toBe(0);
    expect(server.unusedTurns(), describeRun(run)).toEqual([]);
    const calls = run.events
      .filter((event) => event.type === 'item.completed' && (event.item as { type?: string }).type === 'mcp_tool_call')
      .map((event) => event.item as { server: string; tool: string; status: string });
    expect(calls.map((call) => [call.server, call.tool, call.status])).toEqual([
      ['baton', 'claim_next', 'completed'],
      ['baton', 'note', 'completed'],
      ['baton', 'complete', 'completed'],
    ]);
    expectLoopOnBoard(repo.dir, 'codex-1');
  });
});
