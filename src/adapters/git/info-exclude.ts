import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What baton keeps inside worktrees and never wants committed: run evidence, the agent's
 * `.baton/report.json`, and task worktrees under `<main worktree>/.baton/worktrees/`.
 */
export const BATON_EXCLUDE_PATTERN = '.baton/';

/**
 * Puts `pattern` into the repository's `info/exclude` (under the common dir, so every
 * worktree reads it) unless a line already holds it. `info/exclude` rather than `.gitignore`:
 * it is never committed, so baton changes nothing in the project to keep its files out.
 * Two runs racing here may both append; a repeated line is harmless.
 */
export async function ensureExcluded(commonDir: string, pattern: string = BATON_EXCLUDE_PATTERN): Promise<void> {
  const file = join(commonDir, 'info', 'exclude');
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text.split(/\r?\n/).some((line) => line.trim() === pattern)) return;
  await mkdir(join(commonDir, 'info'), { recursive: true });
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  await appendFile(file, `${separator}# baton: run evidence, agent reports and task worktrees\n${pattern}\n`);
}
