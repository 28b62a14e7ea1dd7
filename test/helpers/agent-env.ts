/**
 * Environments for runs of the real agent CLIs (node_modules/.bin) against a scripted model
 * server, as the executors take them: `request.env` is the agent's whole environment, so this
 * is all an agent gets. Each call makes its own HOME and CODEX_HOME under `dir`.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ModelServer } from '../../src/adapters/scripted-model/model-server.js';
import { writeCodexConfig } from '../model-server/agent-cli.js';
import { claudeEnvFor } from '../../src/adapters/scripted-model/claude-env.js';
import { TEST_SANDBOX_SHARE } from './sandbox-share.js';

/** Where `claude` and `codex` are installed (devDependencies). */
export const AGENT_BIN_DIR = resolve(import.meta.dirname, '../../node_modules/.bin');

/** A PATH with the agent CLIs first, then the usual system directories and the caller's PATH. */
export function agentPath(): string {
  return [AGENT_BIN_DIR, process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(':');
}

/**
 * The environment for `claude` and `codex` runs against `server`: HOME and CODEX_HOME (with
 * `config.toml` pointing Codex at the server) under `dir`, keys the server accepts, and Claude
 * Code's quiet settings (no side traffic, no updater, one retry, root allowed to bypass
 * permissions). Nothing of the caller's own configuration or keys leaks in.
 */
export function agentEnv(server: ModelServer, dir: string, extra: Record<string, string> = {}): Record<string, string> {
  const home = join(dir, 'home');
  const codexHome = join(dir, 'codex-home');
  mkdirSync(home, { recursive: true });
  writeCodexConfig(codexHome, server);
  return {
    PATH: agentPath(),
    HOME: home,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    ...claudeEnvFor(server.url),
    CODEX_HOME: codexHome,
    SCRIPTED_API_KEY: 'scripted-key',
    // The tests' tool folders and this checkout (its node_modules, bin and dist), which a contained
    // command's own temporary folders would hide where they lie below /tmp.
    BATON_SANDBOX_SHARE: TEST_SANDBOX_SHARE,
    ...extra,
  };
}
