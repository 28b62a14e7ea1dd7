import { checkCommandPaths, protectedCheckFiles } from '../core/run/check-files.js';
import { commitMessage } from '../core/run/commit-message.js';
import { knownFailuresOf, type KnownFailure } from '../core/run/check-verdict.js';
import { collectCheckDefinitions } from '../core/run/check-definitions.js';
import { editableTestPaths } from '../core/run/test-contract.js';
import { budgetLeft, decideAfterAttempt, statusAfterRun, type AttemptVerdict, type RunDecision, type RunOutcome } from '../core/run/convergence.js';
import { MAX_AGENT_NOTES_CHARS, NOTES_PATH, REPORT_PATH, type Budgets } from '../core/run/project-config.js';
import { buildPrompt } from '../core/run/prompt.js';
import { addUsage, NO_USAGE, type AttemptSummary, type RunRecord } from '../core/run/run-record.js';
import { allowedPaths, type ScopeRules } from '../core/run/scope-guard.js';
import type { Task } from '../core/task.js';
import { claimTask } from './claim-task.js';
import { heartbeat } from './leases.js';
import { addNote } from './notes.js';
import { boardTampering, sealBoard } from './board-seal.js';
import { acquireRunLock, dropRunLock, releaseRunHold, renewRunLock } from './run-lock.js';
import { planRun, type PlanDeps, type RunPlan } from './run-plan.js';
import { commitTreeOn, runAttempt, type AttemptDeps, type AttemptResult } from './run-attempt.js';
import { checkBaselines, type Baselines } from './check-baseline.js';
import { checkSpecs } from './run-checks.js';
import { concludeRun, recordRunEvent } from './run-on-board.js';
import type { BaselineStore, Timers } from './run-ports.js';
import { conclusionOf, feedbackOf, runEventsOf, type Feedback } from './run-report.js';

export interface RunTaskDeps extends PlanDeps, AttemptDeps {
  timers: Timers;
  /** Checks as they ran on a base commit, shared by the runs on that base. */
  baselines: BaselineStore;

  /** A value no other run has (the run lock's token). */
  newToken: () => string;
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
  | { kind: 'started'; record: RunRecord; resumed: boolean; containment: string }
  | { kind: 'setup'; command: string; passed: boolean; durationMs: number }
  | { kind: 'baseline'; ran: string[]; cached: string[]; missing: string[]; knownFailures: KnownFailure[]; durationMs: number }
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
  const holder = { token: deps.newToken(), host: deps.host, pid: deps.pid };
  await acquireRunLock(deps.board, options.taskId, holder, options.leaseTtlMs, (pid) => pid !== deps.pid && deps.processes.isAlive(pid));
  const stage = { claimed: false };
  const started = await startHeld(deps, options, plan, stage).catch(async (error: unknown) => {
    // A run refused before its claim leaves the board as it found it.
    if (stage.claimed) await releaseRunHold(deps.board, options.taskId, holder.token, (error as Error).message).catch(() => undefined);
    else await dropRunLock(deps.board, options.taskId, holder.token).catch(() => undefined);
    throw error;
  });
  const { task, record, prepared } = started;
  await recordRunEvent(deps.board, task.id, 'run_started', { run: record.run, agent: record.agent, model: record.model, worktree: record.worktree, branch: record.branch, resumedFrom: plan.previousRun?.run ?? null, quarantined: record.quarantined });
  deps.onProgress({ kind: 'started', record, resumed: plan.previousRun !== null, containment: deps.sandbox.description });

  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  const checkScratchDir = await deps.files.makeTempDir('baton-checks-');
  const stopHeartbeat = deps.timers.every(Math.max(1_000, Math.floor(options.leaseTtlMs / 3)), () => {
    Promise.all([heartbeat(deps.board, [task.id], options.leaseTtlMs), renewRunLock(deps.board, task.id, holder.token, options.leaseTtlMs)]).catch(() => controller.abort());
  });
  try {
    const outcome = await drive(deps, options, { plan, task, record, created: prepared.created, startHead: prepared.head, signal: controller.signal, checkScratchDir, knownFailures: [] });
    if (outcome === null) return await interrupt(deps, record, holder.token, 'the run was stopped before it finished (cancelled, or the task was taken by someone else)');
    return await conclude(deps, record, task, holder.token, outcome);
  } catch (error) {
    await interrupt(deps, record, holder.token, `baton hit an error: ${(error as Error).message}`).catch(() => undefined);
    throw error;
  } finally {
    stopHeartbeat();
    options.signal?.removeEventListener('abort', onAbort);
    await deps.files.removeDir(checkScratchDir).catch(() => undefined);
  }
}

