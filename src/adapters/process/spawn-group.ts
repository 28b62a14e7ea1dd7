import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { signalGroup, trackGroup } from './group-registry.js';
import { LineSplitter, OutputTail } from './output-lines.js';
import { ProcessError } from './process-error.js';
import { childProcess } from './child-process.js';

/** An environment as `process.env` holds it; the composition root passes it in. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** What the command reads: nothing (agents treat piped input as part of the prompt), a text, or a pipe. */
export type StdinSource = { kind: 'closed' } | { kind: 'text'; text: string } | { kind: 'pipe' };

export interface SpawnGroupOptions {
  cwd: string;
  /** The child's whole environment; without it the child inherits baton's. */
  env?: Environment;
  /** Runs `argv[0]` as a `/bin/sh -c` script; the rest of argv become `$1`, `$2`... */
  shell?: boolean;
  stdin?: StdinSource;
  /** Wall-clock limit for the whole run. */
  timeoutMs?: number;
  /** Limit on silence: no byte on stdout or stderr for this long ends the run. */
  idleTimeoutMs?: number;
  /**
   * The limit on silence before the first byte, when longer than `idleTimeoutMs`: a program that
   * loads for seconds on a busy machine is starting, not hung.
   */
  startupIdleTimeoutMs?: number;
  /** How long the group gets between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** Aborting it stops the group, like a timeout. */
  signal?: AbortSignal;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  /** How much of each stream the result keeps. */
  tailChars?: number;
  /** Starts another command instead, given the one it would start (see containment.ts). */
  wrap?: (command: CommandLine) => CommandLine;
}

/** A command as it would be started: the argv (after `shell`) and the environment. */
export interface CommandLine {
  argv: readonly string[];
  env?: Environment;
}

/** How a group's run ended. A non-zero exit is an answer here, not an error. */
export interface GroupExit {
  command: string;
  pid: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: 'wall' | 'idle' | null;
  cancelled: boolean;
  durationMs: number;
  stdoutTail: string;
  stderrTail: string;
}

export interface RunningGroup {
  /** The leader's pid, which is also the group's id. */
  readonly pid: number;
  /** The child's stdin, with `stdin: { kind: 'pipe' }`. */
  readonly stdin: Writable | null;
  /** Settles once the leader has exited and its output is read; rejects only if a line callback threw. */
  readonly done: Promise<GroupExit>;
  /** Ends the group now: SIGTERM to every process in it, SIGKILL after the grace period. */
  stop(): void;
  /**
   * Silence for the next `ms` does not count against the idle timeout: its deadline moves to at
   * least now + `ms` + `idleTimeoutMs`. For a command that said it will wait that long (an agent
   * waiting out a rate limit). Never brings a deadline closer; no effect without an idle timeout.
   */
  extendIdle(ms: number): void;
}

export const DEFAULT_KILL_GRACE_MS = 5_000;
export const DEFAULT_TAIL_CHARS = 64 * 1024;
/** After the leader exits, how long processes it left holding its output may keep `done` waiting. */
const CLOSE_WAIT_MS = 1_000;

/**
 * Starts a command in a process group of its own (no shell unless asked), so that a timeout,
 * a cancel, or baton's own exit ends everything it started, not only the first process.
 * Resolves once the process is running; rejects with a `ProcessError` if it cannot start.
 */
