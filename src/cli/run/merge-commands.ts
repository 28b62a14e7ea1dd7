import nodeProcess from 'node:process';
import { guardChildren } from '../../adapters/process/watchdog.js';
import { approvalNeeded, assertQueueable, collectLanded, enqueue, landQueue, reject, reviewEntries, type Landing, type LandingNote, type MergeQueueDeps, type QueueEntry } from '../../app/merge-queue.js';
import { InvalidInputError } from '../../core/errors.js';
import { quoted } from '../../core/quoted.js';
import { validateText } from '../../core/task.js';
import type { CommandInput } from '../command.js';
import { flag, stringOption } from '../command.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { idArgument } from '../input.js';
import { paint, type CommandOutput, type Paint } from '../output.js';
import { mergeQueueDeps } from './merge-deps.js';
import { projectConfigOf } from './run-deps.js';

/*
 * `baton merge`, `queue`, `review`, `approve` and `reject`: the merge queue and its gates.
 * Every refusal happens before the board or the repository changes.
 */

async function depsFor(ctx: CommandContext): Promise<MergeQueueDeps> {
  const p = paint(ctx.color);
  // Progress goes to stderr with --json, so stdout stays one document.
  const print = ctx.json ? ctx.io.stderr : ctx.io.stdout;
  return mergeQueueDeps(ctx, projectConfigOf(ctx), (note) => print(noteLine(note, p)));
}

/** `baton merge ID...`: queues tasks in review, then lands the queue (unless --no-land). */
export async function mergeCommandRun(ctx: CommandContext, { args, options }: CommandInput): Promise<CommandOutput> {
  const ids = [...new Set(args.map((arg) => idArgument(arg)))];
  if (ids.length === 0) throw new InvalidInputError('ID', 'name the task(s) to merge, e.g. `baton merge 12`; `baton queue` lists the tasks in review');
  const deps = await depsFor(ctx);
  // All or none: a task refused leaves the others out of the queue too.
  for (const id of ids) await assertQueueable(deps, id, { approve: false });
  const queued = [];
  for (const id of ids) queued.push(await enqueue(deps, id, { approve: false, message: null }));
  return landAndReport(ctx, deps, flag(options, 'no-land'), queued.map((entry) => `queued #${entry.task.id} ${quoted(entry.task.title)}${entry.alreadyQueued ? ' (it already was)' : ''}`));
}

/** `baton approve ID [-m TEXT]`: a person's yes for a task the policy holds; it joins the queue. */
export async function approveCommandRun(ctx: CommandContext, { args, options }: CommandInput): Promise<CommandOutput> {
  const id = idArgument(args[0]);
  const message = stringOption(options, 'message');
  const deps = await depsFor(ctx);
  const result = await enqueue(deps, id, { approve: true, message: message === undefined ? null : validateText(message, '--message') });
  const why = result.approvalReasons.length > 0 ? ` (it ${result.approvalReasons.join('; it ')})` : ' (the policy did not ask for it)';
  return landAndReport(ctx, deps, flag(options, 'no-land'), [`approved #${id} ${quoted(result.task.title)}${why}; queued`]);
}

/** `baton reject ID -m TEXT`: back to the queue of work, the text as its next run's feedback. */
export async function rejectCommandRun(ctx: CommandContext, { args, options }: CommandInput): Promise<CommandOutput> {
  const id = idArgument(args[0]);
  const message = stringOption(options, 'message');
  if (message === undefined || message.trim() === '') throw new InvalidInputError('--message', 'say why, for the next run of the task: baton reject 12 -m "the migration drops a column still read by the API"');
  const task = await reject(await ctx.deps(), id, validateText(message, '--message'));
  return { json: { task }, text: `rejected #${id} ${quoted(task.title)}: it is ${task.status}, and its next run starts with your words as feedback` };
}

/** `baton queue [--land]`: the tasks in review, queued ones in landing order. */
export async function queueCommandRun(ctx: CommandContext, { options }: CommandInput): Promise<CommandOutput> {
  const deps = await depsFor(ctx);
  if (flag(options, 'land')) return landAndReport(ctx, deps, false, []);
  const rows = await describeEntries(deps, await reviewEntries(deps.board));
  const p = paint(ctx.color);
  const text = rows.length === 0 ? 'nothing in review' : rows.map((row) => entryLine(row, p)).join('\n');
  return { json: { baseBranch: deps.baseBranch, strategy: deps.config.merge.strategy, entries: rows.map(jsonRow) }, text };
}

/** `baton review`: what waits for a person, with what they need to decide. */
export async function reviewCommandRun(ctx: CommandContext): Promise<CommandOutput> {
  const deps = await depsFor(ctx);
  // Queued ones too when the policy holds them now (they were queued before it did).
  const rows = (await describeEntries(deps, await reviewEntries(deps.board))).filter((row) => row.entry.state.queuedEventId === null || (row.approvalReasons.length > 0 && !row.entry.state.approved));
  const p = paint(ctx.color);
  const text = rows.length === 0 ? 'nothing waits for a person' : rows.map((row) => reviewBlock(row, p)).join('\n\n');
  return { json: { entries: rows.map(jsonRow) }, text };
}

/** `baton gc`: landed tasks' branches and worktrees removed where nothing would be lost; the rest listed with why. */
export async function gcCommandRun(ctx: CommandContext): Promise<CommandOutput> {
  const deps = await depsFor(ctx);
  const collected = await collectLanded(deps);
  const lines = collected.map((entry) => (entry.kept.length === 0 ? `removed #${entry.taskId}: ${entry.removed.join(', ')}` : `kept #${entry.taskId} ${entry.branch}: ${entry.kept.join('; ')}`));
  return { json: { collected }, text: lines.length === 0 ? 'nothing to collect' : lines.join('\n') };
}

