import nodeProcess from 'node:process';
import { BoardNotices } from '../../adapters/db/board-notices.js';
import { detectContainment } from '../../adapters/process/containment.js';
import { supervise, type SupervisedLanding, type SupervisedRun, type SupervisorNote } from '../../app/supervise.js';
import { runTask, type RunProgressNote } from '../../app/run-task.js';
import { BatonError, InvalidInputError } from '../../core/errors.js';
import type { Task } from '../../core/task.js';
import { mergeQueueDeps } from './merge-deps.js';
import { quoted } from '../../core/quoted.js';
import type { ProjectConfig } from '../../core/run/project-config.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paint, SCHEMA_VERSION, type CommandOutput, type Paint } from '../output.js';
import { evidenceStoreFor, runnerDeps } from './run-deps.js';
import { reconcileDeadRuns } from '../../app/reconcile-runs.js';
import { procProcessTable } from '../../adapters/process/process-table.js';
import { hostname } from 'node:os';
import { LiveView } from './live-view.js';
import { progressLine } from './run-format.js';

const STOPPING_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface SupervisorFlags {
  parallel: number;
  /** `--agent`: after a task's label and the config's rules, before the config's default. */
  agentFlag: string | null;
  /** Hand work left in review to the merge queue (`--no-land`: leave it in review). */
  land: boolean;
  watch: boolean;
  labels: string[];
  maxDispatches: number;
  leaseTtlMs: number;
}

/**
 * `baton run --ready`: the supervisor over the ready queue, each run composed as `baton run ID`
 * composes its own. The first Ctrl-C stops dispatching and lets the runs finish; the second
 * interrupts them (their tasks go back to the queue, their worktrees stay).
 */
export async function superviseCommandRun(ctx: CommandContext, config: ProjectConfig, flags: SupervisorFlags): Promise<CommandOutput> {
  const p = paint(ctx.color);
  // On a terminal, a line per running task redrawn in place below the log lines.
  const live = !ctx.json && ctx.io.liveStdout !== undefined ? new LiveView(ctx.io.liveStdout, () => performance.now(), terminalColumns(ctx.io.env)) : null;
  // With --json, stdout carries NDJSON (an event per line, the summary last) and people read stderr.
  const print = live !== null ? (line: string) => live.log(line) : ctx.json ? ctx.io.stderr : ctx.io.stdout;
  const emit = (event: Record<string, unknown>): void => {
    if (ctx.json) ctx.io.stdout(JSON.stringify({ schemaVersion: SCHEMA_VERSION, event }));
  };
  // Uncontained, an attempt could have made any change around its worktree, so one run would
  // take another's checkpoints and worktree for its own attempt's doing and end diverged.
  const contained = (await detectContainment(ctx.io.env)).kind === 'namespaces';
  if (flags.parallel > 1 && !contained) {
    throw new InvalidInputError('--parallel', 'runs side by side need containment, which is off or not available here (see `baton run`\'s containment line); use --parallel 1');
  }
  const board = await ctx.deps();
  // A supervisor killed outright left its runs marked running: their tasks go back to the queue now.
  for (const run of await reconcileDeadRuns({ board, evidence: evidenceStoreFor(ctx), processes: procProcessTable, host: hostname() })) {
    print(p.yellow(`supervisor: #${run.taskId}'s run${run.run === null ? '' : ` ${run.run}`} stopped with its baton (pid ${run.pid}); the task is back in the queue and resumes from its last checkpoint`));
    emit({ kind: 'reconciled', ...run });
  }
  const drain = new AbortController();
  const interrupt = new AbortController();
  const onSignal = (): void => (drain.signal.aborted ? interrupt.abort() : drain.abort());
  for (const signal of STOPPING_SIGNALS) nodeProcess.on(signal, onSignal);
  const notices = new BoardNotices(ctx.boardPath());
  notices.start();
  const ticking = live === null ? null : setInterval(() => live.tick(), 1_000);
  ticking?.unref();
  try {
    const summary = await supervise(
      {
        board,
        defaultAgent: config.agent.name,
        runTask: async (task, agent) => {
          const deps = await runnerDeps(ctx, config, agent, (note: RunProgressNote) => {
            const line = progressLine(note, p);
            if (live !== null) showInRow(live, task.id, agent, note);
            else if (line !== null) print(prefixed(task.id, line));
            const event = runEvent(task.id, note);
            if (event !== null) emit(event);
          });
          return runTask(deps, { taskId: task.id, budgets: config.budgets, model: config.agent.model, leaseTtlMs: flags.leaseTtlMs, signal: interrupt.signal });
        },
        waitForChange: (ms, signal) => waitForChange(notices, ms, signal),
        monotonicMs: () => performance.now(),
        usageToday: () => usageToday(evidenceStoreFor(ctx), board.clock.now()),
        onNote: (note) => {
          print(noteLine(note, p));
          emit(noteEvent(note));
        },
        ...(flags.land ? { land: landerFor(ctx, config, (line) => print(line)) } : {}),
      },
      { parallel: flags.parallel, watch: flags.watch, labels: flags.labels, maxDispatches: flags.maxDispatches, drain: drain.signal, fleet: config.fleet, agentFlag: flags.agentFlag, landBesideRuns: contained },
    );
    const totals = totalsOf(summary.runs);
    const failed = summary.runs.some((run) => run.outcome !== 'succeeded');
    return {
      json: { runs: summary.runs, totals, deferred: summary.deferred, drained: summary.drained, interrupted: interrupt.signal.aborted, budgetSpent: summary.budgetSpent, landings: summary.landings },
      text: [summaryText(summary.runs, summary.deferred, p), ...summary.landings.map((landing) => `#${landing.taskId} ${landing.outcome}: ${landing.detail}`)].join('\n'),
      exitCode: failed || unsettledLandings(summary.landings) ? EXIT.failed : EXIT.ok,
    };
  } finally {
    if (ticking !== null) clearInterval(ticking);
    live?.close();
    notices.close();
    for (const signal of STOPPING_SIGNALS) nodeProcess.off(signal, onSignal);
  }
}

