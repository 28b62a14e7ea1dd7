/**
 * Runs the real agent CLIs (installed as devDependencies) against a scripted model server:
 * each run with its own HOME / CODEX_HOME, no stdin, in its own process group, and a timeout
 * that kills the whole group. Qwen Code is pointed at the server by its command line
 * (`qwenModelArgs`), headless here and over ACP in the `acp:` executor's tests.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ModelServer } from '../../src/adapters/scripted-model/model-server.js';
import { claudeEnvFor } from '../../src/adapters/scripted-model/claude-env.js';
import { codexConfigFor } from '../../src/adapters/scripted-model/codex-config.js';
import { procProcessTable } from '../../src/adapters/process/process-table.js';

const BIN = resolve(import.meta.dirname, '../../node_modules/.bin');
export const CLAUDE_BIN = join(BIN, 'claude');
export const CODEX_BIN = join(BIN, 'codex');
export const QWEN_BIN = join(BIN, 'qwen');

/** A command line ready to spawn. */
export interface AgentCommand {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/** Only what the CLIs need: nothing of the caller's own configuration or keys leaks in. */
function baseEnv(home: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', TERM: 'dumb', NO_COLOR: '1' };
}

export interface ClaudeOptions {
  server: ModelServer;
  home: string;
  cwd: string;
  prompt: string;
  /** Presets the session id (`--session-id`), so a later run can `--resume` it. */
  sessionId?: string;
  resume?: string;
  env?: Record<string, string>;
}

/**
 * `claude -p` with stream-json output. `bypassPermissions` lets scripted tools run without
 * prompts; as root it also needs `IS_SANDBOX=1`. Non-essential traffic is off, which drops the
 * session-title side request, and retries are few so a 429 ends in about a second.
 */
export function claudeCommand(options: ClaudeOptions): AgentCommand {
  const session = options.resume ? ['--resume', options.resume] : options.sessionId ? ['--session-id', options.sessionId] : [];
  return {
    command: CLAUDE_BIN,
    args: ['-p', options.prompt, '--output-format', 'stream-json', '--verbose', '--permission-mode', 'bypassPermissions', ...session],
    cwd: options.cwd,
    env: {
      ...baseEnv(options.home),
      ...claudeEnvFor(options.server.url),
      ...options.env,
    },
  };
}

/** Writes `config.toml` pointing Codex at the server as a custom Responses provider. */
export function writeCodexConfig(codexHome: string, server: ModelServer): void {
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), codexConfigFor(server.url));
}

export interface CodexOptions {
  /** Holds `config.toml` (see `writeCodexConfig`) and the session store. */
  codexHome: string;
  home: string;
  cwd: string;
  prompt: string;
  /** A thread id from a previous run's `thread.started`: runs `codex exec resume`. */
  resume?: string;
  env?: Record<string, string>;
}

/**
 * `codex exec --json` with a writable workspace. `exec resume` forgets the sandbox, so it is
 * passed again as `-c sandbox_mode=...`.
 */
export function codexCommand(options: CodexOptions): AgentCommand {
  const args = options.resume
    ? ['exec', 'resume', '--json', '-c', 'sandbox_mode="workspace-write"', options.resume, options.prompt]
    : ['exec', '--json', '--sandbox', 'workspace-write', '-C', options.cwd, options.prompt];
  return {
    command: CODEX_BIN,
    args,
    cwd: options.cwd,
    env: { ...baseEnv(options.home), CODEX_HOME: options.codexHome, SCRIPTED_API_KEY: 'scripted-key', ...options.env },
  };
}

/**
 * Qwen Code's switches for an OpenAI-compatible provider at the server (Chat Completions), the
 * same for `qwen PROMPT` and `qwen --acp`.
 */
export function qwenModelArgs(server: Pick<ModelServer, 'url'>): string[] {
  return ['--auth-type', 'openai', '--openai-base-url', `${server.url}/v1`, '--openai-api-key', 'scripted-key', '-m', 'scripted-model'];
}

/**
 * Writes Qwen Code's user settings under `home`: no retries inside its OpenAI client, so a 429
 * costs only Qwen's own backoff (7 attempts, about 80 s) rather than four requests per attempt.
 */
