import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { BatonError } from '../../core/errors.js';

/** The environment variable that turns `baton demo` into one of its agents (see demo.ts). */
export const DEMO_ROLE_VARIABLE = 'BATON_DEMO_ROLE';

/** How to start the baton CLI again: this Node binary and this script. */
export interface BatonBinary {
  node: string;
  script: string;
}

export interface ChildResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one baton command in `cwd` as `agent`, like an agent would from its shell. */
export type BatonRunner = (args: readonly string[]) => Promise<ChildResult>;

/**
 * Starts a long-running baton command and resolves with the first burst of lines it prints
 * (an empty list on timeout), then stops it.
 */
export type FirstLines = (args: readonly string[], timeoutMs: number) => Promise<string[]>;

const COMMAND_TIMEOUT_MS = 30_000;
const KILL_GRACE_MS = 2_000;
/** How long to keep reading after the first line, so events written together arrive together. */
const BURST_MS = 30;

/**
 * The environment for a child: the caller's, minus anything that would point it at another
 * board or repository, acting as `agent`, without colour.
 */
export function childEnv(base: Readonly<Record<string, string | undefined>>, agent: string, role?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, NO_COLOR: '1', BATON_AGENT: agent };
  for (const name of ['BATON_DB', 'BATON_DATABASE_URL', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE', DEMO_ROLE_VARIABLE]) {
    delete env[name];
  }
  if (role !== undefined) env[DEMO_ROLE_VARIABLE] = role;
  return env;
}

/** Baton commands run as a child in `cwd` with `env`, as an agent's shell would run them. */
export function batonRunner(binary: BatonBinary, cwd: string, env: NodeJS.ProcessEnv): BatonRunner {
  return (args) => runChild(binary.node, [binary.script, ...args], cwd, env);
}

/** Long-running baton commands (`watch --follow`) read until their first burst of lines. */
export function batonFirstLines(binary: BatonBinary, cwd: string, env: NodeJS.ProcessEnv): FirstLines {
  return (args, timeoutMs) =>
    new Promise((resolve, reject) => {
      const child = spawn(binary.node, [binary.script, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'ignore'] });
      const lines: string[] = [];
      let timer = setTimeout(finish, timeoutMs);
      let finished = false;
      function finish(): void {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        stopChild(child).then(() => resolve(lines), reject);
      }
      onLines(child.stdout, (line) => {
        if (lines.push(line) > 1) return;
        clearTimeout(timer);
        timer = setTimeout(finish, BURST_MS);
      });
      child.on('error', reject);
      child.on('close', finish);
    });
}

/** Runs a command to its end; a command that hangs is killed after COMMAND_TIMEOUT_MS. */
export function runChild(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, stdout, stderr: signal ? `${stderr}killed by ${signal}` : stderr }));
  });
}

/** Calls `onLine` for every complete line the stream prints. */
export function onLines(stream: Readable, onLine: (line: string) => void): void {
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') onLine(line);
  });
}

/** Resolves with the exit code once the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? -1);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
}

/**
 * Asks the child to stop, then kills it if it has not exited within the grace period. With
 * `group`, the signals go to its whole process group (a child spawned `detached`), so the
 * commands it started itself stop with it.
 */
export async function stopChild(child: ChildProcess, group = false): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const send = (signal: NodeJS.Signals): void => {
    try {
      if (group && child.pid !== undefined) return void process.kill(-child.pid, signal);
    } catch {
      // The group is gone, or the platform has no process groups: signal the child alone.
    }
    child.kill(signal);
  };
  send('SIGTERM');
  const timer = setTimeout(() => send('SIGKILL'), KILL_GRACE_MS);
  await exited(child);
  clearTimeout(timer);
}

/** The parsed JSON document of a `--json` run. */
export function documentOf<T>(result: ChildResult, what: string): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new BatonError('FAILED', `\`baton ${what}\` printed no JSON document (exit ${result.code}): ${tail(result.stderr || result.stdout)}`);
  }
}

/** The error code of a failed `--json` run, if it printed one. */
export function errorCodeOf(result: ChildResult): string | undefined {
  try {
    return (JSON.parse(result.stdout) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/** Runs a baton command that must succeed; a failure names the command and what it printed. */
export async function must(baton: BatonRunner, args: readonly string[]): Promise<ChildResult> {
  const result = await baton(args);
  if (result.code !== 0) throw commandFailed(args.slice(0, 2).join(' '), result);
  return result;
}

/** A refusal that names the command, its exit code and the end of what it printed. */
export function commandFailed(what: string, result: ChildResult): BatonError {
  return new BatonError('FAILED', `\`baton ${what}\` failed with exit ${result.code}: ${tail(result.stderr || result.stdout)}`);
}

export function tail(text: string, length = 400): string {
  const trimmed = text.trim();
  return trimmed.length <= length ? trimmed : `...${trimmed.slice(-length)}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
