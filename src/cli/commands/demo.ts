import { InvalidInputError } from '../../core/errors.js';
import type { CommandSpec } from '../command.js';
import { flag, stringOption } from '../command.js';
import { runAgentLoop } from '../demo/agent-loop.js';
import { batonFirstLines, batonRunner, childEnv, DEMO_ROLE_VARIABLE, type BatonBinary } from '../demo/child.js';
import { renderReport } from '../demo/report.js';
import { runDemo } from '../demo/run-demo.js';
import { DEFAULT_TASK_COUNT } from '../demo/scenario.js';
import { EXIT } from '../exit-codes.js';
import { paint } from '../output.js';

const DEFAULT_AGENTS = 4;
const MAX_AGENTS = 16;
const MAX_TASKS = 100;

/**
 * `baton demo` runs the whole story in one command. Its agents are this same command started
 * again with BATON_DEMO_ROLE=agent in their environment: one bundle, no extra entry point, and
 * nothing in `--help` that a user should not type.
 */
export const demoCommand: CommandSpec = {
  name: 'demo',
  summary: 'watch several agent processes share a board in a scratch repository',
  args: [],
  options: [
    { name: 'agents', kind: 'string', value: 'N', help: `agent processes to start (default ${DEFAULT_AGENTS}, up to ${MAX_AGENTS})` },
    { name: 'tasks', kind: 'string', value: 'N', help: `tasks to plan (default ${DEFAULT_TASK_COUNT}, up to ${MAX_TASKS})` },
    { name: 'keep', kind: 'boolean', help: 'keep the scratch repository and print its path' },
    { name: 'dir', kind: 'string', value: 'PATH', help: 'build the repository in PATH (new or empty) instead of a temp folder' },
  ],
  async run(ctx, { options }) {
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
  },
};

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
    throw new InvalidInputError(field, `'${text}' is not a count from 1 to ${max}`);
  }
  return Number(text);
}
