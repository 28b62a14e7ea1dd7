import { InvalidInputError } from './errors.js';

export const PRIME_START = '<!-- baton:prime:start -->';
export const PRIME_END = '<!-- baton:prime:end -->';

const PRIME_LINES = [
  PRIME_START,
  '## Working with baton',
  '',
  'Tasks for this repository live on a shared baton board; other agents work from it at the same time.',
  '',
  '1. `baton ready` — tasks that can start now, best first.',
  '2. `baton claim --next` (or `baton claim ID`) — take one; a claim is atomic, so no one else gets it.',
  '3. `baton heartbeat` — every few minutes while you work; a lease left to run out (30 min) returns the task to the queue.',
  '   Exit 4 with `LOST #ID` means that task is no longer yours (reaped, released, taken): stop working on it.',
  '4. `baton note ID "..."` — record decisions, findings and anything the next person needs.',
  '5. `baton idea "..." --link path[:line] --from ID` — an improvement outside your task: record it, do not do it.',
  '6. `baton inbox` — what other agents\' work does to yours (overlaps, predicted merge conflicts, removed endpoints);',
  '   adapt, then `baton ack ID -m "how"`. Unacknowledged conflicts block `complete`.',
  '7. `baton complete ID -m "what was done"` — finish; tasks waiting on yours are unblocked.',
  '',
  '- Work in your own git worktree: `claim` there binds the task to it, so baton sees what you change.',
  '- `baton watch --me --follow` streams what is addressed to you; `baton show ID`, `baton blocked` look around.',
  '- Say who you are with `BATON_AGENT=name` or `--as name`.',
  '- Tools rather than shell? `baton mcp` serves this loop over MCP (`baton prime --mcp` shows how to register it).',
  '- Every command takes `--json`: one JSON document with `schemaVersion`; errors are `{"error":{"code","message"}}`.',
  '- Exit codes: 0 ok, 1 failed, 2 usage or invalid input, 3 not found (also nothing ready),',
  '  4 conflict (already claimed, illegal transition, dependency cycle, unmet dependencies).',
  PRIME_END,
];

/**
 * How to register `baton mcp` with each agent CLI, in the format each documents: Claude Code's
 * `claude mcp add` (or the project's `.mcp.json` it writes), Codex's `[mcp_servers.NAME]` in
 * config.toml (Codex passes a server only a few variables of its own, so BATON_AGENT is named,
 * and asks before each call of a server's tool unless told not to), Gemini CLI's `mcpServers`
 * in settings.json.
 */
const MCP_LINES = [
  '## Registering `baton mcp` with an agent CLI',
  '',
  'The server speaks MCP on stdio. Like the CLI, it finds the board from its working directory (the',
  "agent's worktree), or --db / BATON_DB, and acts as BATON_AGENT (or `baton mcp --as NAME`); every",
  'tool that acts also takes an `agent` argument.',
  '',
  'Claude Code (tools appear as mcp__baton__claim_next, mcp__baton__note, ...):',
  '    claude mcp add baton -- baton mcp                    # you, in this project',
  '    claude mcp add --scope project baton -- baton mcp    # the team: writes .mcp.json',
  '  .mcp.json:',
  '    { "mcpServers": { "baton": { "type": "stdio", "command": "baton", "args": ["mcp"] } } }',
  '',
  'Codex (~/.codex/config.toml, or .codex/config.toml in a trusted project; or `codex mcp add baton -- baton mcp`):',
  '    [mcp_servers.baton]',
  '    command = "baton"',
  '    args = ["mcp"]',
  '    env_vars = ["BATON_AGENT"]    # passed on from the agent\'s environment',
  '    default_tools_approval_mode = "approve"    # else Codex asks first, and `codex exec` refuses',
  '',
  'Gemini CLI (~/.gemini/settings.json, or .gemini/settings.json in the project):',
  '    { "mcpServers": { "baton": { "command": "baton", "args": ["mcp"] } } }',
];

/** How to register `baton mcp` with Claude Code, Codex and Gemini CLI, without a trailing newline. */
export function mcpRegistration(): string {
  return MCP_LINES.join('\n');
}

/** The instruction block for agents, markers included, without a trailing newline. */
export function primeBlock(newline = '\n'): string {
  return PRIME_LINES.join(newline);
}

/**
 * Puts the block into a file's text: in place of the marked block when there is one, else at
 * the end after a blank line. Running it on its own output changes nothing. A file that uses
 * CRLF gets the block with CRLF. Refuses markers that do not pair up rather than guess where a
 * block ends.
 */
export function upsertPrimeBlock(existing: string, field = '--write'): string {
  const newline = existing.includes('\r\n') ? '\r\n' : '\n';
  const block = primeBlock(newline);
  const starts = occurrences(existing, PRIME_START);
  const ends = occurrences(existing, PRIME_END);
  if (starts === 0 && ends === 0) {
    return `${withBlankLineAtEnd(existing, newline)}${block}${newline}`;
  }
  const start = existing.indexOf(PRIME_START);
  const end = existing.indexOf(PRIME_END);
  if (starts !== 1 || ends !== 1 || end < start) {
    throw new InvalidInputError(
      field,
      `the file has ${starts} start and ${ends} end baton markers, not one block; ` +
        `leave one ${PRIME_START} … ${PRIME_END} pair (or none) and run again`,
    );
  }
  return `${existing.slice(0, start)}${block}${existing.slice(end + PRIME_END.length)}`;
}

/** The text ready for a new paragraph: empty stays empty, else it ends in one blank line. */
function withBlankLineAtEnd(text: string, newline: string): string {
  if (text === '' || text.endsWith(`${newline}${newline}`)) return text;
  return text.endsWith(newline) ? `${text}${newline}` : `${text}${newline}${newline}`;
}

function occurrences(text: string, marker: string): number {
  return text.split(marker).length - 1;
}
