import { randomUUID } from 'node:crypto';
import type { AgentRequest, AgentResult, Environment, Executor } from '../../app/run-ports.js';
import { sumUsage } from '../../core/agent-stream/agent-event.js';
import { classifyAttempt } from '../../core/agent-stream/classify-attempt.js';
import { createStreamParser } from '../../core/agent-stream/create-parser.js';
import { CLI_STARTUP_IDLE_MS, EventLog, runAgentProcess, withCancel, type ExecutorOptions } from './agent-process.js';
import { requireOnPath } from './installed.js';

/**
 * Claude Code in print mode with its stream-json output. Permissions are bypassed: the agent
 * works in a worktree of its own and baton's checks judge what it did (as root Claude Code
 * also wants `IS_SANDBOX=1` in the environment, which is the caller's to give). A fresh
 * session gets its id from baton (`--session-id`), so it can be resumed even if the stream
 * ends before Claude Code names it.
 */
export function claudeExecutor(options: ExecutorOptions): Executor {
  return {
    name: 'claude',
    family: 'claude',
    capabilities: { resume: true, reportsUsage: true, reportsCost: true, selectsModel: true },
    async ensureInstalled(env: Environment) {
      requireOnPath('claude', env, 'install it with `npm install -g @anthropic-ai/claude-code`');
    },
    run: (request) => runClaude(request, options),
  };
}

/** The command line of one session; the prompt goes after `--` so it may start with a dash. */
export function claudeArgv(request: AgentRequest, sessionId: string): string[] {
  const session = request.resumeSession ? ['--resume', request.resumeSession] : ['--session-id', sessionId];
  return [
    'claude',
    '-p',
    '--output-format',
    'stream-json',
    '--verbose',
    '--permission-mode',
    'bypassPermissions',
    ...(request.model ? ['--model', request.model] : []),
    ...session,
    ...request.extraArgs,
    '--',
    request.prompt,
  ];
}

async function runClaude(request: AgentRequest, options: ExecutorOptions): Promise<AgentResult> {
  const sessionId = request.resumeSession ?? randomUUID();
  const parser = createStreamParser('claude');
  const log = new EventLog(request.onEvent);
  const run = await runAgentProcess(claudeArgv(request, sessionId), request, {
    ...options,
    startupIdleTimeoutMs: CLI_STARTUP_IDLE_MS,
    log,
    reader: { line: (line) => parser.parseLine(line), end: () => parser.end() },
  });
  const started = log.events.findLast((event) => event.kind === 'session_started');
  return {
    events: log.events,
    exit: run.exit,
    outcome: withCancel(classifyAttempt('claude', log.events, run.exit, run.stderr), run),
    resumeSession: started?.kind === 'session_started' ? started.sessionId : sessionId,
    usage: sumUsage(log.events),
    usageBaseline: parser.usageBaseline(),
    durationMs: run.durationMs,
  };
}
