import type { ChildProcess } from 'node:child_process';
import { BatonError } from '../../core/errors.js';
import { childProcess } from '../process/child-process.js';

/** An environment as `process.env` holds it; the composition root passes it in. */
export type Environment = Readonly<Record<string, string | undefined>>;

export interface GitRunOptions {
  cwd: string;
  /**
   * The environment to start from, usually `process.env`. Variables that point git at a
   * particular repository or index are dropped from it (see `REPOSITORY_VARIABLES`). Without
   * it the child inherits this process's environment as is.
   */
  env?: Environment;
  /** Kept from `env` although they locate a repository (the pre-commit guard's index). */
  keep?: readonly string[];
  /** Written to git's stdin, which is otherwise closed. */
  input?: string;
  /** Exit codes that are answers, not failures (`merge-tree` exits 1 on conflicts). */
  okExitCodes?: readonly number[];
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Runs no code the repository's configuration names: no hooks (`core.hooksPath` pointed at
   * nothing, which also stops `git worktree add`'s post-checkout and the reference-transaction
   * hook) and no fsmonitor. For baton's own commands in a worktree an agent had its hands on.
   */
  noHooks?: boolean;
}

export interface GitOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export const GIT_TIMEOUT_MS = 30_000;
/** `-c` options that win over every config file; see `GitRunOptions.noHooks`. */
export const NO_HOOKS_CONFIG: readonly string[] = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false'];
/** How long git gets to exit after SIGTERM before it is killed outright. */
const KILL_GRACE_MS = 2_000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
const STDERR_TAIL_CHARS = 2_000;

/**
 * What git exports to hooks (and what `git rev-parse --local-env-vars` lists). Inherited by a
 * command about another worktree — a post-commit hook refreshing every footprint — they would
 * make git read the committing worktree's repository and index instead.
 */
export const REPOSITORY_VARIABLES: readonly string[] = [
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_CONFIG',
  'GIT_CONFIG_PARAMETERS',
  'GIT_CONFIG_COUNT',
  'GIT_OBJECT_DIRECTORY',
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_IMPLICIT_WORK_TREE',
  'GIT_GRAFT_FILE',
  'GIT_INDEX_FILE',
  'GIT_NO_REPLACE_OBJECTS',
  'GIT_REPLACE_REF_BASE',
  'GIT_PREFIX',
  'GIT_INTERNAL_SUPER_PREFIX',
  'GIT_SHALLOW_FILE',
  'GIT_COMMON_DIR',
];

/** A git command that failed, timed out, or could not start; carries what went wrong. */
export class GitCommandError extends BatonError {
  readonly command: string;
  readonly cwd: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  /** The last lines git wrote to stderr. */
  readonly stderrTail: string;

  constructor(fields: { args: readonly string[]; cwd: string; exitCode: number | null; signal: NodeJS.Signals | null; timedOut: boolean; stderr: string; reason?: string }) {
    const command = ['git', ...fields.args].join(' ');
    const stderrTail = fields.stderr.slice(-STDERR_TAIL_CHARS).trimEnd();
    const how = fields.reason ?? (fields.timedOut ? 'timed out' : fields.signal ? `was killed by ${fields.signal}` : `exited with ${fields.exitCode}`);
    const lastLine = stderrTail.split('\n').pop() ?? '';
    super('FAILED', `\`${command}\` ${how} in ${fields.cwd}${lastLine ? `: ${lastLine}` : ''}`, {
      command,
      cwd: fields.cwd,
      exitCode: fields.exitCode,
      signal: fields.signal,
      stderr: stderrTail,
    });
    this.name = 'GitCommandError';
    this.command = command;
    this.cwd = fields.cwd;
    this.exitCode = fields.exitCode;
    this.signal = fields.signal;
    this.timedOut = fields.timedOut;
    this.stderrTail = stderrTail;
  }
}

/**
 * Runs one git command to completion, without a shell. Read commands never take a worktree's
 * index lock (`--no-optional-locks`, the flag form of GIT_OPTIONAL_LOCKS=0): an agent may be
 * committing in that worktree at the same moment.
 */
export async function runGit(args: readonly string[], options: GitRunOptions): Promise<GitOutput> {
  // Loaded on first use: most baton commands never start git, and the module costs start-up time.
  const { spawn } = childProcess();
  // Replace refs would make git show other content under an object's name: never for baton's own reading of history.
  const fullArgs = ['--no-optional-locks', ...(options.noHooks ? ['--no-replace-objects', ...NO_HOOKS_CONFIG] : []), ...args];
  const env = options.env ? withoutRepositoryVariables(options.env, options.keep ?? []) : undefined;
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', fullArgs, {
      cwd: options.cwd,
      ...(env ? { env } : {}),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    collect(child, args, options, resolvePromise, reject);
  });
}

function collect(
  child: ChildProcess,
  args: readonly string[],
  options: GitRunOptions,
  resolvePromise: (output: GitOutput) => void,
  reject: (error: Error) => void,
): void {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let outputBytes = 0;
  let timedOut = false;
  let failure: string | undefined;
  let forceKill: NodeJS.Timeout | undefined;

  const stop = (reason: string, timeout = false): void => {
    if (failure !== undefined) return;
    failure = reason;
    timedOut = timeout;
    child.kill('SIGTERM');
    forceKill = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    forceKill.unref();
  };
  const timeoutMs = options.timeoutMs ?? GIT_TIMEOUT_MS;
  const timer = setTimeout(() => stop(`timed out after ${timeoutMs} ms`, true), timeoutMs);
  const onAbort = (): void => stop('was cancelled');
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const take = (chunks: Buffer[]) => (chunk: Buffer) => {
    outputBytes += chunk.length;
    if (outputBytes > MAX_OUTPUT_BYTES) stop(`wrote more than ${MAX_OUTPUT_BYTES} bytes`);
    else chunks.push(chunk);
  };
  child.stdout?.on('data', take(stdout));
  child.stderr?.on('data', take(stderr));
  if (options.input !== undefined) {
    // git may exit before reading all of its input (a bad revision); that is reported by its exit code.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input);
  }

  const finish = (): void => {
    clearTimeout(timer);
    if (forceKill) clearTimeout(forceKill);
    options.signal?.removeEventListener('abort', onAbort);
  };
  child.once('error', (error: NodeJS.ErrnoException) => {
    finish();
    // Node says ENOENT both for a missing git and for a missing working directory.
    const reason = error.code === 'ENOENT' ? 'could not start: git is not on PATH, or the directory does not exist' : `could not start: ${error.message}`;
    reject(new GitCommandError({ args, cwd: options.cwd, exitCode: null, signal: null, timedOut: false, stderr: '', reason }));
  });
  child.once('close', (code, signal) => {
    finish();
    const output = { exitCode: code ?? -1, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
    const ok = failure === undefined && code !== null && (options.okExitCodes ?? [0]).includes(code);
    if (ok) resolvePromise(output);
    else reject(new GitCommandError({ args, cwd: options.cwd, exitCode: code, signal, timedOut, stderr: output.stderr, ...(failure ? { reason: failure } : {}) }));
  });
}

/** `env` minus the variables that would point git at another repository or index. */
export function withoutRepositoryVariables(env: Environment, keep: readonly string[] = []): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (keep.includes(name) || !REPOSITORY_VARIABLES.includes(name))) result[name] = value;
  }
  return result;
}
