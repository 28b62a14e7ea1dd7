import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentRequest, AgentResult, Environment, Executor } from '../../app/run-ports.js';
import { NO_TOKENS } from '../../core/agent-stream/agent-event.js';
import type { AgentExit, AttemptOutcome } from '../../core/agent-stream/classify-attempt.js';
import { EventLog, runAgentProcess, withCancel, type ExecutorOptions } from './agent-process.js';
import { requireCommandOnPath } from './installed.js';

/** The file in the scratch directory that holds the prompt; its path is in `BATON_PROMPT_FILE`. */
export const PROMPT_FILE_NAME = 'agent-prompt.md';

/**
 * Any command as an agent (`cmd:./fix.sh`): run by `/bin/sh -c` in the worktree with the
 * prompt in a file named by `BATON_PROMPT_FILE`. Each line it prints is its answer text; its
 * exit code says how it went. Extra arguments from the config are its "$1", "$2"... No
 * session to resume, no usage.
 */
export function commandExecutor(command: string, options: ExecutorOptions): Executor {
  const name = `cmd:${command}`;
  return {
    name,
    family: 'command',
    capabilities: { resume: false, reportsUsage: false, reportsCost: false, selectsModel: false },
    async ensureInstalled(env: Environment) {
      requireCommandOnPath(command, env, name);
    },
    run: (request) => runCommand(command, request, options),
  };
}

async function runCommand(command: string, request: AgentRequest, options: ExecutorOptions): Promise<AgentResult> {
  await mkdir(request.scratchDir, { recursive: true });
  const promptFile = join(request.scratchDir, PROMPT_FILE_NAME);
  await writeFile(promptFile, request.prompt);
  const log = new EventLog(request.onEvent);
  // Extra arguments from the project config reach the command as "$1", "$2"...
  const run = await runAgentProcess(['/bin/sh', '-c', command, 'sh', ...request.extraArgs], request, {
    ...options,
    env: { ...request.env, BATON_PROMPT_FILE: promptFile },
    log,
    reader: { line: (text) => [{ kind: 'assistant_text', text }], end: () => [] },
  });
  return {
    events: log.events,
    exit: run.exit,
    outcome: withCancel(classifyCommand(run.exit), run),
    resumeSession: null,
    usage: { ...NO_TOKENS },
    usageBaseline: null,
    durationMs: run.durationMs,
  };
}

/** A command has only its exit to go by. */
export function classifyCommand(exit: AgentExit): AttemptOutcome {
  if (exit.timedOut === 'idle') return { kind: 'hung', reason: 'the command printed nothing for the idle timeout and was killed' };
  if (exit.timedOut === 'wall') return { kind: 'hung', reason: 'the command was still running at the wall-clock timeout and was killed' };
  if (exit.exitCode === 0) return { kind: 'succeeded', reason: 'the command exited 0' };
  if (exit.signal) return { kind: 'crashed', reason: `the command was killed by ${exit.signal}` };
  if (exit.exitCode === 127) return { kind: 'crashed', reason: 'the command was not found (exit 127)' };
  return { kind: 'failed', reason: `the command exited with ${exit.exitCode}` };
}
