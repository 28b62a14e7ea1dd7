import type { AgentRequest, AgentResult, Environment, Executor } from '../../app/run-ports.js';
import { sumUsage } from '../../core/agent-stream/agent-event.js';
import { classifyAttempt } from '../../core/agent-stream/classify-attempt.js';
import { createStreamParser } from '../../core/agent-stream/create-parser.js';
import { CLI_STARTUP_IDLE_MS, EventLog, runAgentProcess, withCancel, type ExecutorOptions } from './agent-process.js';
import { requireOnPath } from './installed.js';

/**
 * Codex's `exec --json`, writing only inside the worktree (`--sandbox workspace-write`).
 * A thread is resumed with `exec resume`, which forgets the sandbox, so it is passed again as
 * a config override. Codex counts usage per thread: a resumed run continues from the
 * previous run's `usageBaseline`. It reports no dollar cost.
 */
export function codexExecutor(options: ExecutorOptions): Executor {
  return {
    name: 'codex',
    family: 'codex',
    capabilities: { resume: true, reportsUsage: true, reportsCost: false, selectsModel: true },
    async ensureInstalled(env: Environment) {
      requireOnPath('codex', env, 'install it with `npm install -g @openai/codex`');
    },
    run: (request) => runCodex(request, options),
  };
}

/** The command line of one run; the prompt goes after `--` so it may start with a dash. */
export function codexArgv(request: AgentRequest): string[] {
  const model = request.model ? ['-m', request.model] : [];
  if (request.resumeSession) {
    return ['codex', 'exec', 'resume', '--json', '-c', 'sandbox_mode="workspace-write"', ...model, ...request.extraArgs, '--', request.resumeSession, request.prompt];
  }
  return ['codex', 'exec', '--json', '--sandbox', 'workspace-write', '-C', request.cwd, ...model, ...request.extraArgs, '--', request.prompt];
}

async function runCodex(request: AgentRequest, options: ExecutorOptions): Promise<AgentResult> {
  // A fresh thread counts from zero whatever an earlier one reached.
  const baseline = request.resumeSession && request.usageBaseline ? { usageBaseline: request.usageBaseline } : {};
  const parser = createStreamParser('codex', baseline);
  const log = new EventLog(request.onEvent);
  const run = await runAgentProcess(codexArgv(request), request, {
    ...options,
    startupIdleTimeoutMs: CLI_STARTUP_IDLE_MS,
    log,
    reader: { line: (line) => parser.parseLine(line), end: () => parser.end() },
  });
  const started = log.events.findLast((event) => event.kind === 'session_started');
  return {
    events: log.events,
    exit: run.exit,
    outcome: withCancel(classifyAttempt('codex', log.events, run.exit, run.stderr), run),
    resumeSession: started?.kind === 'session_started' ? started.sessionId : request.resumeSession,
    usage: sumUsage(log.events),
    usageBaseline: parser.usageBaseline(),
    durationMs: run.durationMs,
  };
}
