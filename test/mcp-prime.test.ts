/**
 * `baton prime --mcp`: the registration snippets it prints are checked against the real agent
 * CLIs installed here: Claude Code writes the same `.mcp.json` for `claude mcp add --scope
 * project`, and Codex reads the config.toml table (it refuses a bad value) as a stdio server
 * passing BATON_AGENT on.
 * (Gemini CLI is not installed here; its snippet is only checked to be valid JSON.)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baton, json } from './helpers/baton.js';
import { CLAUDE_BIN, CODEX_BIN } from './model-server/agent-cli.js';

let root: string;
let text: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'baton-mcp-prime-'));
  text = json<{ mcp: string }>(baton(['prime', '--mcp', '--json'], { cwd: root })).mcp;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The lines after the one that starts with `heading`, up to the next blank line, unindented. */
function snippetAfter(heading: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trimStart().startsWith(heading));
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((line, index) => index > start && line.trim() === '');
  return lines.slice(start + 1, end < 0 ? undefined : end).map((line) => line.trim()).join('\n');
}

function run(command: string, args: string[], cwd: string, env: Record<string, string>): string {
  const result = spawnSync(command, args, { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, encoding: 'utf8', timeout: 60_000 });
  expect(result.status, `${command} ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

describe('baton prime --mcp', () => {
  it('names the three CLIs, and the plain prime block points to it', () => {
    expect(text).toContain('claude mcp add baton -- baton mcp');
    expect(text).toContain('[mcp_servers.baton]');
    expect(text).toContain('~/.gemini/settings.json');
    expect(baton(['prime'], { cwd: root }).stdout).toContain('`baton prime --mcp`');
    expect(baton(['prime', '--mcp', '--write', 'AGENTS.md'], { cwd: root }).code).toBe(2);
  });

  it("Claude Code's `claude mcp add --scope project` writes the .mcp.json shown", { timeout: 60_000 }, () => {
    const project = join(root, 'claude-project');
    mkdirSync(project);
    const shown = JSON.parse(snippetAfter('.mcp.json:').split('\n')[0] ?? '') as unknown;
    run(CLAUDE_BIN, ['mcp', 'add', '--scope', 'project', 'baton', '--', 'baton', 'mcp'], project, { HOME: join(root, 'claude-home') });
    const written = JSON.parse(readFileSync(join(project, '.mcp.json'), 'utf8')) as { mcpServers: { baton: Record<string, unknown> } };
    expect({ mcpServers: { baton: { ...written.mcpServers.baton, env: undefined } } }).toEqual(shown);
  });

  it('Codex reads the config.toml table as a stdio server `baton mcp` that passes BATON_AGENT on', { timeout: 60_000 }, () => {
    const codexHome = join(root, 'codex-home');
    mkdirSync(codexHome);
    writeFileSync(join(codexHome, 'config.toml'), `${snippetAfter('Codex').replace(/ +#.*$/gm, '')}\n`);
    const server = JSON.parse(run(CODEX_BIN, ['mcp', 'get', 'baton', '--json'], root, { HOME: join(root, 'codex-user'), CODEX_HOME: codexHome })) as Record<string, unknown>;
    expect(server).toMatchObject({ name: 'baton', enabled: true, transport: { type: 'stdio', command: 'baton', args: ['mcp'], env_vars: ['BATON_AGENT'] } });
  });

  it("Gemini CLI's snippet is one JSON document with a stdio server", () => {
    expect(JSON.parse(snippetAfter('Gemini CLI'))).toEqual({ mcpServers: { baton: { command: 'baton', args: ['mcp'] } } });
  });
});
