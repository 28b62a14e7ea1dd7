import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** What to do when no `claude` is found; the demo prints it and skips its run part. */
export const CLAUDE_MISSING =
  'skipping the `baton run` part: the claude CLI is not installed; run `npm install` in the baton folder, or `npm i -g @anthropic-ai/claude-code`';

/**
 * The `claude` CLI the demo drives: baton's own devDependency (`<package root>/node_modules/.bin`)
 * first, so the demo runs the version it was tested with, else whichever `claude` is on PATH.
 * `script` is the baton script being run (bin/baton.cjs, or a symlink to it); the package root
 * is the nearest folder above it that holds a package.json.
 */
export function findClaude(script: string, path: string | undefined): string | null {
  const root = packageRoot(script);
  const bundled = root === null ? null : join(root, 'node_modules', '.bin', 'claude');
  if (bundled !== null && isExecutable(bundled)) return bundled;
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'claude');
    if (isExecutable(candidate)) return candidate;
  }
  return null;
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

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
