import { fileLikeWord } from './check-files.js';
import { firstWord, nonOptions, skipOptions } from './command-args.js';
import { ALL_MANIFESTS, bunInvocations, npmInvocations, pnpmInvocations, scriptsInvocation, yarnInvocations, type Nested } from './package-manager-invocations.js';
import { inDir, joinRepoPath } from './repo-path.js';
import { shellTokens } from './shell-words.js';

/**
 * What a check command runs that baton can look into, found from its text alone. Paths are
 * relative to the repository root; `cwd` and `dir` are where a command runs (`''` the root).
 */
export type Invocation =
  /** Scripts of the package.json at `manifest` (a path, or a glob for every workspace); names may hold `*` (npm-run-all). */
  | { kind: 'scripts'; manifest: string; names: string[] }
  /** `make` in `dir`, reading `makefiles`, or its default makefiles when empty. */
  | { kind: 'make'; dir: string; makefiles: string[] }
  /** A file the command names; `runs`: it is run as a shell script, so what it runs counts too. */
  | { kind: 'file'; path: string; cwd: string; runs: boolean }
  /** A command runs in `dir`: the test runners' configs there and above count. */
  | { kind: 'dir'; dir: string }
  /** A tool with configs of its own (`eslint`, `tox`, `cargo`; see runner-configs.ts) runs in `dir`. */
  | { kind: 'tool'; tool: string; dir: string }
  /** `python -m <module>` runs in `dir`, which Python searches first: a module of that name there would run instead. */
  | { kind: 'python-module'; module: string; dir: string };

/** Programs that run the rest of the line as a command. */
const WRAPPERS = new Set(['time', 'nohup', 'exec', 'command', 'builtin', 'xvfb-run', 'stdbuf', 'nice', 'ionice', 'chronic', 'caffeinate', 'sudo']);
/** Shell keywords that may start a simple command in a script (`do npm test`, `then make`). */
const KEYWORDS = new Set(['!', '{', '}', 'if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until']);
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh']);
const PYTHON_RUNNERS = new Set(['uv', 'poetry', 'pipenv', 'pdm', 'hatch', 'rye']);
/** Tools whose configs count when a check runs them (runner-configs.ts). */
export const CONFIGURED_TOOLS = new Set(['eslint', 'prettier', 'biome', 'stylelint', 'ruff', 'mypy', 'flake8', 'pylint', 'black', 'tox', 'nox', 'just', 'task', 'cargo', 'deno', 'turbo', 'lerna', 'nx']);
const MAX_DEPTH = 8;

/** The invocations of `command` run in `cwd`: each simple command, after `cd`, in `&&` chains and subshells. */
export function commandInvocations(command: string, cwd: string, depth = 0): Invocation[] {
  if (depth > MAX_DEPTH) return [];
  const found: Invocation[] = [];
  const outer: (string | null)[] = [];
  let dir: string | null = cwd;
  let words: string[] = [];
  const flush = (): void => {
    const module = pythonModule(words);
    const simple = unwrap(words);
    words = [];
    if (module !== null && dir !== null) found.push({ kind: 'python-module', module, dir });
    if (simple.length === 0) return;
    const [program, ...args] = simple as [string, ...string[]];
    // An unknown folder (`cd $TMP`) runs nothing baton can attribute to the repository.
    if (program === 'cd' || program === 'pushd') dir = dir === null || args[0] === undefined ? null : joinRepoPath(dir, args[0]);
    else if (dir !== null) found.push(...simpleInvocations(simple, dir, depth));
  };
  for (const token of shellTokens(command)) {
    if (token.kind === 'word') words.push(token.text);
    else {
      flush();
      if (token.op === '(') outer.push(dir);
      else if (token.op === ')' && outer.length > 0) dir = outer.pop() ?? null;
    }
  }
  flush();
  return found;
}

