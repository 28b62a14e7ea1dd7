import { checkCommandPaths, protectedCheckFiles } from '../core/run/check-files.js';
import { commitMessage } from '../core/run/commit-message.js';
import { budgetLeft, decideAfterAttempt, statusAfterRun, type AttemptVerdict, type RunDecision, type RunOutcome } from '../core/run/convergence.js';
import { REPORT_PATH, type Budgets } from '../core/run/project-config.js';
import { buildPrompt } from '../core/run/prompt.js';
import { addUsage, NO_USAGE, type AttemptSummary, type RunRecord } from '../core/run/run-record.js';
import { allowedPaths, type ScopeRules } from '../core/run/scope-guard.js';
import type { Task } from '../core/task.js';
import { claimTask } from './claim-task.js';
import { heartbeat, releaseTask } from './leases.js';
import { planRun, type PlanDeps, type RunPlan } from './run-plan.js';
import { runAttempt, type AttemptDeps, type AttemptResult } from './run-attempt.js';
import { concludeRun, recordRunEvent } from './run-on-board.js';
import type { FileAccess, Timers } from './run-ports.js';
import { conclusionOf, feedbackOf, runEventsOf, type Feedback } from './run-report.js';

export interface RunTaskDeps extends PlanDeps, AttemptDeps {
  files: FileAccess;
  timers: Timers;
  /** Progress for the person watching (the CLI prints it); never needed for correctness. */
  onProgress: (note: RunProgressNote) => void;
}

export interface RunTaskOptions {
  taskId: number;
  budgets: Budgets;
  model: string | null;
  leaseTtlMs: number;
  /** Aborting it (Ctrl-C) stops the agent's group and ends the run as interrupted. */
  signal?: AbortSignal;
}

export type RunProgressNote =
  | { kind: 'started'; record: RunRecord; resumed: boolean }
  | { kind: 'setup'; command: string; passed: boolean; durationMs: number }
  | { kind: 'attempt_started'; attempt: number; counted: number; maxAttempts: number; resumedSession: boolean }
  | { kind: 'attempt_finished'; summary: AttemptSummary }
  | { kind: 'waiting'; ms: number; reason: string }
  | { kind: 'finished'; record: RunRecord; task: Task | null };

export interface RunTaskResult {
  record: RunRecord;
  /** The task as the run left it; null when it could not be updated (it changed hands). */
  task: Task | null;
}

/**
 * `baton run`: claims the task, gives it a worktree on its own branch, and drives the agent
 * attempt by attempt until baton's checks pass or a budget, a stall, a divergence or a
 * need for a human stops it. The task ends in review (with a commit), failed or blocked.
 */
export async function runTask(deps: RunTaskDeps, options: RunTaskOptions): Promise<RunTaskResult> {
  const plan = await planRun(deps, options.taskId);
  const prepared = await deps.workspace.prepareWorktree(deps.repoRoot, { path: plan.worktree, branch: plan.branch, base: plan.baseBranch });
  if (plan.previousRun?.status === 'running') await markInterrupted(deps, plan.previousRun);
  const { task } = await claimTask(deps.board, options.taskId, { ttlMs: options.leaseTtlMs, strict: false, worktree: plan.worktree, branch: plan.branch });
  if (!prepared.created) await deps.workspace.resetTo(plan.worktree, prepared.head);
  const record = await startRecord(deps, options, plan, prepared.head);
  await recordRunEvent(deps.board, task.id, 'run_started', { run: record.run, agent: record.agent, model: record.model, worktree: record.worktree, branch: record.branch, resumedFrom: plan.previousRun?.run ?? null });
  deps.onProgress({ kind: 'started', record, resumed: plan.previousRun !== null });

  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  const stopHeartbeat = deps.timers.every(Math.max(1_000, Math.floor(options.leaseTtlMs / 3)), () => {
    heartbeat(deps.board, [task.id], options.leaseTtlMs).catch(() => controller.abort());
  });
  try {
    const outcome = await drive(deps, options, { plan, task, record, created: prepared.created, startHead: prepared.head, signal: controller.signal });
    if (outcome === null) return await interrupt(deps, record, 'the run was stopped before it finished (cancelled, or the task was taken by someone else)');
    return await conclude(deps, record, task, outcome);
  } catch (error) {
    await interrupt(deps, record, `baton hit an error: ${(error as Error).message}`).catch(() => undefined);
    throw error;
  } finally {
    stopHeartbeat();
    options.signal?.removeEventListener('abort', onAbort);
  }
}