export function writeQwenSettings(home: string): void {
  mkdirSync(join(home, '.qwen'), { recursive: true });
  writeFileSync(join(home, '.qwen', 'settings.json'), `${JSON.stringify({ model: { generationConfig: { maxRetries: 0 } } }, null, 2)}\n`);
}

export interface QwenOptions {
  server: ModelServer;
  home: string;
  cwd: string;
  prompt: string;
  env?: Record<string, string>;
}

/** `qwen PROMPT --output-format stream-json` in yolo mode, so scripted tools run without prompts. */
export function qwenCommand(options: QwenOptions): AgentCommand {
  writeQwenSettings(options.home);
  return {
    command: QWEN_BIN,
    args: [options.prompt, '--output-format', 'stream-json', '--approval-mode', 'yolo', ...qwenModelArgs(options.server)],
    cwd: options.cwd,
    env: { ...baseEnv(options.home), ...options.env },
  };
}

export interface AgentRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout's JSON lines, parsed; other lines are skipped. */
  events: Record<string, unknown>[];
  timedOut: boolean;
}

export interface RunningAgent {
  /** The process group id (the leader's pid). */
  pgid: number;
  exited: Promise<AgentRun>;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once the leader has exited. */
  stop(graceMs?: number): Promise<AgentRun>;
}

function parseEvents(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Live (non-zombie) processes of a process group, from /proc. `kill(-pgid, 0)` is no test: a
 * container's PID 1 may never reap the orphans it inherits, so a dead group can linger as zombies.
 */
export function groupMembers(pgid: number): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      return [];
    }
    // Fields after the command name, which may itself hold spaces and parentheses.
    const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(group) === pgid && state !== 'Z' && state !== 'X' ? [Number(entry)] : [];
  });
}

/** Whether `pid` is a live process, not a zombie (see process-table.ts). */
export function processAlive(pid: number): boolean {
  return procProcessTable.isAlive(pid);
}

/** True while any process of the group is alive. */
export function groupAlive(pgid: number): boolean {
  return groupMembers(pgid).length > 0;
}

/**
 * The group's live processes once it has emptied, or those left after `timeoutMs`. A process
 * sent SIGKILL can do nothing more, but under load it may take a moment to be gone from /proc.
 */
export async function groupLeft(pgid: number, timeoutMs = 2_000): Promise<number[]> {
  await groupGone(pgid, timeoutMs);
  return groupMembers(pgid);
}

/** Resolves once no live process is left in the group, or after `timeoutMs`. */
async function groupGone(pgid: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((resolveWait) => setTimeout(resolveWait, 20));
}

/** Starts the agent in its own process group with stdin closed; settles once the whole group is gone. */
export function startAgent(agent: AgentCommand, timeoutMs = 90_000): RunningAgent {
  const child = spawn(agent.command, agent.args, { cwd: agent.cwd, env: agent.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const pgid = child.pid;
  if (pgid === undefined) throw new Error(`could not start ${agent.command}`);
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = (graceMs = 3_000): Promise<AgentRun> => {
    signalGroup(pgid, 'SIGTERM');
    killTimer ??= setTimeout(() => signalGroup(pgid, 'SIGKILL'), graceMs);
    return exited;
  };
  const deadline = setTimeout(() => {
    timedOut = true;
    void stop();
  }, timeoutMs);
  const exited = new Promise<AgentRun>((resolveRun, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      clearTimeout(killTimer);
      // The leader is gone; anything it left behind in its group goes with it.
      signalGroup(pgid, 'SIGKILL');
      void groupGone(pgid).then(() => resolveRun({ code, signal, stdout, stderr, events: parseEvents(stdout), timedOut }));
    });
  });
  return { pgid, exited, stop };
}

/** Runs the agent to the end (or its timeout). */
export function runAgent(agent: AgentCommand, timeoutMs?: number): Promise<AgentRun> {
  return startAgent(agent, timeoutMs).exited;
}

/** A readable summary for assertion messages. */
export function describeRun(run: AgentRun): string {
  return `exit ${run.code} signal ${run.signal} timedOut ${run.timedOut}\n--- stdout\n${run.stdout.slice(-4000)}\n--- stderr\n${run.stderr.slice(-2000)}`;
}