/** The words of a simple command without what only wraps it: `FOO=1`, `env`, `npx`, `cross-env`, `python -m`. */
function unwrap(input: readonly string[]): string[] {
  let words = [...input];
  for (let guard = 0; guard < 20 && words.length > 0; guard++) {
    const first = words[0] as string;
    const program = programName(first);
    if (KEYWORDS.has(first) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(first)) words = words.slice(1);
    else if (WRAPPERS.has(program)) words = skipOptions(words.slice(1), ['-n', '-u', '-g', '-c', '-o', '-e', '-i']);
    // Assignments after `env` go on the next round.
    else if (program === 'env' || program === 'cross-env' || program === 'cross-env-shell') words = skipOptions(words.slice(1), ['-u', '--unset', '-C', '--chdir']);
    else if (program === 'timeout') words = skipOptions(words.slice(1), ['-s', '--signal', '-k', '--kill-after']).slice(1);
    else if (program === 'npx' || program === 'pnpx' || program === 'bunx') words = npxCommand(words.slice(1));
    else if (program === 'dotenv' || program === 'dotenv-cli') words = afterDoubleDash(words.slice(1));
    else if (PYTHON_RUNNERS.has(program) && words[1] === 'run') words = skipOptions(words.slice(2), ['--with', '--group', '--extra', '--env-file', '-p', '--project', '--python']);
    else if (/^python(\d+(\.\d+)*)?$/.test(program) && words.includes('-m')) words = words.slice(words.indexOf('-m') + 1);
    else break;
  }
  return words;
}

/** The top-level module a `python -m pkg.mod` (behind any wrappers) runs, or null. */
function pythonModule(input: readonly string[]): string | null {
  const at = input.findIndex((word) => /^python(\d+(\.\d+)*)?$/.test(programName(word).split('/').pop() ?? ''));
  if (at < 0) return null;
  const flag = input.indexOf('-m', at);
  const module = flag < 0 ? undefined : input[flag + 1];
  return module !== undefined && /^[A-Za-z_][\w.]*$/.test(module) ? (module.split('.')[0] as string) : null;
}

/** `npx -y vitest run` → `vitest run`; `npx -c 'cmd'` → `sh -c 'cmd'`. */
function npxCommand(words: string[]): string[] {
  const call = words.findIndex((word) => word === '-c' || word === '--call');
  if (call >= 0 && words[call + 1] !== undefined) return ['sh', '-c', words[call + 1] as string];
  return skipOptions(words, ['-p', '--package']);
}

function afterDoubleDash(words: string[]): string[] {
  const dash = words.indexOf('--');
  return dash >= 0 ? words.slice(dash + 1) : skipOptions(words, ['-e', '-v', '-c']);
}

/** `./node_modules/.bin/vitest` → `vitest`; a script path keeps its path. */
function programName(word: string): string {
  return /(^|\/)node_modules\/\.bin\//.test(word) ? (word.split('/').pop() as string) : word;
}

function simpleInvocations(words: readonly string[], dir: string, depth: number): Invocation[] {
  const [first, ...args] = words as [string, ...string[]];
  const program = programName(first);
  const found: Invocation[] = [{ kind: 'dir', dir }];
  for (const word of words) {
    // `--config=vitest.ci.ts` names a file as much as `--config vitest.ci.ts` does.
    const value = word.startsWith('-') && word.includes('=') ? word.slice(word.indexOf('=') + 1) : word;
    const file = fileLikeWord(value);
    const path = file === null ? null : joinRepoPath(dir, file);
    if (path !== null) found.push({ kind: 'file', path, cwd: dir, runs: false });
  }
  // `./scripts/test.sh` runs a script whose own commands count; a binary or a JavaScript file is not read as one.
  if (program.includes('/') && !program.startsWith('/') && (/\.(sh|bash)$/.test(program) || !/\.[A-Za-z0-9]+$/.test(program))) {
    const path = joinRepoPath(dir, program);
    if (path !== null) found.push({ kind: 'file', path, cwd: dir, runs: true });
  }
  const nestedAt: Nested = (command, at) => commandInvocations(command, at, depth + 1);
  const nested = (command: string): Invocation[] => nestedAt(command, dir);
  const base = program.split('/').pop() as string;
  if (SHELLS.has(base)) found.push(...shellInvocations(args, dir, nested));
  else if (base === 'npm') found.push(...npmInvocations(args, dir, nestedAt));
  else if (base === 'pnpm') found.push(...pnpmInvocations(args, dir, nestedAt));
  else if (base === 'yarn') found.push(...yarnInvocations(args, dir, nestedAt));
  else if (base === 'bun') found.push(...bunInvocations(args, dir, nestedAt));
  else if (base === 'make' || base === 'gmake') found.push(makeInvocation(args, dir));
  else if (base === 'run-s' || base === 'run-p' || base === 'npm-run-all' || base === 'npm-run-all2') found.push(scriptsInvocation(inDir(dir, 'package.json'), nonOptions(args, ['--npm-path', '--max-parallel']).map(firstWord)));
  else if (base === 'concurrently') found.push(...concurrentlyInvocations(args, dir, nested));
  if (CONFIGURED_TOOLS.has(base)) found.push({ kind: 'tool', tool: base, dir });
  // pytest puts the project's root on Python's path before it is done importing.
  if (base === 'pytest' || base === 'py.test') found.push({ kind: 'python-module', module: 'pytest', dir });
  if (base === 'turbo' || base === 'lerna' || base === 'nx') found.push(scriptsInvocation(ALL_MANIFESTS, monorepoTargets(base, args)));
  return found;
}