interface Running {
  plan: RunPlan;
  task: Task;
  record: RunRecord;
  created: boolean;
  /** The worktree's HEAD when the run began: the checkpoint its first attempt starts from. */
  startHead: string;
  signal: AbortSignal;
}

type Stop = Extract<RunDecision, { kind: 'stop' }>;

/** Setup, then attempts until a decision stops the run; null when the run was aborted. */
async function drive(deps: RunTaskDeps, options: RunTaskOptions, running: Running): Promise<Stop | null> {
  const { record, signal } = running;
  const startedMs = deps.timers.monotonicMs();
  const elapsedMs = (): number => deps.timers.monotonicMs() - startedMs;
  if (setupDue(running) && deps.config.setup !== null) {
    const setupStop = await runSetup(deps, running, options.budgets.timeoutMs);
    if (setupStop) return signal.aborted ? null : setupStop;
  }
  const rules = await scopeRulesFor(deps, running.task, running.record.worktree);
  const verdicts: AttemptVerdict[] = [];
  let previous: AttemptResult | null = null;
  let feedback = previousRunFeedback(running.plan);
  for (;;) {
    const progress = { verdicts, elapsedMs: elapsedMs(), tokens: record.usage.inputTokens + record.usage.outputTokens, costUsd: record.usage.costUsd };
    const left = budgetLeft(progress, options.budgets);
    if (!left.ok) return { kind: 'stop', outcome: 'budget_exceeded', reason: left.reason };
    const counted = verdicts.filter((verdict) => verdict.kind !== 'rate_limited').length + 1;
    const resume = previous !== null && previous.verdict.kind !== 'agent_failed' && deps.executor.capabilities.resume ? previous.summary.sessionId : null;
    deps.onProgress({ kind: 'attempt_started', attempt: record.attempts.length + 1, counted, maxAttempts: options.budgets.maxAttempts, resumedSession: resume !== null });
    const result = await runAttempt(deps, {
      task: running.task,
      run: record.run,
      attempt: record.attempts.length + 1,
      prompt: promptFor(deps, running, counted, options.budgets, rules, feedback, await instructionsIn(deps, running.plan.worktree)),
      worktree: record.worktree,
      checkpoint: record.checkpoint,
      forkCommit: record.startCommit,
      rules,
      model: record.model,
      resumeSession: resume,
      usageBaseline: resume !== null ? (previous?.usageBaseline ?? null) : null,
      scratchDir: `${deps.evidence.runDir(record.taskId, record.run)}/scratch`,
      timeLeftMs: options.budgets.timeoutMs - elapsedMs(),
      signal,
      onAgentStarted: (pgid) => void deps.evidence.saveRun({ ...record, agentPgid: pgid }).catch(() => undefined),
    });
    await recordAttempt(deps, record, result);
    deps.onProgress({ kind: 'attempt_finished', summary: result.summary });
    if (signal.aborted) return null;
    verdicts.push(result.verdict);
    previous = result;
    feedback = feedbackOf(result.verdict) ?? feedback;
    const decision = decideAfterAttempt({ verdicts, elapsedMs: elapsedMs(), tokens: record.usage.inputTokens + record.usage.outputTokens, costUsd: record.usage.costUsd }, options.budgets);
    if (decision.kind === 'stop') return decision.outcome === 'succeeded' ? await commitSuccess(deps, running, result, decision) : decision;
    if (decision.waitMs > 0) {
      deps.onProgress({ kind: 'waiting', ms: decision.waitMs, reason: result.summary.outcomeReason });
      await deps.timers.sleep(decision.waitMs, signal);
      if (signal.aborted) return null;
    }
  }
}

/**
 * Setup runs in a new worktree, and again in a kept one whose last run recorded no attempt:
 * its setup failed (the person was told to fix it and run again) or it was stopped before
 * setup could be known to have passed.
 */