export async function spawnGroup(argv: readonly string[], options: SpawnGroupOptions): Promise<RunningGroup> {
  const command = commandText(argv);
  const empty = { command, exitCode: null, signal: null, timedOut: null, stdoutTail: '', stderrTail: '' } as const;
  if (argv.length === 0) throw new ProcessError({ ...empty, cancelled: false }, 'is not a command');
  if (options.signal?.aborted) throw new ProcessError({ ...empty, cancelled: true }, 'was cancelled before it started');
  // Loaded on first use: most baton commands never start a process.
  const { spawn } = childProcess();
  const startedAt = performance.now();
  const direct: CommandLine = { argv: options.shell ? ['/bin/sh', '-c', ...argv.slice(0, 1), 'sh', ...argv.slice(1)] : argv, ...(options.env ? { env: options.env } : {}) };
  const started = options.wrap ? options.wrap(direct) : direct;
  const [file, ...args] = started.argv;
  const stdin = options.stdin ?? { kind: 'closed' };
  const child = spawn(file as string, args, {
    cwd: options.cwd,
    ...(started.env ? { env: started.env } : {}),
    detached: true,
    stdio: [stdin.kind === 'closed' ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error: NodeJS.ErrnoException) => {
      const how =
        error.code === 'ENOENT'
          ? `could not start: ${argv[0]} is not installed (not on PATH), or ${options.cwd} does not exist`
          : // A bare name is searched for along PATH; a folder there this user cannot enter turns "not found" into EACCES.
            error.code === 'EACCES' && !argv[0]?.includes('/')
            ? `could not start: ${argv[0]} is not installed (not on PATH), or this user may not run it (permission denied: the file, or a folder on PATH, is closed to them)`
            : `could not start: ${error.message}`;
      reject(new ProcessError({ ...empty, cancelled: false }, how));
    });
  });
  if (stdin.kind !== 'closed') child.stdin?.on('error', () => undefined);
  if (stdin.kind === 'text') child.stdin?.end(stdin.text);
  return new GroupRun(child, command, options, startedAt).running();
}

/** Starts a command in its own process group and waits for the end (see `spawnGroup`). */
export async function runGroup(argv: readonly string[], options: SpawnGroupOptions): Promise<GroupExit> {
  return (await spawnGroup(argv, options)).done;
}

/** The exit itself when the command exited 0 on its own; a `ProcessError` otherwise. */
export function requireSuccess(exit: GroupExit): GroupExit {
  if (exit.exitCode === 0 && exit.timedOut === null && !exit.cancelled) return exit;
  throw new ProcessError(exit);
}

/** argv as a reader would type it in a shell. */
export function commandText(argv: readonly string[]): string {
  return argv.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(' ');
}

/** One started group, watched until it ends. */
class GroupRun {
  private readonly pid: number;
  private readonly stdoutTail: OutputTail;
  private readonly stderrTail: OutputTail;
  /** Wall-clock and idle timers: they end with the leader. */
  private readonly limitTimers: NodeJS.Timeout[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private lastOutputAt: number;
  private sawOutput = false;
  /** `extendIdle`'s floor under the idle deadline (performance.now() time). */
  private idleFloorAt = 0;
  private closeTimer: NodeJS.Timeout | undefined;
  private readonly untrack: () => void;
  private readonly done: Promise<GroupExit>;
  private killTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private timedOut: GroupExit['timedOut'] = null;
  private cancelled = false;
  private callbackError: { error: unknown } | undefined;
  private settle: ((exit: { code: number | null; signal: NodeJS.Signals | null }) => void) | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly command: string,
    private readonly options: SpawnGroupOptions,
    private readonly startedAt: number,
  ) {
    this.pid = child.pid as number;
    this.lastOutputAt = performance.now();
    this.untrack = trackGroup(this.pid);
    const tailChars = options.tailChars ?? DEFAULT_TAIL_CHARS;
    this.stdoutTail = new OutputTail(tailChars);
    this.stderrTail = new OutputTail(tailChars);
    this.done = new Promise<GroupExit>((resolve, reject) => {
      this.settle = (exit) => {
        const result = this.finish(exit);
        if (this.callbackError) reject(this.callbackError.error);
        else resolve(result);
      };
    });
    this.watchOutput();
    this.watchLimits();
    this.watchExit();
  }

  running(): RunningGroup {
    const stdin = this.options.stdin?.kind === 'pipe' ? this.child.stdin : null;
    return { pid: this.pid, stdin, done: this.done, stop: () => this.stop('cancel'), extendIdle: (ms) => this.extendIdle(ms) };
  }

  private extendIdle(ms: number): void {
    const idle = this.options.idleTimeoutMs;
    if (idle === undefined || !(ms >= 0)) return;
    this.idleFloorAt = Math.max(this.idleFloorAt, performance.now() + ms + idle);
  }

