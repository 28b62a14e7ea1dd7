import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findOnPath } from '../../adapters/agents/installed.js';

/** What to do when no `claude` is found; the demo prints it and skips its run part. */
export const CLAUDE_MISSING =
  'skipping the `baton run` part: the claude CLI is not installed; install it with `npm i -g @anthropic-ai/claude-code` (in a clone of baton, `npm install` brings it)';

/**
 * The `claude` CLI the demo drives: baton's own devDependency (`<package root>/node_modules/.bin`)
 * first, so the demo runs the version it was tested with, else whichever `claude` is on PATH.
 * `script` is the baton script being run (bin/baton.cjs, or a symlink to it); the package root
 * is the nearest folder above it that holds a package.json.
 */
export function findClaude(script: string, path: string | undefined): string | null {
  const root = packageRoot(script);
  const bundled = root === null ? null : findOnPath(join(root, 'node_modules', '.bin', 'claude'), {});
  return bundled ?? findOnPath('claude', { PATH: path });
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