/**
 * The supervisor's hand-over to the merge queue: queue the task unless the approval policy
 * holds it for a person, then land the queue (one lander per board; a busy one lands it too).
 */
function landerFor(ctx: CommandContext, config: ProjectConfig, print: (line: string) => void): (task: Task) => Promise<SupervisedLanding[]> {
  const p = paint(ctx.color);
  return async (task) => {
    const { enqueue, landQueue } = await import('../../app/merge-queue.js');
    const deps = await mergeQueueDeps(ctx, config, (note) => print(`#${note.task.id} merge queue: ${note.kind === 'checking' ? `checking the merged result ${note.commit.slice(0, 12)}` : note.kind === 'landing' ? `onto ${note.baseTip.slice(0, 12)}` : 'the base moved meanwhile; starting over'}`));
    try {
      await enqueue(deps, task.id, { approve: false, message: null });
    } catch (error) {
      if (error instanceof BatonError && error.code === 'APPROVAL_REQUIRED') return [{ taskId: task.id, outcome: 'waits_for_approval', detail: error.message }];
      throw error;
    }
    const { landings, busy } = await landQueue(deps);
    if (busy !== null) return [{ taskId: task.id, outcome: 'queued', detail: `queued; ${busy} is landing the queue` }];
    return landings.map((landing) => ({
      taskId: landing.taskId,
      outcome: landing.kind,
      detail: landing.kind === 'landed' ? p.green(`on ${landing.baseBranch} as ${landing.commit.slice(0, 12)}`) : landing.reason,
    }));
  };
}