interface Row {
  entry: QueueEntry;
  position: number | null;
  approvalReasons: string[];
  diffStat: { files: number; paths: string[] };
}

async function describeEntries(deps: MergeQueueDeps, entries: readonly QueueEntry[]): Promise<Row[]> {
  const baseTip = await deps.merger.tipOf(deps.repoRoot, deps.baseBranch);
  let position = 0;
  return Promise.all(
    entries.map(async (entry) => {
      const queued = entry.state.queuedEventId !== null;
      const paths = baseTip === null || entry.state.verifiedCommit === null ? [] : await deps.merger.changedPaths(deps.repoRoot, baseTip, entry.state.verifiedCommit);
      return { entry, position: queued ? ++position : null, approvalReasons: await approvalNeeded(deps, entry.task, entry.state), diffStat: { files: paths.length, paths } };
    }),
  );
}

function jsonRow(row: Row): Record<string, unknown> {
  const { task, state } = row.entry;
  return {
    task: { id: task.id, title: task.title, status: task.status, assignee: task.assignee, branch: state.branch ?? task.branch },
    position: row.position,
    verifiedCommit: state.verifiedCommit,
    approved: state.approved,
    needsApproval: row.approvalReasons.length > 0 && !state.approved,
    approvalReasons: row.approvalReasons,
    returns: state.returns,
    changedFiles: row.diffStat.paths,
  };
}

function entryLine(row: Row, p: Paint): string {
  const { task, state } = row.entry;
  const where = row.position !== null
    ? p.green(`queued ${row.position}`)
    : row.approvalReasons.length > 0 && !state.approved
      ? p.yellow('needs approval')
      : 'in review (baton merge to queue)';
  return `#${task.id}  ${where}  ${quoted(task.title)}  ${row.diffStat.files} file(s)${state.returns > 0 ? `, sent back ${state.returns}x` : ''}`;
}

function reviewBlock(row: Row, p: Paint): string {
  const { task, state } = row.entry;
  const lines = [p.bold(`#${task.id} ${task.title}`)];
  lines.push(`  branch ${state.branch ?? task.branch ?? '?'} at ${state.verifiedCommit?.slice(0, 12) ?? '?'}: baton's checks passed on it`);
  lines.push(`  changes ${row.diffStat.files} file(s): ${row.diffStat.paths.slice(0, 10).join(', ')}${row.diffStat.files > 10 ? ', ...' : ''}`);
  lines.push(row.approvalReasons.length > 0 ? `  needs a person: it ${row.approvalReasons.join('; it ')}` : '  the policy lets it merge on its own: `baton merge` queues it');
  if (state.returns > 0) lines.push(`  the merge queue sent it back ${state.returns} time(s)`);
  lines.push(`  decide: baton approve ${task.id}  |  baton reject ${task.id} -m "why"  |  details: baton show ${task.id}, baton run-log ${task.id}`);
  return lines.join('\n');
}

async function landAndReport(ctx: CommandContext, deps: MergeQueueDeps, queueOnly: boolean, before: string[]): Promise<CommandOutput> {
  const p = paint(ctx.color);
  if (queueOnly) return { json: { landings: [], busy: null, checkRuns: 0 }, text: before.join('\n') };
  // Nothing the checks start may outlive this baton: killed, it would leave them running in the scratch worktree under the next landing's checks.
  guardChildren({ execPath: nodeProcess.execPath });
  const { landings, busy, checkRuns } = await landQueue(deps);
  const lines = [...before, ...landings.map((landing) => landingLine(landing, p))];
  if (busy !== null) lines.push(`the queue is being landed by ${busy}; it will land what was queued`);
  else if (landings.length === 0) lines.push('nothing queued to land');
  const bad = landings.some((landing) => landing.kind !== 'landed');
  if (checkRuns > 1) lines.push(`${checkRuns} check runs`);
  return { json: { landings, busy, checkRuns }, text: lines.join('\n'), exitCode: bad ? EXIT.failed : EXIT.ok };
}

function landingLine(landing: Landing, p: Paint): string {
  switch (landing.kind) {
    case 'landed': {
      const kept = landing.kept.length > 0 ? `; kept: ${landing.kept.join('; ')}` : '';
      const stale = landing.stale === null ? '' : `\n  ${p.yellow(landing.stale)}`;
      return `${p.green('landed')} #${landing.taskId} ${quoted(landing.title)} on ${landing.baseBranch} as ${landing.commit.slice(0, 12)} (${landing.strategy})${kept}${stale}`;
    }
    case 'returned':
      return `${p.red('sent back')} #${landing.taskId} ${quoted(landing.title)}: it is ${landing.status}; ${landing.reason}`;
    case 'paused':
      return `${p.yellow('paused')} at #${landing.taskId}: ${landing.reason}`;
  }
}

function noteLine(note: LandingNote, p: Paint): string {
  switch (note.kind) {
    case 'landing':
      return p.bold(`merge queue: #${note.task.id} ${quoted(note.task.title)} onto ${note.baseTip.slice(0, 12)}`);
    case 'checking':
      return `merge queue: #${note.task.id} checking the merged result ${note.commit.slice(0, 12)}: ${note.checks.length === 0 ? 'no checks configured' : note.checks.join(', ')}`;
    case 'base_moved':
      return p.yellow(`merge queue: #${note.task.id}: the base moved meanwhile (to ${note.tip?.slice(0, 12) ?? 'nothing'}); starting over on the new tip`);
  }
}
