import type { AgentRequest, Environment } from '../../app/run-ports.js';
import type { AgentEvent } from '../../core/agent-stream/agent-event.js';
import { announcedRateLimitWaitMs } from '../../core/agent-stream/api-errors.js';
import type { AgentExit, AttemptOutcome } from '../../core/agent-stream/classify-attempt.js';
import { killMarkedProcesses, markedEnvironment } from '../process/marked-processes.js';
import { spawnGroup, type GroupExit, type RunningGroup } from '../process/spawn-group.js';

/** How long an agent that is retrying a rate limit without saying how long may stay silent, on top of the idle timeout. */
const UNANNOUNCED_RATE_LIMIT_WAIT_MS = 2 * 60_000;

/**
 * How long an agent CLI may stay silent at start, when the idle timeout is shorter: Claude Code
 * and Codex load megabytes of code before their first line, which takes seconds on a busy machine.
 */
export const CLI_STARTUP_IDLE_MS = 30_000;

/** What every executor needs from the composition root. */
export interface ExecutorOptions {
  /** Between SIGTERM and SIGKILL when baton stops an agent (spawnGroup's default otherwise). */
  killGraceMs?: number;
}

/** The events of a session as they arrive: kept in order and handed to `onEvent`. */
export class EventLog {
  readonly events: AgentEvent[] = [];
  private chatterKept = 0;

  constructor(private readonly onEvent: ((event: AgentEvent) => void) | undefined) {}

  /**
   * Every event goes to `onEvent` (the evidence, capped there); only the first
   * `MAX_CHATTER_EVENTS` events that decide nothing (text, tool calls and their output,
   * warnings, lines the parser could not read) are kept in memory: an agent that floods its
   * output (a `cmd:` agent's every line is text) must not take baton's memory with it, and
   * what decides an outcome (the session, usage, errors, the final event) is always kept.
   */
  add(events: readonly AgentEvent[]): void {
    for (const event of events) {
      this.onEvent?.(event);
      if (CHATTER.has(event.kind) && this.chatterKept++ >= MAX_CHATTER_EVENTS) continue;
      this.events.push(event);
    }
  }
}

/** Events that decide nothing, of which only the first `MAX_CHATTER_EVENTS` are kept in memory per session. */
const CHATTER: ReadonlySet<AgentEvent['kind']> = new Set(['assistant_text', 'tool_call', 'tool_result', 'warning', 'unknown']);
const MAX_CHATTER_EVENTS = 1_000;

/** How one agent process ended, with what it said. */
export interface AgentProcessRun {
  exit: AgentExit;
  /** The request's signal stopped it. */
  cancelled: boolean;
  durationMs: number;
  /** The end of its stderr, as printed (`classifyAttempt` cuts it down). */
  stderr: string;
}

/** How an executor turns the agent's stdout into events. */
export interface LineReader {
  line(line: string): AgentEvent[];
  /** Events owed once stdout has ended. */
  end(): AgentEvent[];
}

/**
 * Runs an agent CLI in a process group of its own with the request's directory, environment,
 * limits and signal; every stdout line goes to `onOutput` and, through `reader`, into `log`.
 * A line that is not JSON still reaches the reader, which keeps it as an `unknown` event.
 * When the agent announces it is waiting out a rate limit, that wait does not count against
 * the idle timeout. Once the agent is over, nothing it started is left running, in its group
 * or out of it.
 */
export async function runAgentProcess(
  argv: readonly string[],
  request: AgentRequest,
  options: ExecutorOptions & { env?: Environment; reader: LineReader; log: EventLog; startupIdleTimeoutMs?: number },
): Promise<AgentProcessRun> {
  const { reader, log } = options;
  const marked = markedEnvironment(options.env ?? request.env);
  // Output is read in later turns of the event loop than the one spawnGroup returns in.
  let group: RunningGroup | undefined = undefined;
  group = await spawnGroup(argv, {
    cwd: request.cwd,
    env: marked.env,
    timeoutMs: request.wallTimeoutMs,
    idleTimeoutMs: request.idleTimeoutMs,
    ...(options.startupIdleTimeoutMs === undefined ? {} : { startupIdleTimeoutMs: options.startupIdleTimeoutMs }),
    ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.wrap ? { wrap: request.wrap } : {}),
    onStdoutLine: (line) => {
      request.onOutput?.(line, 'stdout');
      const trimmed = line.trim();
      if (trimmed === '') return;
      const events = reader.line(trimmed);
      log.add(events);
      const waitMs = announcedRateLimitWaitMs(events);
      // Codex says it is retrying a 429 but not for how long: allow a wait of the usual length.
      if (waitMs !== null) group?.extendIdle(waitMs > 0 ? waitMs : UNANNOUNCED_RATE_LIMIT_WAIT_MS);
    },
    onStderrLine: (line) => request.onOutput?.(line, 'stderr'),
  });
  request.onStarted?.(group.pid);
  const exit = await group.done;
  killMarkedProcesses(marked.mark);
  log.add(reader.end());
  return processRun(exit, request.signal);
}

/** The exit as the classifier reads it; `cancelled` only when the request's signal stopped it. */
export function processRun(exit: GroupExit, signal: AbortSignal | undefined): AgentProcessRun {
  const cancelled = exit.cancelled && signal?.aborted === true;
  return { exit: { exitCode: exit.exitCode, signal: exit.signal, timedOut: exit.timedOut }, cancelled, durationMs: exit.durationMs, stderr: exit.stderrTail };
}

/** A run the request's signal stopped ended because baton asked, whatever the agent said. */
export function withCancel(outcome: AttemptOutcome, run: AgentProcessRun): AttemptOutcome {
  if (!run.cancelled || run.exit.timedOut !== null) return outcome;
  return { kind: 'crashed', reason: 'the run was cancelled and the agent was stopped before it finished' };
}
