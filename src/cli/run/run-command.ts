import nodeProcess from 'node:process';
import { runTask, type RunProgressNote } from '../../app/run-task.js';
import { parseDurationMs } from '../../core/duration.js';
import { InvalidInputError } from '../../core/errors.js';
import { DEFAULT_LEASE_TTL_MS } from '../../core/lease.js';
import type { Budgets, ProjectConfig } from '../../core/run/project-config.js';
import type { CommandInput } from '../command.js';
import { stringOption } from '../command.js';
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
  const taskId = idArgument(args[0]);
  const config = withFlags(projectConfigOf(ctx), options);
  const budgets = config.budgets;
  const p = paint(ctx.color);
  // Progress is the main output of a run as text; with --json it goes to stderr beside the one document.
  const print = ctx.json ? ctx.io.stderr : ctx.io.stdout;
  const deps = await runnerDeps(ctx, config, config.agent.name, (note: RunProgressNote) => {
    const line = progressLine(note, p);
    if (line !== null) print(line);
  });
  const ttl = stringOption(options, 'ttl');
  const controller = new AbortController();
  // Ctrl-C ends the run cleanly: the agent's group is stopped and the task goes back to the queue.
  const onSignal = (): void => controller.abort();
  for (const signal of INTERRUPTING_SIGNALS) nodeProcess.on(signal, onSignal);
  try {
    const result = await runTask(deps, {
      taskId,
      budgets,
      model: config.agent.model,
      leaseTtlMs: ttl === undefined ? DEFAULT_LEASE_TTL_MS : parseDurationMs(ttl, '--ttl'),
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

/** The project config with `baton run`'s flags applied over it. */
function withFlags(config: ProjectConfig, options: CommandInput['options']): ProjectConfig {
  const budgets: Budgets = { ...config.budgets };
  const maxAttempts = stringOption(options, 'max-attempts');
  if (maxAttempts !== undefined) budgets.maxAttempts = wholeNumber(maxAttempts, '--max-attempts', 1, 100);
  const timeout = stringOption(options, 'timeout');
  if (timeout !== undefined) budgets.timeoutMs = parseDurationMs(timeout, '--timeout');
  const maxTokens = stringOption(options, 'max-tokens');
  if (maxTokens !== undefined) budgets.maxTokens = wholeNumber(maxTokens, '--max-tokens', 1, 1e12);
  const budgetUsd = stringOption(options, 'budget-usd');
  if (budgetUsd !== undefined) budgets.maxUsd = dollars(budgetUsd);
  const idle = stringOption(options, 'idle-timeout');
  const agent = {
    ...config.agent,
    name: stringOption(options, 'agent') ?? config.agent.name,
    model: stringOption(options, 'model') ?? config.agent.model,
    idleTimeoutMs: idle === undefined ? config.agent.idleTimeoutMs : parseDurationMs(idle, '--idle-timeout'),
  };
  if (agent.model !== null && agent.model.trim() === '') throw new InvalidInputError('--model', 'is empty; name a model, or leave the flag out');
  return { ...config, agent, budgets };
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
