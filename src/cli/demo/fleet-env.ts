import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { claudeEnvFor } from '../../adapters/scripted-model/claude-env.js';
import { CODEX_KEY_VARIABLE, codexConfigFor } from '../../adapters/scripted-model/codex-config.js';
import { childEnv } from './child.js';
import { AGENT_FOLDER } from './fleet-project.js';

/** The agent CLIs, the Node that runs the project's test, and the scripted model they talk to. */
export interface FleetTools {
  clis: readonly string[];
  node: string;
  serverUrl: string;
}

/** Anything the user set for Claude Code, Codex, Anthropic or OpenAI, or for where tools keep their files. */
const USER_AGENT_SETTINGS = /^(ANTHROPIC_|CLAUDE_|CODEX_|OPENAI_)|^CLAUDECODE$|^XDG_(CONFIG|DATA|STATE|CACHE)_HOME$|^(TMP|TEMP)$/;

/**
 * Makes the agents' HOME and temporary folder in the scratch repository, with Codex's config
 * (~/.codex/config.toml) pointing it at the scripted model. Claude Code needs no file: its
 * environment points it there.
 */
export function prepareAgentHome(repo: string, serverUrl: string): void {
  const codexHome = join(agentHome(repo), '.codex');
  for (const dir of [codexHome, agentTmp(repo)]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), codexConfigFor(serverUrl));
}

/**
 * The environment of the supervisor, which hands it on to every agent and check, and of the
 * person who approves: pointed at the scripted model, with the HOME and TMPDIR of
 * prepareAgentHome (none of the user's settings, keys or sessions), quiet (no side traffic, no
 * updater, one retry), and allowed to bypass permissions as root.
 */
export function fleetEnv(base: Readonly<Record<string, string | undefined>>, repo: string, actor: string, tools: FleetTools): NodeJS.ProcessEnv {
  const env = childEnv(base, actor);
  for (const name of Object.keys(env)) if (USER_AGENT_SETTINGS.test(name)) delete env[name];
  // The model is on loopback: a proxy the user has set must not be asked for it.
  const noProxy = [env.NO_PROXY ?? env.no_proxy, '127.0.0.1', 'localhost'].filter(Boolean).join(',');
  const programs = [...new Set([...tools.clis, tools.node].map((path) => dirname(path)))];
  return {
    ...env,
    // The agent CLIs first, then this Node for the project's `node test.mjs`.
    PATH: [...programs, env.PATH].filter(Boolean).join(delimiter),
    HOME: agentHome(repo),
    TMPDIR: agentTmp(repo),
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    ...claudeEnvFor(tools.serverUrl),
    [CODEX_KEY_VARIABLE]: 'scripted-key',
  };
}

function agentHome(repo: string): string {
  return join(repo, AGENT_FOLDER, 'home');
}

/** Claude Code's per-user temporary folder and baton run's HOME-layer mount point go here, removed with the demo. */
function agentTmp(repo: string): string {
  return join(repo, AGENT_FOLDER, 'tmp');
}
