import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { runInProcess } from './in-process-cli.js';
import { TEST_SANDBOX_SHARE } from './sandbox-share.js';

/** The built CLI, as users run it. Tests run `npm run build` first (see README). */
export const BATON_BIN = resolve(import.meta.dirname, '../../bin/baton.cjs');

export interface BatonResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  input?: string;
}

/** The environment the tests' commands get: this process's, no colour, agent `tester`, the sandbox share. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', BATON_AGENT: 'tester', BATON_SANDBOX_SHARE: TEST_SANDBOX_SHARE, ...extra };
  for (const [key, value] of Object.entries(extra)) if (value === undefined) delete env[key];
  return env;
}

/**
 * Commands that need a process of their own: they start agents and watchdogs, wait for
 * signals (`serve`), read stdin (`mcp`), or name the running script (`schema`, `hooks`, the demo).
 */
const NEEDS_A_PROCESS = new Set(['run', 'demo', 'hooks', 'schema', 'import', 'merge', 'approve', 'queue', 'gc', 'mcp', 'serve']);
/** Variables that act on the Node process itself, which an in-process command would not see. */
const PROCESS_VARIABLES = ['NODE_OPTIONS', 'TZ', 'TMPDIR', 'XDG_CACHE_HOME'];

/** The command word of an argument list, as the CLI finds it (values of --db/--as skipped). */
function commandWord(args: readonly string[]): string | undefined {
  return args.find((token, index) => !token.startsWith('-') && args[index - 1] !== '--db' && args[index - 1] !== '--as');
}

/**
 * Whether `baton()` may run a command in-process (see in-process-cli.ts): the same `runCli` the
 * binary runs, minus bin/baton.cjs's loader and bin.ts's stdio, which every spawned command
 * (`batonAsync`, `spawnBaton`, the runs, the install test) still goes through.
 * `BATON_TEST_SPAWN=1` spawns every command, as the suite did before.
 */
function inProcessAllowed(args: readonly string[], options: RunOptions): boolean {
  if (process.env.BATON_TEST_SPAWN === '1' || (options.input ?? '') !== '') return false;
  const word = commandWord(args);
  if (word !== undefined && NEEDS_A_PROCESS.has(word)) return false;
  if (word === 'watch' && (args.includes('--follow') || args.includes('-f'))) return false;
  return !PROCESS_VARIABLES.some((name) => options.env?.[name] !== undefined);
}

/** Runs a command of the real CLI and waits for it: in-process where that is the same (see above), else the binary. */
export function baton(args: readonly string[], options: RunOptions): BatonResult {
  if (inProcessAllowed(args, options)) {
    const env = Object.fromEntries(Object.entries(childEnv(options.env)).filter((entry): entry is [string, string] => entry[1] !== undefined));
    return runInProcess({ args: [...args], cwd: resolve(options.cwd), env }, 60_000);
  }
  const result = spawnSync(process.execPath, [BATON_BIN, ...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the real binary without blocking the test, for races between processes. */
export function batonAsync(args: readonly string[], options: RunOptions): Promise<BatonResult> {
  return nodeScriptAsync(BATON_BIN, args, options);
}

/** Runs a Node script (a baton binary installed elsewhere, say) as `batonAsync` runs baton's. */
export function nodeScriptAsync(script: string, args: readonly string[], options: RunOptions): Promise<BatonResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

/** Parses the single JSON document a `--json` command prints. */
export function json<T = Record<string, unknown>>(result: BatonResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not one JSON document (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

/**
 * An NDJSON stream (`run --ready --json`): every line one JSON document; the events (lines with
 * `event`) and the summary (the last line).
 */
export function ndjson<T = Record<string, unknown>>(result: BatonResult): { events: Record<string, unknown>[]; summary: T } {
  const lines = result.stdout.split('\n').filter((line) => line.trim() !== '');
  const documents = lines.map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`not one JSON document per line (exit ${result.code}):\n${line}\n${result.stderr}`);
    }
  });
  const summary = documents.at(-1);
  if (summary === undefined || 'event' in summary) throw new Error(`no summary line (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return { events: documents.slice(0, -1).map((document) => document.event as Record<string, unknown>), summary: summary as T };
}

/** A fresh git repository in a temp folder, removed by the returned `cleanup`. */
export function makeRepo(prefix = 'baton-test-'): { dir: string; db: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['config', 'user.name', 'Test User']);
  git(dir, ['config', 'user.email', 'test@example.com']);
  return { dir, db: join(dir, '.git', 'baton', 'baton.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function git(cwd: string, args: readonly string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/**
 * A fingerprint of the board file after folding the WAL into it: equal fingerprints before
 * and after a refused command prove it left the board byte-for-byte unchanged.
 */
export function boardFingerprint(dbPath: string): string {
  if (!existsSync(dbPath)) return 'missing';
  const db = new Database(dbPath);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return createHash('sha256').update(readFileSync(dbPath)).digest('hex');
}

export interface RunningBaton {
  /** Lines printed so far. */
  lines: string[];
  /** Resolves with all lines once one matches, or rejects after `timeoutMs`. */
  waitFor(match: (line: string) => boolean, timeoutMs: number): Promise<string[]>;
  /** Settles when the process exits, with its exit code and stderr. */
  exited: Promise<{ code: number | null; stderr: string }>;
  /** The process id, for what /proc says about it. */
  pid: number | undefined;
  stop(): void;
}

/** Starts a long-running command (`watch --follow`) and collects its stdout lines. */
export function spawnBaton(args: readonly string[], options: RunOptions): RunningBaton {
  const child = spawn(process.execPath, [BATON_BIN, ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolveExit) =>
    child.on('close', (code) => resolveExit({ code, stderr })),
  );
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line !== ''));
    for (const waiter of [...waiters]) waiter();
  });
  return {
    lines,
    waitFor(match, timeoutMs) {
      return new Promise((resolvePromise, reject) => {
        const check = (): void => {
          if (!lines.some(match)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolvePromise([...lines]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching line within ${timeoutMs} ms; got:\n${lines.join('\n')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    exited,
    pid: child.pid,
    stop: () => child.kill('SIGTERM'),
  };
}