/**
 * With the run lock held: the worktree, the claim and the run's record. Work a previous run
 * left uncommitted in a kept worktree is saved on a ref before the worktree is reset to its
 * checkpoint, so resuming never throws work away.
 */
async function startHeld(deps: RunTaskDeps, options: RunTaskOptions, plan: RunPlan, stage: { claimed: boolean }): Promise<{ task: Task; record: RunRecord; prepared: { created: boolean; head: string } }> {
  const prepared = await deps.workspace.prepareWorktree(deps.repoRoot, { path: plan.worktree, branch: plan.branch, base: plan.baseBranch });
  if (plan.previousRun?.status === 'running') await markInterrupted(deps, plan.previousRun);
  const { task } = await claimTask(deps.board, options.taskId, { ttlMs: options.leaseTtlMs, strict: false, worktree: plan.worktree, branch: plan.branch });
  stage.claimed = true;
  // The new board's task #N starts its runs from 1, beside none of the old board's #N.
  if (plan.previousRun === null) await deps.evidence.setAsideOtherBoards(options.taskId, plan.boardId);
  const run = await deps.evidence.nextRunNumber(options.taskId);
  let quarantined: RunRecord['quarantined'] = null;
  if (!prepared.created) {
    const ref = `${runRefBase(plan.boardId, options.taskId, run)}/left-uncommitted`;
    const commit = await deps.workspace.quarantine(plan.worktree, ref);
    if (commit !== null) quarantined = { ref, commit };
    await deps.workspace.resetTo(plan.worktree, prepared.head);
  }
  const record = await startRecord(deps, options, plan, { run, head: prepared.head, quarantined });
  return { task, record, prepared };
}

interface Running {
  plan: RunPlan;
  task: Task;
  record: RunRecord;
  created: boolean;
  /** The worktree's HEAD when the run began: the checkpoint its first attempt starts from. */
  startHead: string;
  signal: AbortSignal;
  /** A folder outside the worktree where checks write reports baton reads. */
  checkScratchDir: string;
  /** What already failed on the base, for the prompt (set once the baselines are known). */
  knownFailures: KnownFailure[];
}

/** A decision to stop; `boardUntrusted` when the board changed under the run and must not be written to. */
type Stop = Extract<RunDecision, { kind: 'stop' }> & { boardUntrusted?: boolean };

/** Refs a run keeps as evidence (work it reverted or found uncommitted, an agent's own commits) live under this. */
function runRefBase(boardId: string, taskId: number, run: number): string {
  return `refs/baton/runs/${boardId.slice(0, 12)}/${taskId}/${run}`;
}

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
  // What the checks run is read at the task's base, once: no attempt can redefine it.
  const definitions = await collectCheckDefinitions({
    checks: deps.config.checks,
    verify: running.task.verify,
    testFiles: deps.config.scope.testFiles,
    readBase: (paths) => deps.workspace.readFilesAt(record.worktree, record.startCommit, paths),
  });
  const baselines = await baselinesOf(deps, running, options.budgets.timeoutMs - elapsedMs());
  if (signal.aborted) return null;
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
    const seal = await sealBoard(deps.board, running.task.id);
    const result = await runAttempt(deps, {
      task: running.task,
      run: record.run,
      refBase: runRefBase(record.boardId, record.taskId, record.run),
      branch: record.branch,
      watchOutside: !deps.sandbox.active,
      definitions,
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
      checkScratchDir: running.checkScratchDir,
      baselines: baselines.byCheck,
      timeLeftMs: options.budgets.timeoutMs - elapsedMs(),
      signal,
      onAgentStarted: (pgid) => void deps.evidence.saveRun({ ...record, agentPgid: pgid }).catch(() => undefined),
    });
    const tampered = await boardTampering(deps.board, seal);
    if (tampered !== null) {
      await recordAttempt(deps, record, result, { onBoard: false });
      return { kind: 'stop', outcome: 'needs_human', reason: `the board changed under the run in a way no baton command makes (${tampered}); baton will not conclude on it: check the board, then run the task again`, boardUntrusted: true };
    }
    await recordAttempt(deps, record, result);
    await recordAgentNotes(deps, running, result.summary.attempt);
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
 * The agent's notes for its task (`.baton/notes.md`): written on the board by baton, which the
 * agent inside a run may not write itself, then removed so the next attempt starts afresh.
 */
