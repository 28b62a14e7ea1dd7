import { InvalidInputError } from '../../core/errors.js';
import type { CommandInput } from '../command.js';
import { flag, stringOption } from '../command.js';
import { DEFAULT_AGENTS, MAX_AGENTS, MAX_TASKS } from '../commands/demo.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paint, type CommandOutput } from '../output.js';
import { runAgentLoop } from './agent-loop.js';
import { batonFirstLines, batonRunner, childEnv, DEMO_ROLE_VARIABLE, type BatonBinary } from './child.js';
import { renderReport } from './report.js';
import { runDemo } from './run-demo.js';
import { DEFAULT_TASK_COUNT } from './scenario.js';
import { quoted } from '../../core/quoted.js';

/** `baton demo`: the orchestrator, or (with BATON_DEMO_ROLE=agent) one of its agents. */
export async function runDemoCommand(ctx: CommandContext, { options }: CommandInput): Promise<CommandOutput | void> {
  const binary = currentBinary();
  if (ctx.io.env[DEMO_ROLE_VARIABLE] === 'agent') {
    const agent = await ctx.actor();
    const env = childEnv(ctx.io.env, agent);
    const shell = { run: batonRunner(binary, ctx.io.cwd, env), firstLines: batonFirstLines(binary, ctx.io.cwd, env) };
    await runAgentLoop(agent, shell, (message) => ctx.io.stdout(JSON.stringify(message)));
    return;
  }
  const agentsText = stringOption(options, 'agents');
  const tasksText = stringOption(options, 'tasks');
  const settings = {
    agents: agentsText === undefined ? DEFAULT_AGENTS : parseCount(agentsText, '--agents', MAX_AGENTS),
    tasks: tasksText === undefined ? DEFAULT_TASK_COUNT : parseCount(tasksText, '--tasks', MAX_TASKS),
    keep: flag(options, 'keep'),
    dir: stringOption(options, 'dir'),
    run: !flag(options, 'no-run'),
  };
  const { facts, boardText } = await whileInterruptible((signal) =>
    runDemo({ ...settings, binary, cwd: ctx.io.cwd, env: ctx.io.env, progress: ctx.io.stderr, signal }),
  );
  const failure = facts.ok ? {} : { error: { code: 'FAILED', message: `demo failed: ${facts.problems.join('; ')}` } };
  if (!facts.ok) ctx.io.stderr(`baton: demo failed: ${facts.problems.join('; ')}`);
  return {
    json: { ...facts, ...failure },
    text: renderReport(facts, boardText, paint(ctx.color)),
    exitCode: facts.ok ? EXIT.ok : EXIT.failed,
  };
}

/** This process's own command line, so children run the very same baton. */
function currentBinary(): BatonBinary {
  const script = process.argv[1];
  if (script === undefined) throw new InvalidInputError('demo', 'cannot tell which baton script is running; start it as `baton demo`');
  return { node: process.execPath, script };
}

/** Ctrl-C or SIGTERM aborts the run, which then stops its children and cleans up. */
async function whileInterruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function parseCount(text: string, field: string, max: number): number {
  if (!/^\d{1,4}$/.test(text.trim()) || Number(text) < 1 || Number(text) > max) {
    throw new InvalidInputError(field, `${quoted(text)} is not a count from 1 to ${max}`);
  }
  return Number(text);
}
