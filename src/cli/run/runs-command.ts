import { loadTask } from '../../app/load-task.js';
import { InvalidInputError, BatonError } from '../../core/errors.js';
import { checkLogName } from '../../core/run/check-failure.js';
import type { RunRecord } from '../../core/run/run-record.js';
import type { CommandInput } from '../command.js';
import { stringOption } from '../command.js';
import type { CommandContext } from '../context.js';
import { idArgument } from '../input.js';
import { paint, type CommandOutput, type Paint } from '../output.js';
import { evidenceStoreFor } from './run-deps.js';
import { attemptLine, elapsedMs, seconds, stderrSection, usageText } from './run-format.js';
import { quoted } from '../../core/quoted.js';

/** `baton runs [ID]`: every run, oldest first, one line each. */
export async function runsCommandRun(ctx: CommandContext, { args }: CommandInput): Promise<CommandOutput> {
  const taskId = args[0] === undefined ? null : idArgument(args[0]);
  const runs = await runsOfThisBoard(ctx, taskId);
  if (taskId !== null && runs.length === 0) await requireTask(ctx, taskId);
  const p = paint(ctx.color);
  const empty = taskId === null ? 'no runs yet; start one with `baton run ID`' : `task #${taskId} has not been run yet; start with \`baton run ${taskId}\``;
  return { json: { runs }, text: runs.length === 0 ? empty : runs.map((run) => runLine(run, p)).join('\n') };
}

function runLine(run: RunRecord, p: Paint): string {
  const counted = run.attempts.filter((attempt) => attempt.verdict !== 'rate_limited').length;
  const status = run.status === 'succeeded' ? p.green(run.status) : run.status === 'running' ? p.cyan(run.status) : p.red(run.status);
  return `#${run.taskId} run ${run.run}  ${status}  ${run.agent}  ${counted} attempt${counted === 1 ? '' : 's'}  ${seconds(elapsedMs(run))}${usageText(run.usage)}  ${run.startedAt}${run.reason ? `  ${p.dim(run.reason)}` : ''}`;
}

/** Files of an attempt that `run-log --attempt` prints, in reading order. */
const ATTEMPT_FILES = ['prompt.md', 'events.jsonl', 'diff.patch', 'verdict.json'];

/** `baton run-log ID [--run N] [--attempt N]`. */
export async function runLogCommandRun(ctx: CommandContext, { args, options }: CommandInput): Promise<CommandOutput> {
  const taskId = idArgument(args[0]);
  const store = evidenceStoreFor(ctx);
  const runs = await runsOfThisBoard(ctx, taskId);
  const runText = stringOption(options, 'run');
  const record = runText === undefined ? runs.at(-1) : runs.find((run) => run.run === positive(runText, '--run'));
  if (runs.length === 0) await requireTask(ctx, taskId);
  if (!record) {
    throw new BatonError('NOT_FOUND', runs.length === 0 ? `task #${taskId} has no runs; start one with \`baton run ${taskId}\`` : `task #${taskId} has no run ${runText}; its runs are ${runs.map((run) => run.run).join(', ')}`);
  }
  const p = paint(ctx.color);
  const attemptText = stringOption(options, 'attempt');
  if (attemptText === undefined) {
    const text = [runLine(record, p), `worktree ${record.worktree}  branch ${record.branch}  evidence ${store.runDir(taskId, record.run)}`, ...record.attempts.flatMap((attempt) => [attemptLine(attempt, p), ...attempt.failures.map((failure) => `    - ${failure.summary}`)])];
    return { json: { run: record }, text: text.join('\n') };
  }
  const attempt = positive(attemptText, '--attempt');
  const summary = record.attempts.find((item) => item.attempt === attempt);
  if (!summary) throw new BatonError('NOT_FOUND', `run ${record.run} of task #${taskId} has no attempt ${attempt}; it has ${record.attempts.length}`);
  const files: Record<string, string | null> = {};
  const failedCommands = summary.failures.filter((failure) => failure.kind === 'command' || failure.kind === 'verify');
  for (const name of [...ATTEMPT_FILES, ...failedCommands.map((failure) => checkLogName(failure.checkId))]) {
    files[name] = await store.readAttemptFile(taskId, record.run, attempt, name);
  }
  const sections = Object.entries(files).filter(([, text]) => text !== null).map(([name, text]) => `${p.bold(`--- ${name}`)}\n${(text as string).trimEnd()}`);
  // An agent that did not finish its turn often said why only on stderr.
  const stderr = summary.outcome === 'succeeded' ? null : await store.readAttemptFile(taskId, record.run, attempt, 'stderr.log');
  if (stderr !== null) files['stderr.log'] = stderr;
  const stderrText = stderr === null ? null : stderrSection(stderr, p);
  return { json: { run: record.run, attempt: summary, files }, text: [attemptLine(summary, p), ...sections, ...(stderrText === null ? [] : [stderrText])].join('\n') };
}

/**
 * The runs of this board: a board deleted and made anew numbers its tasks from 1 again, and the
 * old board's runs of #1 are not the new #1's. Runs recorded before boards had ids are shown.
 */
async function runsOfThisBoard(ctx: CommandContext, taskId: number | null): Promise<RunRecord[]> {
  const runs = await evidenceStoreFor(ctx).listRuns(taskId);
  const boardId = await boardIdOf(ctx);
  return boardId === null ? runs : runs.filter((run) => run.boardId === undefined || run.boardId === boardId);
}

/** The board's id; null where there is no board to read (evidence alone). */
async function boardIdOf(ctx: CommandContext): Promise<string | null> {
  try {
    return await ctx.openStore().read((tx) => tx.boardId());
  } catch {
    return null;
  }
}

/** A task without runs may just not exist: say so, rather than suggest running it. */
async function requireTask(ctx: CommandContext, taskId: number): Promise<void> {
  await ctx.openStore().read((tx) => loadTask(tx, taskId));
}

function positive(text: string, field: string): number {
  if (!/^\d{1,6}$/.test(text.trim()) || Number(text) === 0) throw new InvalidInputError(field, `${quoted(text)} is not a number from 1 up`);
  return Number(text);
}
