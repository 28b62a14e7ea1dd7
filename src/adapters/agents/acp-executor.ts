import type { Writable } from 'node:stream';
import type { AgentRequest, AgentResult, Environment, Executor } from '../../app/run-ports.js';
import { sumUsage } from '../../core/agent-stream/agent-event.js';
import { classifyAttempt } from '../../core/agent-stream/classify-attempt.js';
import type { AcpTurnState } from './acp-client.js';
import { CLI_STARTUP_IDLE_MS, EventLog, processRun, withCancel, type ExecutorOptions } from './agent-process.js';
import { requireCommandOnPath } from './installed.js';
import { killMarkedProcesses, markedEnvironment } from '../process/marked-processes.js';
import { spawnGroup } from '../process/spawn-group.js';

/**
 * Any Agent Client Protocol agent (`acp:gemini --experimental-acp`): the command runs through
 * `/bin/sh` in the worktree, JSON-RPC on its stdin and stdout, for one prompt turn; then baton
 * stops it. Usage is what the agent reports per turn; the cost some agents report is a session
 * total priced as Claude, so none is counted.
 */
export function acpExecutor(command: string, options: ExecutorOptions): Executor {
  const name = `acp:${command}`;
  return {
    name,
    family: 'acp',
    capabilities: { resume: true, reportsUsage: true, reportsCost: false, selectsModel: false },
    async ensureInstalled(env: Environment) {
      requireCommandOnPath(command, env, name);
    },
    run: (request) => runAcp(command, request, options),
  };
}

async function runAcp(command: string, request: AgentRequest, options: ExecutorOptions): Promise<AgentResult> {
  // Loaded on first use: the ACP SDK and its schemas cost every other baton command start-up time.
  const { runAcpTurn } = await import('./acp-client.js');
  const log = new EventLog(request.onEvent);
  const state: AcpTurnState = { sessionId: null };
  const incoming = new LineChannel();
  const marked = markedEnvironment(request.env);
  // `exec` so the agent itself gets the group's signals; extra arguments follow as "$@".
  const group = await spawnGroup(['/bin/sh', '-c', `exec ${command} "$@"`, 'sh', ...request.extraArgs], {
    stdin: { kind: 'pipe' },
    cwd: request.cwd,
    env: marked.env,
    timeoutMs: request.wallTimeoutMs,
    idleTimeoutMs: request.idleTimeoutMs,
    startupIdleTimeoutMs: CLI_STARTUP_IDLE_MS,
    ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.wrap ? { wrap: request.wrap } : {}),
    onStdoutLine: (line) => {
      request.onOutput?.(line, 'stdout');
      incoming.push(line);
    },
    onStderrLine: (line) => request.onOutput?.(line, 'stderr'),
  });
  request.onStarted?.(group.pid);
  const ended = group.done.finally(() => incoming.close());
  const turn = runAcpTurn({ toAgent: writableOf(group.stdin), fromAgent: incoming.readable }, request, log, state);
  // The turn ends with the prompt's response, or the group ends first (a crash, a timeout).
  await Promise.race([turn, ended]);
  // An ACP agent waits for the next prompt: stop it (its exit then says nothing).
  group.stop();
  const run = processRun(await ended, request.signal);
  killMarkedProcesses(marked.mark);
  await turn;
  return {
    events: log.events,
    exit: run.exit,
    outcome: withCancel(classifyAttempt('acp', log.events, run.exit, run.stderr), run),
    resumeSession: state.sessionId,
    usage: sumUsage(log.events),
    usageBaseline: null,
    durationMs: run.durationMs,
  };
}

/** The agent's stdout lines, back as the byte stream the ACP SDK reads. */
class LineChannel {
  readonly readable: ReadableStream<Uint8Array>;
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private closed = false;
  private readonly encoder = new TextEncoder();

  constructor() {
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => void (this.controller = controller),
      // The SDK cancels its reading when the connection closes; later lines go nowhere.
      cancel: () => void (this.closed = true),
    });
  }

  push(line: string): void {
    if (!this.closed) this.controller?.enqueue(this.encoder.encode(`${line}\n`));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.controller?.close();
  }
}

/** The agent's stdin as the web stream the ACP SDK writes to. */
function writableOf(stdin: Writable | null): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        if (!stdin || stdin.destroyed) return reject(new Error('the agent has closed its stdin'));
        stdin.write(chunk, (error) => (error ? reject(error) : resolve()));
      }),
  });
}
