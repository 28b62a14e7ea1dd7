import nodeProcess from 'node:process';
import { runTask, type RunProgressNote } from '../../app/run-task.js';
import { parseDurationMs } from '../../core/duration.js';
import { InvalidInputError } from '../../core/errors.js';
import { loadTask } from '../../app/load-task.js';
import { DEFAULT_LEASE_TTL_MS } from '../../core/lease.js';
import type { Budgets, ProjectConfig } from '../../core/run/project-config.js';
import type { CommandInput } from '../command.js';
import { flag, listOption, stringOption } from '../command.js';
import { UsageError } from '../args.js';
import { parseLabels } from '../../core/task.js';
import { superviseCommandRun } from './supervise-command.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { idArgument } from '../input.js';
import { paint, type CommandOutput } from '../output.js';
import { progressLine, runSummaryText } from './run-format.js';
import { projectConfigOf, runnerDeps } from './run-deps.js';
import { quoted } from '../../core/quoted.js';

const INTERRUPTING_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** `baton run ID`: the composition of the runner, its flags over the project config. */
export async function runCommandRun(ctx: CommandContext, { args, options }: CommandInput): Promise<CommandOutput> {
  // The user's arguments are checked before the config and the machine: a wrong id is named as such.
  if (flag(options, 'ready')) {
    if (args[0] !== undefined) throw new UsageError(`--ready runs tasks from the ready queue, not task ${quoted(args[0])}; give an ID or --ready, not both`);
    const flags = runFlags(options);
    const supervisorFlags = {
      parallel: stringOption(options, 'parallel') === undefined ? 1 : wholeNumber(stringOption(options, 'parallel') as string, '--parallel', 1, 32),
      watch: flag(options, 'watch'),
      land: !flag(options, 'no-land'),
      agentFlag: flags.agent.name ?? null,
      labels: parseLabels(listOption(options, 'label'), '--label'),
      maxDispatches: stringOption(options, 'max-dispatches') === undefined ? 3 : wholeNumber(stringOption(options, 'max-dispatches') as string, '--max-dispatches', 1, 100),
      leaseTtlMs: flags.leaseTtlMs,
    };
    return superviseCommandRun(ctx, withFlags(projectConfigOf(ctx), flags), supervisorFlags);
  }
  if (args[0] === undefined) throw new UsageError('give the ID of the task to run, or --ready to run tasks from the ready queue (see `baton run --help`)');
  const taskId = idArgument(args[0]);
  const flags = runFlags(options);
  await ctx.openStore().read((tx) => loadTask(tx, taskId));
  const config = withFlags(projectConfigOf(ctx), flags);
  const budgets = config.budgets;
  const p = paint(ctx.color);
  // Progress is the main output of a run as text; with --json it goes to stderr beside the one document.
  const print = ctx.json ? ctx.io.stderr : ctx.io.stdout;
  const deps = await runnerDeps(ctx, config, config.agent.name, (note: RunProgressNote) => {
    const line = progressLine(note, p);
    if (line !== null) print(line);
  });
  const controller = new AbortController();
  // Ctrl-C ends the run cleanly: the agent's group is stopped and the task goes back to the queue.
  const onSignal = (): void => controller.abort();
  for (const signal of INTERRUPTING_SIGNALS) nodeProcess.on(signal, onSignal);
  try {
    const result = await runTask(deps, {
      taskId,
      budgets,
      model: config.agent.model,
      leaseTtlMs: flags.leaseTtlMs,
      signal: controller.signal,
    });
    const runDir = deps.evidence.runDir(result.record.taskId, result.record.run);
    return {
      json: { run: result.record, task: result.task, evidence: runDir },
      text: runSummaryText(result.record, runDir, p),
      exitCode: result.record.status === 'succeeded' ? EXIT.ok : EXIT.failed,
    };
  } finally {
    for (const signal of INTERRUPTING_SIGNALS) nodeProcess.off(signal, onSignal);
  }
}

/** `baton run`'s flags, each validated; absent ones leave the config's value. */
interface RunFlags {
  budgets: Partial<Budgets>;
  agent: { name?: string; model?: string; idleTimeoutMs?: number };
  leaseTtlMs: number;
}

function runFlags(options: CommandInput['options']): RunFlags {
  const text = (name: string): string | undefined => stringOption(options, name);
  const [maxAttempts, timeout, maxTokens, budgetUsd, idle, ttl, name, model] = ['max-attempts', 'timeout', 'max-tokens', 'budget-usd', 'idle-timeout', 'ttl', 'agent', 'model'].map(text);
  if (model !== undefined && model.trim() === '') throw new InvalidInputError('--model', 'is empty; name a model, or leave the flag out');
  return {
    budgets: {
      ...(maxAttempts !== undefined && { maxAttempts: wholeNumber(maxAttempts, '--max-attempts', 1, 100) }),
      ...(timeout !== undefined && { timeoutMs: parseDurationMs(timeout, '--timeout') }),
      ...(maxTokens !== undefined && { maxTokens: wholeNumber(maxTokens, '--max-tokens', 1, 1e12) }),
      ...(budgetUsd !== undefined && { maxUsd: dollars(budgetUsd) }),
    },
    agent: {
      ...(name !== undefined && { name }),
      ...(model !== undefined && { model }),
      ...(idle !== undefined && { idleTimeoutMs: parseDurationMs(idle, '--idle-timeout') }),
    },
    leaseTtlMs: ttl === undefined ? DEFAULT_LEASE_TTL_MS : parseDurationMs(ttl, '--ttl'),
  };
}

/** The project config with `baton run`'s flags applied over it. */
function withFlags(config: ProjectConfig, flags: RunFlags): ProjectConfig {
  return { ...config, agent: { ...config.agent, ...flags.agent }, budgets: { ...config.budgets, ...flags.budgets } };
}

function wholeNumber(text: string, field: string, min: number, max: number): number {
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new InvalidInputError(field, `${quoted(text)} is not a whole number from ${min} to ${max}`);
  }
  return value;
}

function dollars(text: string): number {
  const value = Number(text.trim().replace(/^\$/, ''));
  if (!/^\$?\d+(\.\d+)?$/.test(text.trim()) || value <= 0) {
    throw new InvalidInputError('--budget-usd', `${quoted(text)} is not an amount of dollars above 0, e.g. 2.50`);
  }
  return value;
}
