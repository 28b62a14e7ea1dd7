import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Environment } from '../../app/run-ports.js';
import { BatonError } from '../../core/errors.js';

/** Shell builtins a `cmd:` agent may start with: nothing to find on PATH. */
const SHELL_BUILTINS = new Set(['.', ':', '[', 'cd', 'command', 'echo', 'eval', 'exec', 'exit', 'export', 'false', 'printf', 'read', 'set', 'test', 'true', 'umask', 'unset']);

/**
 * Where `name` would be found on the environment's PATH, by looking at the file system only
 * (nothing is started). A name with a slash is taken as a path.
 */
export function findOnPath(name: string, env: Environment): string | null {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** Throws AGENT_NOT_INSTALLED, naming how to install it, when `name` is not on PATH. */
export function requireOnPath(name: string, env: Environment, howToInstall: string): void {
  if (findOnPath(name, env) !== null) return;
  throw new BatonError('AGENT_NOT_INSTALLED', `${name} is not installed (not on PATH); ${howToInstall}`, { command: name });
}

/**
 * Checks the program a shell command line starts with. Builtins, and paths relative to the
 * worktree (not known here), are left for the shell to judge when it runs.
 */
export function requireCommandOnPath(command: string, env: Environment, agentName: string): void {
  const program = firstProgram(command);
  if (program === null || SHELL_BUILTINS.has(program)) return;
  if (program.includes('/') && !isAbsolute(program)) return;
  if (findOnPath(program, env) !== null) return;
  throw new BatonError(
    'AGENT_NOT_INSTALLED',
    `${program} is not installed (not on PATH), so the agent \`${agentName}\` cannot start; install it or put its directory on PATH`,
    { command: program, agent: agentName },
  );
}

/**
 * The program a shell command line runs: its first word after `NAME=value` assignments, with
 * quotes removed; null when it does not start with a plain word (a subshell, a variable).
 */
export function firstProgram(command: string): string | null {
  for (const word of leadingWords(command)) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) continue;
    return /^[^$`(){};&|<>]+$/.test(word) ? word : null;
  }
  return null;
}

/** Words at the start of a command line, quotes and backslashes undone (enough for the first few). */
function leadingWords(command: string): string[] {
  const words: string[] = [];
  const pattern = /\s*(?:'([^']*)'|"((?:[^"\\]|\\.)*)"|((?:[^\s'"\\]|\\.)+))/gy;
  let word = '';
  for (let match = pattern.exec(command); match !== null; match = pattern.exec(command)) {
    // Adjacent pieces (`a'b'c`) make one word; whitespace starts the next.
    if (/^\s/.test(match[0]) && word !== '') {
      words.push(word);
      word = '';
    }
    word += match[1] ?? (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
  }
  if (word !== '') words.push(word);
  return words;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