async function recordAgentNotes(deps: RunTaskDeps, running: Running, attempt: number): Promise<void> {
  const file = `${running.record.worktree}/${NOTES_PATH}`;
  const text = (await deps.files.readText(file))?.trim() ?? '';
  if (text === '') return;
  const body = text.length > MAX_AGENT_NOTES_CHARS ? `${text.slice(0, MAX_AGENT_NOTES_CHARS)}\n[... cut: ${text.length - MAX_AGENT_NOTES_CHARS} more characters]` : text;
  await addNote(deps.board, running.task.id, `From the agent (run ${running.record.run}, attempt ${attempt}): ${body}`);
  await deps.files.remove(file);
}

/**
 * The checks as they ran on the task's base, before any attempt: taken now when the worktree
 * is still the untouched base and no earlier run on this base took them, else from the cache.
 * The failures found there are the base's, and the agent is told so up front.
 */
async function baselinesOf(deps: RunTaskDeps, running: Running, timeLeftMs: number): Promise<Baselines> {
  const { record } = running;
  const specs = checkSpecs(deps.config, running.task, timeLeftMs);
  const atBase = record.checkpoint === record.startCommit && (await deps.workspace.head(record.worktree)) === record.startCommit;
  const startedMs = deps.timers.monotonicMs();
  const baselines = await checkBaselines(deps, specs, {
    worktree: record.worktree,
    baseCommit: record.startCommit,
    atBase,
    scratchDir: running.checkScratchDir,
    timeLeftMs,
    wrap: deps.sandbox.wrapFor(deps.repoRoot, record.worktree),
    recordedAt: deps.board.clock.now().toISOString(),
    signal: running.signal,
  });
  const required = new Set(specs.filter((spec) => spec.requiredByTask).map((spec) => spec.checkId));
  running.knownFailures = knownFailuresOf(baselines.byCheck, (checkId) => required.has(checkId) || deps.config.baseline.preexisting === 'block');
  deps.onProgress({ kind: 'baseline', ran: baselines.ran, cached: baselines.cached, missing: baselines.missing, knownFailures: running.knownFailures, durationMs: Math.round(deps.timers.monotonicMs() - startedMs) });
  return baselines;
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
  const wrap = deps.sandbox.wrapFor(deps.repoRoot, running.record.worktree);
  const result = await deps.commands.run(command, { cwd: running.record.worktree, env: deps.env, timeoutMs, signal: running.signal, ...(wrap ? { wrap } : {}) });
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
  // The tree the checks passed on, not whatever the worktree holds now.
  const tree = result.tree ?? (await deps.workspace.snapshotTree(record.worktree));
  const commit = (await deps.workspace.treeOf(record.worktree, record.checkpoint)) === tree
    ? await rewordCheckpoint(deps, running, message)
    : await commitTreeOn(deps, { worktree: record.worktree, checkpoint: record.checkpoint, branch: record.branch }, tree, message);
  record.commit = commit;
  record.checkpoint = commit;
  return decision;
}

/**
 * A passing attempt with nothing new to commit (the attempt before it failed only on its
 * report, or on a flaky check) leaves HEAD at that attempt's checkpoint, whose message says
 * the checks failed: the checkpoint is rewritten as the commit for review, same tree, review
 * message. A HEAD this run did not commit (a previous run's checkpoint, "not checked" or
 * failed) is left as it is, and the commit for review goes on top of it: the same tree under
 * the review message, so the branch never ends in a checkpoint that says it failed.
 */
