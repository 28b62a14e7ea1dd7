import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findOnPath } from '../../adapters/agents/installed.js';

/** The agent CLIs the fleet part drives, and the npm package each comes in. */
export const DEMO_AGENT_PACKAGES = { claude: '@anthropic-ai/claude-code', codex: '@openai/codex' } as const;
export type DemoAgent = keyof typeof DEMO_AGENT_PACKAGES;

/** Where each agent CLI is; absent ones are missing. */
export type AgentClis = Partial<Record<DemoAgent, string>>;

/**
 * The agent CLIs the demo drives: baton's own devDependencies (`<package root>/node_modules/.bin`)
 * first, so the demo runs the versions it was tested with, else whichever is on PATH. `script`
 * is the baton script being run (bin/baton.cjs, or a symlink to it); the package root is the
 * nearest folder above it that holds a package.json.
 */
export function findAgentClis(script: string, path: string | undefined): AgentClis {
  const root = packageRoot(script);
  const found: AgentClis = {};
  for (const name of Object.keys(DEMO_AGENT_PACKAGES) as DemoAgent[]) {
    const bundled = root === null ? null : findOnPath(join(root, 'node_modules', '.bin', name), {});
    const cli = bundled ?? findOnPath(name, { PATH: path });
    if (cli !== null) found[name] = cli;
  }
  return found;
}

/** What to do when some are missing; the demo prints it and skips its fleet part. Null: none is. */
export function missingAgentsText(clis: AgentClis): string | null {
  const missing = (Object.keys(DEMO_AGENT_PACKAGES) as DemoAgent[]).filter((name) => clis[name] === undefined);
  if (missing.length === 0) return null;
  const names = missing.map((name) => `the ${name} CLI`).join(' and ');
  const install = missing.map((name) => DEMO_AGENT_PACKAGES[name]).join(' ');
  return `skipping the fleet part: ${names} ${missing.length === 1 ? 'is' : 'are'} not installed; install with \`npm i -g ${install}\` (in a clone of baton, \`npm install\` brings ${missing.length === 1 ? 'it' : 'them'})`;
}

function packageRoot(script: string): string | null {
  let dir: string;
  try {
    dir = dirname(realpathSync(script));
  } catch {
    return null;
  }
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