/** Input plus output tokens and dollars the runs started today (UTC) reported, running ones so far. */
async function usageToday(evidence: ReturnType<typeof evidenceStoreFor>, now: Date): Promise<{ tokens: number; usd: number }> {
  const day = now.toISOString().slice(0, 10);
  const today = (await evidence.listRuns(null)).filter((record) => record.startedAt.startsWith(day));
  return {
    tokens: today.reduce((sum, record) => sum + record.usage.inputTokens + record.usage.outputTokens, 0),
    usd: today.reduce((sum, record) => sum + record.usage.costUsd, 0),
  };
}

/** Whether some task's last word from the queue was not `landed` (a task sent back and landed later is fine). */
function unsettledLandings(landings: readonly SupervisedLanding[]): boolean {
  const last = new Map(landings.map((landing) => [landing.taskId, landing.outcome]));
  return [...last.values()].some((outcome) => outcome !== 'landed' && outcome !== 'waits_for_approval' && outcome !== 'queued');
}

/** A run's progress as its live row shows it. */
function showInRow(live: LiveView, taskId: number, agent: string, note: RunProgressNote): void {
  switch (note.kind) {
    case 'started':
      return live.update(taskId, { agent, last: note.resumed ? 'resuming from its checkpoint' : 'worktree ready' });
    case 'setup':
      return live.update(taskId, { last: `setup ${note.passed ? 'done' : 'failed'}` });
    case 'baseline':
      return live.update(taskId, { last: 'checks ran on the base' });
    case 'attempt_started':
      return live.update(taskId, { attempt: `attempt ${note.counted}/${note.maxAttempts}`, last: 'agent working' });
    case 'attempt_finished': {
      const { summary } = note;
      const row = { last: `attempt ${summary.attempt}: ${summary.verdict.replace('_', ' ')}` };
      return live.update(taskId, { ...row, ...usageOf(live, taskId, summary.usage) });
    }
    case 'waiting':
      return live.update(taskId, { last: `waiting ${Math.round(note.ms / 1000)} s (${note.reason})` });
    case 'finished':
      return live.remove(taskId);
  }
}

/** The row's tokens and cost with one more attempt's added. */
function usageOf(live: LiveView, taskId: number, usage: { inputTokens: number; outputTokens: number; costUsd: number }): { tokens: number; costUsd: number } {
  const row = live.row(taskId);
  return { tokens: (row?.tokens ?? 0) + usage.inputTokens + usage.outputTokens, costUsd: (row?.costUsd ?? 0) + usage.costUsd };
}

/** The terminal's width as the shell tells it (COLUMNS), else the classic 80. */
function terminalColumns(env: Readonly<Record<string, string | undefined>>): number {
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns >= 20 ? columns : 80;
}

/** A supervisor note as an NDJSON event: ids and facts, not whole tasks. */
function noteEvent(note: SupervisorNote): Record<string, unknown> {
  switch (note.kind) {
    case 'dispatched':
      return { kind: note.kind, taskId: note.task.id, title: note.task.title, agent: note.agent, running: note.running };
    case 'deferred':
      return { kind: note.kind, taskId: note.task.id, waitsFor: note.collisions.map((collision) => collision.taskId), reasons: note.collisions.map((collision) => collision.reason) };
    case 'failed_to_start':
      return { kind: note.kind, taskId: note.task.id, agent: note.agent, message: note.message };
    case 'finished':
      return { kind: note.kind, ...note.entry };
    case 'landing':
      return { kind: note.kind, ...note.landing };
    case 'draining':
    case 'budget_spent':
      return { ...note };
  }
}

/** A run's progress as an NDJSON event, for the notes a machine may act on. */
function runEvent(taskId: number, note: RunProgressNote): Record<string, unknown> | null {
  switch (note.kind) {
    case 'started':
      return { kind: 'run_started', taskId, run: note.record.run, agent: note.record.agent, worktree: note.record.worktree, branch: note.record.branch, resumed: note.resumed };
    case 'attempt_started':
      return { kind: note.kind, taskId, attempt: note.attempt, counted: note.counted, maxAttempts: note.maxAttempts };
    case 'attempt_finished': {
      const { summary } = note;
      return { kind: note.kind, taskId, attempt: summary.attempt, outcome: summary.outcome, verdict: summary.verdict, durationMs: summary.durationMs, tokens: summary.usage.inputTokens + summary.usage.outputTokens, costUsd: summary.usage.costUsd };
    }
    default:
      return null;
  }
}