function shellInvocations(args: readonly string[], dir: string, nested: (command: string) => Invocation[]): Invocation[] {
  const flag = args.findIndex((arg) => /^-[a-z]*c[a-z]*$/.test(arg));
  if (flag >= 0 && args[flag + 1] !== undefined) return nested(args[flag + 1] as string);
  const script = args.find((arg) => !arg.startsWith('-') && !arg.startsWith('+'));
  const path = script === undefined ? null : joinRepoPath(dir, script);
  return path === null ? [] : [{ kind: 'file', path, cwd: dir, runs: true }];
}

function makeInvocation(args: readonly string[], dir: string): Invocation {
  let makeDir: string | null = dir;
  const files: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    const valueOf = (short: string, long: string[]): string | undefined => {
      if (arg === short || long.includes(arg)) return args[++index];
      const inline = long.find((name) => arg.startsWith(`${name}=`));
      if (inline) return arg.slice(inline.length + 1);
      return arg.startsWith(short) && arg.length > 2 && !arg.startsWith('--') ? arg.slice(2) : undefined;
    };
    const folder = valueOf('-C', ['--directory']);
    const file = folder === undefined ? valueOf('-f', ['--file', '--makefile']) : undefined;
    if (folder !== undefined) makeDir = makeDir === null ? null : joinRepoPath(makeDir, folder);
    else if (file !== undefined) files.push(file);
  }
  if (makeDir === null) return { kind: 'dir', dir };
  const target = makeDir;
  // make reads `-f` files from the folder `-C` moved it to.
  const makefiles = files.map((file) => joinRepoPath(target, file)).filter((path) => path !== null);
  return { kind: 'make', dir: target, makefiles };
}

function concurrentlyInvocations(args: readonly string[], dir: string, nested: (command: string) => Invocation[]): Invocation[] {
  const commands = nonOptions(args, ['-n', '--names', '-c', '--prefix-colors', '-p', '--prefix', '-s', '--success', '-m', '--max-processes', '-t', '--timestamp-format', '--restart-tries', '--restart-after', '--name-separator']);
  return commands.flatMap((command) => {
    const shorthand = /^(npm|pnpm|yarn|bun):(\S+)/.exec(command);
    return shorthand ? [scriptsInvocation(inDir(dir, 'package.json'), [shorthand[2] as string])] : nested(command);
  });
}

/** The targets of `turbo run a b`, `lerna run a`, `nx run-many -t a b`, `nx run project:target`, `nx test project`. */
function monorepoTargets(tool: string, args: readonly string[]): string[] {
  const words = nonOptions(args, ['--filter', '-F', '--concurrency', '--scope', '--ignore', '--projects', '-p', '--exclude', '--parallel', '--cache-dir', '--output-logs']);
  if (tool === 'nx') {
    const listed = args.flatMap((arg, index) => {
      if (arg === '-t' || arg === '--target' || arg === '--targets') return (args[index + 1] ?? '').split(',');
      return /^--targets?=/.test(arg) ? arg.slice(arg.indexOf('=') + 1).split(',') : [];
    });
    if (listed.length > 0) return listed;
    if (words[0] === 'run') return words.slice(1, 2).map((spec) => spec.split(':')[1] ?? '');
    return words.slice(0, 1);
  }
  return words[0] === 'run' ? words.slice(1) : words;
}