async function rewordCheckpoint(deps: RunTaskDeps, running: Running, message: string): Promise<string> {
  const { worktree, attempts, branch } = running.record;
  const head = await deps.workspace.head(worktree);
  const starts = [running.startHead, ...attempts.map((attempt) => attempt.checkpoint)];
  const made = starts.findLastIndex((commit, index) => index > 0 && commit === head && starts[index - 1] !== head);
  const base = made > 0 ? starts[made - 1] : undefined;
  if (base !== undefined) return deps.workspace.squash(worktree, base, message);
  return deps.workspace.commitTree(worktree, { tree: await deps.workspace.treeOf(worktree, head), parent: head, message, branch });
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
    editableTests: editableTestPaths(task, scope.editableTests),
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
    knownFailures: running.knownFailures,
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

async function startRecord(deps: RunTaskDeps, options: RunTaskOptions, plan: RunPlan, start: { run: number; head: string; quarantined: RunRecord['quarantined'] }): Promise<RunRecord> {
  const record: RunRecord = {
    schemaVersion: 1,
    taskId: options.taskId,
    boardId: plan.boardId,
    run: start.run,
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
    startCommit: plan.previousRun?.startCommit ?? start.head,
    checkpoint: start.head,
    commit: null,
    quarantined: start.quarantined,
    startedAt: deps.board.clock.now().toISOString(),
    endedAt: null,
    budgets: options.budgets,
    attempts: [],
    usage: { ...NO_USAGE },
  };
  await deps.evidence.createRun(record);
  return record;
}

async function recordAttempt(deps: RunTaskDeps, record: RunRecord, result: AttemptResult, where = { onBoard: true }): Promise<void> {
  record.attempts.push(result.summary);
  record.usage = addUsage(record.usage, result.summary.usage);
  record.checkpoint = result.summary.checkpoint;
  record.agentPgid = null;
  await deps.evidence.saveRun(record);
  if (!where.onBoard) return;
  for (const event of runEventsOf(record, result)) await recordRunEvent(deps.board, record.taskId, event.type, event.payload);
}

/**
 * A run whose baton died: its record says what happened. Its agent is already gone: the
 * watchdog ended it when baton's pipe closed (a recorded group id may belong to someone else by now).
 */
async function markInterrupted(deps: RunTaskDeps, previous: RunRecord): Promise<void> {
  await deps.evidence.saveRun({ ...previous, status: 'interrupted', reason: `baton (pid ${previous.pid}) stopped during the run`, endedAt: deps.board.clock.now().toISOString(), agentPgid: null });
}

async function conclude(deps: RunTaskDeps, record: RunRecord, task: Task, token: string, stop: Stop): Promise<RunTaskResult> {
  record.status = stop.outcome;
  record.reason = stop.reason;
  record.endedAt = deps.board.clock.now().toISOString();
  await deps.evidence.saveRun(record);
  let concluded: Task | null = null;
  if (stop.boardUntrusted === true) {
    // Nothing is written on a board that changed under the run; the lock goes if it still can.
    await dropRunLock(deps.board, task.id, token).catch(() => undefined);
    deps.onProgress({ kind: 'finished', record, task: null });
    return { record, task: null };
  }
  try {
    concluded = await concludeRun(deps.board, task.id, token, conclusionOf(record, statusAfterRun(stop.outcome as RunOutcome), deps.evidence.runDir(record.taskId, record.run)));
  } catch (error) {
    // Someone completed, cancelled or took the task meanwhile: their decision stands.
    record.reason = `${stop.reason} (${(error as Error).message})`;
    await deps.evidence.saveRun(record);
    await releaseRunHold(deps.board, task.id, token, record.reason).catch(() => undefined);
  }
  deps.onProgress({ kind: 'finished', record, task: concluded });
  return { record, task: concluded };
}

async function interrupt(deps: RunTaskDeps, record: RunRecord, token: string, reason: string): Promise<RunTaskResult> {
  record.status = 'interrupted';
  record.reason = reason;
  record.endedAt = deps.board.clock.now().toISOString();
  record.agentPgid = null;
  await deps.evidence.saveRun(record);
  let task: Task | null = null;
  try {
    // Only what the run still holds goes back to the queue; a task someone else moved stays put.
    task = (await releaseRunHold(deps.board, record.taskId, token, reason)).task;
    await recordRunEvent(deps.board, record.taskId, 'run_interrupted', { run: record.run, reason, branch: record.branch, checkpoint: record.checkpoint });
  } catch {
    // The board cannot be written (removed, or changed under the run): the evidence says what this run did.
  }
  deps.onProgress({ kind: 'finished', record, task });
  return { record, task };
}