/** Resolves after `ms`, on a change to the board, or when `signal` aborts. */
function waitForChange(notices: BoardNotices, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const unsubscribe = notices.subscribe(done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A run's progress lines, each marked with its task, since several runs print side by side. */
function prefixed(taskId: number, text: string): string {
  return text
    .split('\n')
    .map((line) => `#${taskId} ${line}`)
    .join('\n');
}

function noteLine(note: SupervisorNote, p: Paint): string {
  switch (note.kind) {
    case 'dispatched':
      return p.bold(`supervisor: starting #${note.task.id} ${quoted(note.task.title)} with ${note.agent} (${note.running} running)`);
    case 'deferred':
      return p.yellow(`supervisor: #${note.task.id} waits: ${note.collisions.map((collision) => collision.reason).join('; ')}`);
    case 'failed_to_start':
      return p.red(`supervisor: #${note.task.id} could not start with ${note.agent}: ${note.message}`);
    case 'finished':
      return `supervisor: #${note.entry.taskId} ended ${outcomeText(note.entry, p)}${note.entry.taskStatus ? `, task ${note.entry.taskStatus}` : ''}`;
    case 'draining':
      return p.yellow(`supervisor: starting nothing more; waiting for ${note.running} running run(s) to finish (Ctrl-C again interrupts them)`);
    case 'budget_spent':
      return p.yellow(`supervisor: starting nothing more: ${note.reason}${note.running > 0 ? `; waiting for ${note.running} running run(s) to finish` : ''}`);
    case 'landing':
      return `supervisor: #${note.landing.taskId} ${note.landing.outcome === 'landed' ? p.green('landed') : p.yellow(note.landing.outcome)}: ${note.landing.detail}`;
  }
}

function outcomeText(entry: SupervisedRun, p: Paint): string {
  return entry.outcome === 'succeeded' ? p.green(entry.outcome) : p.red(entry.outcome);
}

function totalsOf(runs: readonly SupervisedRun[]): { runs: number; succeeded: number; attempts: number; tokens: number; costUsd: number; durationMs: number } {
  return {
    runs: runs.length,
    succeeded: runs.filter((run) => run.outcome === 'succeeded').length,
    attempts: runs.reduce((sum, run) => sum + run.attempts, 0),
    tokens: runs.reduce((sum, run) => sum + run.tokens, 0),
    costUsd: runs.reduce((sum, run) => sum + run.costUsd, 0),
    durationMs: runs.reduce((sum, run) => sum + run.durationMs, 0),
  };
}

function summaryText(runs: readonly SupervisedRun[], deferred: readonly { taskId: number; collisions: { reason: string }[] }[], p: Paint): string {
  if (runs.length === 0 && deferred.length === 0) return 'nothing ready: no run started';
  const rows = runs.map((run) => [`#${run.taskId}`, run.agent, run.outcome, String(run.attempts), seconds(run.durationMs), String(run.tokens), `$${run.costUsd.toFixed(2)}`]);
  const totals = totalsOf(runs);
  const table = [['task', 'agent', 'outcome', 'attempts', 'time', 'tokens', 'cost'], ...rows];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const lines = table.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
  lines[0] = p.bold(lines[0]!);
  lines.push(`${totals.succeeded} of ${totals.runs} run(s) succeeded; ${totals.attempts} attempt(s), ${totals.tokens} tokens, $${totals.costUsd.toFixed(2)} reported by the agents`);
  for (const entry of deferred) lines.push(p.yellow(`#${entry.taskId} still waits: ${entry.collisions.map((collision) => collision.reason).join('; ')}`));
  return lines.join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
