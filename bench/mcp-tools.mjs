// What `baton mcp`'s tool list costs an agent: every connected client puts the names,
// descriptions and input schemas of all tools into the model's context on every request.
// Starts the built `baton mcp` with the MCP SDK's own stdio client, asks `tools/list`, and
// measures the answer serialized as compact JSON (what a client receives). Tokens are an
// estimate, characters / 4 rounded up (the usual rule of thumb for English text and JSON with
// the Claude and GPT tokenizers; no tokenizer library is used), with characters / 3 beside it as
// a pessimistic bound, since JSON punctuation tokenizes worse than prose. The budget is 3,000
// tokens (issue 12). Prints a table and writes bench/results/mcp-tools.json.
// Run with `npm run bench:mcp`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BATON_BIN } from './lib/cli-latency.mjs';
import { scratchDir } from './lib/config.mjs';
import { machineInfo, sourceInfo } from './lib/machine.mjs';
import { markdownTable } from './lib/stats.mjs';
import { REPO_ROOT } from './lib/store-api.mjs';

const BUDGET_TOKENS = 3000;
const estimate = (text) => Math.ceil(text.length / 4);
const pessimistic = (text) => Math.ceil(text.length / 3);

const cwd = scratchDir('baton-bench-mcp-');
spawnSync('git', ['init', '-q', cwd]);
const transport = new StdioClientTransport({ command: process.execPath, args: [BATON_BIN, 'mcp'], cwd, env: { PATH: process.env.PATH ?? '', BATON_AGENT: 'bench' }, stderr: 'ignore' });
const client = new Client({ name: 'baton-bench', version: '1.0.0' });
await client.connect(transport);
const listed = await client.listTools();
const instructions = client.getInstructions() ?? '';
await client.close();

const tools = listed.tools;
const whole = JSON.stringify({ tools });
const rows = tools.map((tool) => {
  const text = JSON.stringify(tool);
  return { name: tool.name, characters: text.length, tokens: estimate(text) };
});
const total = { characters: whole.length, tokens: estimate(whole), pessimisticTokens: pessimistic(whole) };
const results = {
  machine: machineInfo(),
  source: sourceInfo(REPO_ROOT),
  method: 'tools/list answer as compact JSON; tokens = ceil(characters / 4), pessimistic = ceil(characters / 3)',
  budgetTokens: BUDGET_TOKENS,
  toolCount: tools.length,
  total,
  instructions: { characters: instructions.length, tokens: estimate(instructions) },
  tools: rows,
};

console.log(markdownTable(['tool', 'characters', '≈ tokens'], [...rows.map((row) => [row.name, row.characters, row.tokens]), ['**all (tools/list)**', total.characters, total.tokens]]));
console.log(`\n${tools.length} tools: ${total.characters} characters ≈ ${total.tokens} tokens (characters / 4; ${total.pessimisticTokens} at characters / 3), budget ${BUDGET_TOKENS}.`);
console.log(`Server instructions: ${instructions.length} characters ≈ ${results.instructions.tokens} tokens.`);
mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(REPO_ROOT, 'bench', 'results', 'mcp-tools.json'), `${JSON.stringify(results, null, 2)}\n`);
if (total.pessimisticTokens >= BUDGET_TOKENS) {
  console.error(`over budget: ${total.pessimisticTokens} tokens at characters / 3`);
  process.exitCode = 1;
}
