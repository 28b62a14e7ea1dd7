import { nonOptions, skipOptions } from './command-args.js';
import type { Invocation } from './check-invocations.js';
import { inDir, joinRepoPath } from './repo-path.js';

/*
 * The scripts npm, pnpm, yarn and bun run, from their command lines: which package.json (a
 * folder's, or every workspace's) and which script names.
 */

/** Reads a command of its own (`npm exec -- vitest`), run in `dir`. */
export type Nested = (command: string, dir: string) => Invocation[];

/** Stands for the package.json of every workspace, when baton cannot tell which one runs. */
export const ALL_MANIFESTS = '**/package.json';

export function scriptsInvocation(manifest: string, names: readonly string[]): Invocation {
  return { kind: 'scripts', manifest, names: names.filter((name) => name !== '') };
}

/** Where a package manager's scripts come from: `--prefix`, `-C`, `--cwd`, one workspace or all of them. */
interface ManagerTarget {
  dir: string | null;
  allWorkspaces: boolean;
  /** What is left: the subcommand and its arguments. */
  rest: string[];
}

/**
 * Reads a package manager's options. `dirFlags` move it to another folder, `allFlags` run every
 * workspace (or one picked by name, which baton cannot resolve), `valueFlags` take a value.
 */
function managerTarget(args: readonly string[], dir: string, flags: { dirFlags: string[]; allFlags: string[]; allValueFlags: string[]; valueFlags: string[] }): ManagerTarget {
  const target: ManagerTarget = { dir, allWorkspaces: false, rest: [] };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === '--') {
      target.rest.push(...args.slice(index));
      break;
    }
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const takesValue = flags.dirFlags.includes(name) || flags.allValueFlags.includes(name) || flags.valueFlags.includes(name);
    const value = takesValue ? (inline ?? args[++index]) : undefined;
    if (flags.dirFlags.includes(name)) target.dir = value === undefined || target.dir === null ? null : joinRepoPath(target.dir, value);
    else if (flags.allFlags.includes(name)) target.allWorkspaces = true;
    else if (flags.allValueFlags.includes(name)) {
      // A workspace named by its folder is that folder; one named by package name could be any.
      const folder = value === undefined || value.startsWith('@') || !value.includes('/') ? null : joinRepoPath(dir, value);
      if (folder === null) target.allWorkspaces = true;
      else target.dir = folder;
    } else if (!name.startsWith('-')) target.rest.push(arg);
  }
  return target;
}

function manifestOf(target: ManagerTarget): string | null {
  if (target.allWorkspaces) return ALL_MANIFESTS;
  return target.dir === null ? null : inDir(target.dir, 'package.json');
}

/** An install runs the package's own lifecycle scripts (`preinstall`, `postinstall`, `prepare`), before the tests when a check does both. */
const INSTALL_SCRIPTS = ['install', 'prepare'];

const NPM_SCRIPT_COMMANDS: Record<string, string[]> = {
  test: ['test'], t: ['test'], tst: ['test'], it: [...INSTALL_SCRIPTS, 'test'], cit: [...INSTALL_SCRIPTS, 'test'],
  'install-test': [...INSTALL_SCRIPTS, 'test'], 'install-ci-test': [...INSTALL_SCRIPTS, 'test'],
  install: INSTALL_SCRIPTS, i: INSTALL_SCRIPTS, in: INSTALL_SCRIPTS, ci: INSTALL_SCRIPTS, 'clean-install': INSTALL_SCRIPTS,
  start: ['start'], stop: ['stop'], restart: ['restart', 'stop', 'start'],
};

export function npmInvocations(args: readonly string[], dir: string, nested: Nested): Invocation[] {
  const target = managerTarget(args, dir, {
    dirFlags: ['--prefix', '-C'],
    allFlags: ['--workspaces', '-ws'],
    allValueFlags: ['--workspace', '-w'],
    valueFlags: ['--loglevel', '--userconfig', '--cache', '--registry', '--script-shell', '--call', '-c'],
  });
  const [command, ...rest] = target.rest;
  const manifest = manifestOf(target);
  if (command === undefined) return [];
  if ((command === 'exec' || command === 'x') && target.dir !== null) {
    const call = args.findIndex((arg) => arg === '-c' || arg === '--call');
    const called = call >= 0 ? args[call + 1] : args.find((arg) => arg.startsWith('--call='))?.slice('--call='.length);
    return called === undefined ? execInvocations(rest, target.dir, nested) : nested(called, target.dir);
  }
  if (manifest === null) return [];
  const fixed = NPM_SCRIPT_COMMANDS[command];
  if (fixed) return [scriptsInvocation(manifest, fixed)];
  if (['run', 'run-script', 'rum', 'urn'].includes(command)) return [scriptsInvocation(manifest, rest.slice(0, 1).filter((name) => name !== '--'))];
  return [];
}