  /**
   * The idle deadline is the later of two: the last output plus the idle timeout (before any
   * output, the start plus the start-up limit), and `extendIdle`'s floor. The timer is not reset
   * on every chunk: when it fires early it sleeps to the deadline.
   */
  private watchIdle(): void {
    const idle = this.options.idleTimeoutMs;
    if (idle === undefined) return;
    const startupIdle = Math.max(idle, this.options.startupIdleTimeoutMs ?? 0);
    const check = (): void => {
      const now = performance.now();
      const deadline = Math.max(this.lastOutputAt + (this.sawOutput ? idle : startupIdle), this.idleFloorAt);
      if (now >= deadline) this.stop('idle');
      else this.idleTimer = setTimeout(check, Math.ceil(deadline - now));
    };
    this.idleTimer = setTimeout(check, idle);
  }

  private clearLimitTimers(): void {
    for (const timer of this.limitTimers) clearTimeout(timer);
    clearTimeout(this.idleTimer);
  }

  private watchOutput(): void {
    this.watchIdle();
    const pipe = (stream: NodeJS.ReadableStream | null, tail: OutputTail, onLine: ((line: string) => void) | undefined) => {
      const splitter = new LineSplitter((line) => {
        tail.append(`${line}\n`);
        this.deliver(onLine, line);
      });
      stream?.on('data', (chunk: Buffer) => {
        this.lastOutputAt = performance.now();
        this.sawOutput = true;
        splitter.push(chunk);
      });
      stream?.on('end', () => splitter.end());
      // Only 'close' comes for a pipe destroyed because a runaway process kept it open.
      stream?.on('close', () => splitter.end());
    };
    pipe(this.child.stdout, this.stdoutTail, this.options.onStdoutLine);
    pipe(this.child.stderr, this.stderrTail, this.options.onStderrLine);
  }

  /** A line callback that throws stops the group; `done` then rejects with its error. */
  private deliver(onLine: ((line: string) => void) | undefined, line: string): void {
    if (!onLine || this.callbackError) return;
    try {
      onLine(line);
    } catch (error) {
      this.callbackError = { error };
      this.stop('callback');
    }
  }

  private watchLimits(): void {
    const { timeoutMs, signal } = this.options;
    if (timeoutMs !== undefined) this.limitTimers.push(setTimeout(() => this.stop('wall'), timeoutMs));
    if (!signal) return;
    const onAbort = (): void => this.stop('cancel');
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void this.done.finally(() => signal.removeEventListener('abort', onAbort)).catch(() => undefined);
  }

  private watchExit(): void {
    this.child.once('exit', (code, signal) => {
      this.clearLimitTimers();
      // The leader is gone; anything it left running in its group goes too.
      if (!this.stopping && signalGroup(this.pid, 0)) this.stop('leftovers');
      // A process that left the group may still hold the output pipes open: stop waiting for it.
      this.closeTimer = setTimeout(() => {
        this.child.stdout?.destroy();
        this.child.stderr?.destroy();
        this.settle?.({ code, signal });
      }, (this.options.killGraceMs ?? DEFAULT_KILL_GRACE_MS) + CLOSE_WAIT_MS);
    });
    this.child.once('close', (code, signal) => this.settle?.({ code, signal }));
  }

  private stop(why: 'wall' | 'idle' | 'cancel' | 'callback' | 'leftovers'): void {
    if (this.stopping) return;
    this.stopping = true;
    if (why === 'wall' || why === 'idle') this.timedOut = why;
    if (why === 'cancel') this.cancelled = true;
    signalGroup(this.pid, 'SIGTERM');
    this.killTimer = setTimeout(() => {
      signalGroup(this.pid, 'SIGKILL');
      this.untrack();
    }, this.options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
  }

  private finish(exit: { code: number | null; signal: NodeJS.Signals | null }): GroupExit {
    this.settle = undefined;
    // Once the group is over, its id may be reused: a late stop() must not signal anything.
    this.stopping = true;
    this.clearLimitTimers();
    clearTimeout(this.closeTimer);
    if (this.killTimer && signalGroup(this.pid, 0)) {
      // Some process of the group outlived the leader: its SIGKILL stays due, without keeping baton alive.
      this.killTimer.unref();
    } else {
      clearTimeout(this.killTimer);
      this.untrack();
    }
    return {
      command: this.command,
      pid: this.pid,
      exitCode: exit.code,
      signal: exit.signal,
      timedOut: this.timedOut,
      cancelled: this.cancelled,
      durationMs: Math.round(performance.now() - this.startedAt),
      stdoutTail: this.stdoutTail.value(),
      stderrTail: this.stderrTail.value(),
    };
  }
}