function setupDue(running: Running): boolean {
  return running.created || running.plan.previousRun?.attempts.length === 0;
}

async function runSetup(deps: RunTaskDeps, running: Running, timeoutMs: number): Promise<Stop | null> {
  const command = deps.config.setup as string;
  const result = await deps.commands.run(command, { cwd: running.record.worktree, env: deps.env, timeoutMs, signal: running.signal });
  const evidence = await deps.evidence.attempt(running.record.taskId, running.record.run, 1);
  await evidence.write('setup.log', `$ ${command}\n${result.output}\n[exit ${result.exitCode ?? result.signal} after ${result.durationMs} ms]\n`);
  await evidence.close();
  const passed = result.exitCode === 0 && !result.timedOut;
  deps.onProgress({ kind: 'setup', command, passed, durationMs: result.durationMs });
  if (passed) return null;
  const how = result.timedOut ? 'timed out' : `exited with ${result.exitCode ?? result.signal}`;
  return { kind: 'stop', outcome: 'needs_human', reason: `the setup script \`${command}\` ${how} in the new worktree; fix it, then run the task again` };
}

/** The one commit a passing attempt leaves on the task branch for review. */
async function commitSuccess(deps: RunTaskDeps, running: Running, result: AttemptResult, decision: Stop): Promise<Stop> {
  const { record } = running;
  const counted = record.attempts.filter((attempt) => attempt.verdict !== 'rate_limited').length;
  const message = commitMessage(running.task, result.report, { runNumber: record.run, attempts: counted });
  const commit = (await deps.workspace.commitAll(record.worktree, message)) ?? (await rewordCheckpoint(deps, running, message));
  record.commit = commit;
  record.checkpoint = commit;
  return decision;
}

/**
 * A passing attempt with nothing new to commit (the attempt before it failed only on its
 * report, or on a flaky check) leaves HEAD at that attempt's checkpoint, whose message says
 * the checks failed: the checkpoint is rewritten as the commit for review, same tree, review
 * message. A HEAD this run did not commit (a previous run's checkpoint) is left as it is.
 */
async function rewordCheckpoint(deps: RunTaskDeps, running: Running, message: string): Promise<string> {
  const { worktree, attempts } = running.record;
  const head = await deps.workspace.head(worktree);
  const starts = [running.startHead, ...attempts.map((attempt) => attempt.checkpoint)];
  const made = starts.findLastIndex((commit, index) => index > 0 && commit === head && starts[index - 1] !== head);
  const base = made > 0 ? starts[made - 1] : undefined;
  return base === undefined ? head : deps.workspace.squash(worktree, base, message);
}

async function scopeRulesFor(deps: RunTaskDeps, task: Task, worktree: string): Promise<ScopeRules> {
  const { checks, scope } = deps.config;
  const existing: string[] = [];
  for (const path of checkCommandPaths(checks)) {
    if ((await deps.workspace.fileState(worktree, path).catch(() => 'missing')) !== 'missing') existing.push(path);
  }
  return {
    allowed: allowedPaths(task, scope.allow),
    protected: scope.protect,
    testFiles: scope.testFiles,
    checkFiles: protectedCheckFiles(checks, existing, scope.testFiles),
  };
}

function promptFor(deps: RunTaskDeps, running: Running, counted: number, budgets: Budgets, rules: ScopeRules, feedback: Feedback | null, instructions: { file: string; text: string } | null): string {
  const { detail } = running.plan;
  return buildPrompt({
    task: running.task,
    notes: detail.notes,
    findings: detail.findings,
    instructions,
    attempt: counted,
    maxAttempts: budgets.maxAttempts,
    checks: [...deps.config.checks.map((check) => ({ id: check.id, run: check.run })), ...running.task.verify.map((run, index) => ({ id: `verify-${index + 1}`, run }))],
    allowedPaths: rules.allowed,
    protectedPaths: rules.protected,
    reportPath: REPORT_PATH,
    previousFailures: feedback?.failures ?? null,
    reverted: feedback?.reverted ?? false,
  });
}