const PNPM_BUILTINS = new Set([
  'install', 'i', 'add', 'remove', 'rm', 'un', 'uninstall', 'update', 'up', 'upgrade', 'link', 'ln', 'unlink', 'import', 'rebuild', 'rb', 'prune',
  'fetch', 'outdated', 'list', 'ls', 'll', 'la', 'why', 'audit', 'licenses', 'store', 'root', 'bin', 'publish', 'pack', 'config', 'c', 'env',
  'setup', 'self-update', 'init', 'create', 'patch', 'patch-commit', 'deploy', 'server', 'dedupe', 'doctor', 'help', 'install-test', 'it',
]);

export function pnpmInvocations(args: readonly string[], dir: string, nested: Nested): Invocation[] {
  const target = managerTarget(args, dir, {
    dirFlags: ['-C', '--dir'],
    allFlags: ['-r', '--recursive'],
    allValueFlags: ['--filter', '-F', '--filter-prod'],
    valueFlags: ['--reporter', '--workspace-concurrency', '--loglevel'],
  });
  if (args.includes('-w') || args.includes('--workspace-root')) target.dir = '';
  if (['install', 'i'].includes(target.rest[0] ?? '')) return [scriptsInvocation(manifestOf(target) ?? ALL_MANIFESTS, INSTALL_SCRIPTS)];
  return managerScripts(target, nested, PNPM_BUILTINS, ['t', 'tst', 'it', 'install-test']);
}

const YARN_BUILTINS = new Set([
  'install', 'add', 'remove', 'upgrade', 'up', 'why', 'info', 'init', 'link', 'unlink', 'pack', 'publish', 'config', 'cache', 'global', 'bin',
  'dedupe', 'set', 'plugin', 'npm', 'constraints', 'patch', 'patch-commit', 'version', 'import', 'rebuild', 'check', 'audit', 'autoclean',
  'licenses', 'list', 'outdated', 'owner', 'policies', 'tag', 'team', 'generate-lock-entry', 'login', 'logout', 'help', 'create', 'explain', 'stage',
]);

export function yarnInvocations(args: readonly string[], dir: string, nested: Nested): Invocation[] {
  const target = managerTarget(args, dir, { dirFlags: ['--cwd'], allFlags: [], allValueFlags: [], valueFlags: [] });
  const [command, ...rest] = target.rest;
  if (command === 'workspaces' && (rest[0] === 'foreach' || rest[0] === 'run')) {
    const named = nonOptions(rest.slice(1), ['--from', '--include', '--exclude', '-j', '--jobs', '--since']);
    return [scriptsInvocation(ALL_MANIFESTS, (named[0] === 'run' ? named.slice(1, 2) : named.slice(0, 1)))];
  }
  if (command === 'workspace') {
    const [, script, name] = rest;
    return [scriptsInvocation(ALL_MANIFESTS, [script === 'run' ? (name ?? '') : (script ?? '')])];
  }
  if (command === 'node' && target.dir !== null) return execInvocations(['node', ...rest], target.dir, nested);
  // `yarn` alone installs.
  if (command === undefined || command === 'install') return [scriptsInvocation(manifestOf(target) ?? ALL_MANIFESTS, INSTALL_SCRIPTS)];
  return managerScripts(target, nested, YARN_BUILTINS, []);
}

const BUN_BUILTINS = new Set(['test', 'install', 'i', 'add', 'a', 'remove', 'rm', 'update', 'upgrade', 'build', 'init', 'create', 'link', 'unlink', 'pm', 'outdated', 'patch', 'publish', 'audit', 'info', 'repl']);

export function bunInvocations(args: readonly string[], dir: string, nested: Nested): Invocation[] {
  const target = managerTarget(args, dir, { dirFlags: ['--cwd'], allFlags: [], allValueFlags: ['--filter', '-F'], valueFlags: [] });
  // `bun run file.ts` and `bun file.ts` run a file, which the words of the command already name.
  if (target.rest.find((word) => word !== 'run' && !word.startsWith('-'))?.match(/\.[A-Za-z0-9]+$/)) return [];
  return managerScripts(target, nested, BUN_BUILTINS, []);
}

/** `run X`, `test`, `exec cmd`, or a script by its bare name, as pnpm, yarn and bun accept. */
function managerScripts(target: ManagerTarget, nested: Nested, builtins: ReadonlySet<string>, testAliases: readonly string[]): Invocation[] {
  const [command, ...rest] = target.rest;
  const manifest = manifestOf(target);
  if (command === undefined) return [];
  if (['exec', 'x', 'dlx'].includes(command)) return target.dir === null ? [] : execInvocations(rest, target.dir, nested);
  if (manifest === null) return [];
  if (command === 'run' || command === 'run-script') return [scriptsInvocation(manifest, rest.slice(0, 1).filter((name) => !name.startsWith('-')))];
  if (testAliases.includes(command)) return [scriptsInvocation(manifest, ['test'])];
  return builtins.has(command) || command.startsWith('-') ? [] : [scriptsInvocation(manifest, [command])];
}

/** `npm exec -- vitest run`, `pnpm exec vitest`: the rest is a command of its own. */
function execInvocations(words: readonly string[], dir: string, nested: Nested): Invocation[] {
  const command = skipOptions([...words], ['-p', '--package', '-c', '--call']);
  if (command.length === 0) return [];
  return nested(command.map(quote).join(' '), dir);
}

function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
