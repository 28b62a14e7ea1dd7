import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentRequest, AgentResult, Environment, Executor } from '../../app/run-ports.js';
import { NO_TOKENS } from '../../core/agent-stream/agent-event.js';
import { withStderrDetail, type AgentExit, type AttemptOutcome } from '../../core/agent-stream/classify-attempt.js';
import { setupProblemIn } from '../../core/agent-stream/setup-problem.js';
import { stderrTail, telltaleLine } from '../../core/agent-stream/stderr-tail.js';
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
    outcome: withCancel(classifyCommand(run.exit, run.stderr), run),
    resumeSession: null,
    usage: { ...NO_TOKENS },
    usageBaseline: null,
    durationMs: run.durationMs,
  };
}

/**
 * A command has only its exit and its stderr to go by. Its stderr is also what every program
 * it ran printed, so only a command that could not be started (exit 127, a shell saying "not
 * found") counts as a problem for a person; any other failure just carries its stderr's end.
 */
export function classifyCommand(exit: AgentExit, stderr = ''): AttemptOutcome {
  const tail = stderrTail(stderr);
  return withStderrDetail(commandOutcome(exit, tail), tail);
}

function commandOutcome(exit: AgentExit, tail: string): AttemptOutcome {
  if (exit.timedOut === 'idle') return { kind: 'hung', reason: 'the command printed nothing for the idle timeout and was killed' };
  if (exit.timedOut === 'wall') return { kind: 'hung', reason: 'the command was still running at the wall-clock timeout and was killed' };
  if (exit.exitCode === 0) return { kind: 'succeeded', reason: 'the command exited 0' };
  const line = telltaleLine(tail);
  const because = line === null ? '' : `: ${line}`;
  if (exit.signal) return { kind: 'crashed', reason: `the command was killed by ${exit.signal}${because}` };
  if (exit.exitCode === 127) {
    const problem = setupProblemIn(tail);
    return problem?.kind === 'environment_error' ? problem : { kind: 'crashed', reason: `the command was not found (exit 127)${because}` };
  }
  return { kind: 'failed', reason: `the command exited with ${exit.exitCode}${because}` };
}