/** A resumed run starts with what the run before it last failed on. */
function previousRunFeedback(plan: RunPlan): Feedback | null {
  const last = plan.previousRun?.attempts.findLast((attempt) => attempt.failures.length > 0);
  return last ? { failures: last.failures, reverted: last.verdict === 'diverged' } : null;
}

const INSTRUCTION_FILES = ['AGENTS.md', 'CLAUDE.md'];

async function instructionsIn(deps: RunTaskDeps, worktree: string): Promise<{ file: string; text: string } | null> {
  for (const file of INSTRUCTION_FILES) {
    const text = await deps.files.readText(`${worktree}/${file}`);
    if (text !== null && text.trim() !== '') return { file, text };
  }
  return null;
}

async function startRecord(deps: RunTaskDeps, options: RunTaskOptions, plan: RunPlan, head: string): Promise<RunRecord> {
  const record: RunRecord = {
    schemaVersion: 1,
    taskId: options.taskId,
    run: await deps.evidence.nextRunNumber(options.taskId),
    status: 'running',
    reason: null,
    agent: deps.executor.name,
    model: options.model,
    actor: deps.board.actor,
    pid: deps.pid,
    agentPgid: null,
    worktree: plan.worktree,
    branch: plan.branch,
    baseBranch: plan.baseBranch,
    startCommit: plan.previousRun?.startCommit ?? head,
    checkpoint: head,
    commit: null,
    startedAt: deps.board.clock.now().toISOString(),
    endedAt: null,
    budgets: options.budgets,
    attempts: [],
    usage: { ...NO_USAGE },
  };
  await deps.evidence.createRun(record);
  return record;
}

async function recordAttempt(deps: RunTaskDeps, record: RunRecord, result: AttemptResult): Promise<void> {
  record.attempts.push(result.summary);
  record.usage = addUsage(record.usage, result.summary.usage);
  record.checkpoint = result.summary.checkpoint;
  record.agentPgid = null;
  await deps.evidence.saveRun(record);
  for (const event of runEventsOf(record, result)) await recordRunEvent(deps.board, record.taskId, event.type, event.payload);
}

/**
 * A run whose baton died: its record says what happened. Its agent is already gone: the
 * watchdog ended it when baton's pipe closed (a recorded group id may belong to someone else by now).
 */
async function markInterrupted(deps: RunTaskDeps, previous: RunRecord): Promise<void> {
  await deps.evidence.saveRun({ ...previous, status: 'interrupted', reason: `baton (pid ${previous.pid}) stopped during the run`, endedAt: deps.board.clock.now().toISOString(), agentPgid: null });
}

async function conclude(deps: RunTaskDeps, record: RunRecord, task: Task, stop: Stop): Promise<RunTaskResult> {
  record.status = stop.outcome;
  record.reason = stop.reason;
  record.endedAt = deps.board.clock.now().toISOString();
  await deps.evidence.saveRun(record);
  let concluded: Task | null = null;
  try {
    concluded = await concludeRun(deps.board, task.id, conclusionOf(record, statusAfterRun(stop.outcome as RunOutcome), deps.evidence.runDir(record.taskId, record.run)));
  } catch (error) {
    record.reason = `${stop.reason} (${(error as Error).message})`;
    await deps.evidence.saveRun(record);
  }
  deps.onProgress({ kind: 'finished', record, task: concluded });
  return { record, task: concluded };
}

async function interrupt(deps: RunTaskDeps, record: RunRecord, reason: string): Promise<RunTaskResult> {
  record.status = 'interrupted';
  record.reason = reason;
  record.endedAt = deps.board.clock.now().toISOString();
  record.agentPgid = null;
  await deps.evidence.saveRun(record);
  let task: Task | null = null;
  try {
    task = await releaseTask(deps.board, record.taskId, false);
    await recordRunEvent(deps.board, record.taskId, 'run_interrupted', { run: record.run, reason, branch: record.branch, checkpoint: record.checkpoint });
  } catch {
    // The task changed hands meanwhile: the evidence says what this run did.
  }
  deps.onProgress({ kind: 'finished', record, task });
  return { record, task };
}
