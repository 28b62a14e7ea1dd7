import { commitMessage } from '../core/run/commit-message.js';
import type { KnownFailure } from '../core/run/check-verdict.js';
import { collectCheckDefinitions } from '../core/run/check-definitions.js';
import { conflictMarkerPatterns } from '../core/run/forbidden-patterns.js';
import { budgetLeft, decideAfterAttempt, type AttemptVerdict } from '../core/run/convergence.js';
import type { Budgets } from '../core/run/project-config.js';
import type { AttemptSummary, RunRecord } from '../core/run/run-record.js';
import type { Task } from '../core/task.js';
import { heartbeat } from './leases.js';
import { boardTampering, sealBoard } from './board-seal.js';
import { acquireRunLock, dropRunLock, releaseRunHold, renewRunLock } from './run-lock.js';
import { planRun, type PlanDeps } from './run-plan.js';
import { commitTreeOn, OBJECT_STORE_TAMPERING, runAttempt, type AttemptDeps, type AttemptResult } from './run-attempt.js';
import { recordRunEvent } from './run-on-board.js';
import { startHeld, runRefBase } from './run-start.js';
import { conclude, interrupt, recordAttempt } from './run-end.js';
import { baselinesOf, instructionsIn, previousRunFeedback, promptFor, recordAgentNotes, runSetup, scopeRulesFor, setupDue } from './run-steps.js';
import type { Running, Stop } from './run-state.js';
import type { BaselineStore } from './run-ports.js';
import { feedbackOf } from './run-report.js';

export interface RunTaskDeps extends PlanDeps, AttemptDeps {
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
  // Files a merge of the base left conflicted pass only once their markers are gone.
  const conflicts = record.syncedBase?.conflicts ?? [];
  if (conflicts.length > 0) deps = { ...deps, config: { ...deps.config, forbiddenPatterns: [...deps.config.forbiddenPatterns, ...conflictMarkerPatterns(conflicts)] } };
  await recordRunEvent(deps.board, task.id, 'run_started', { run: record.run, agent: record.agent, model: record.model, worktree: record.worktree, branch: record.branch, resumedFrom: plan.previousRun?.run ?? null, quarantined: record.quarantined });
  deps.onProgress({ kind: 'started', record, resumed: plan.previousRun !== null, containment: deps.sandbox.description });

  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  // In the run's evidence folder, which no contained command can write but its own: not in a
  // temporary folder, where another task's agent could plant in them.
  const checkScratchDir = `${deps.evidence.runDir(task.id, record.run)}/check-reports`;
  const agentHomeDir = `${deps.evidence.runDir(task.id, record.run)}/agent-home`;
  await Promise.all([deps.files.makeDir(checkScratchDir), deps.files.makeDir(agentHomeDir)]);
  const stopHeartbeat = deps.timers.every(Math.max(1_000, Math.floor(options.leaseTtlMs / 3)), () => {
    Promise.all([heartbeat(deps.board, [task.id], options.leaseTtlMs), renewRunLock(deps.board, task.id, holder.token, options.leaseTtlMs)]).catch(() => controller.abort());
  });
  try {
    const outcome = await drive(deps, options, { plan, task, record, created: prepared.created, startHead: prepared.head, signal: controller.signal, checkScratchDir, agentHomeDir, knownFailures: [] });
    if (outcome === null) return await interrupt(deps, record, holder.token, 'the run was stopped before it finished (cancelled, or the task was taken by someone else)');
    return await conclude(deps, record, task, holder.token, outcome);
  } catch (error) {
    // Stopped on the way into a step (the agent cancelled before it started): an interrupted run, not an error.
    if (controller.signal.aborted) return await interrupt(deps, record, holder.token, 'the run was stopped before it finished (cancelled, or the task was taken by someone else)');
    await interrupt(deps, record, holder.token, `baton hit an error: ${(error as Error).message}`).catch(() => undefined);
    throw error;
  } finally {
    stopHeartbeat();
    options.signal?.removeEventListener('abort', onAbort);
    await deps.files.removeDir(checkScratchDir).catch(() => undefined);
    await deps.files.removeDir(agentHomeDir).catch(() => undefined);
  }
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
    // Without a sandbox the agent can reach the evidence too: what earlier attempts left must be there after this one.
    const earlier = record.attempts.map((attempt) => attempt.attempt);
    const evidenceSeal = deps.sandbox.active ? null : await deps.evidence.fingerprintAttempts(record.taskId, record.run, earlier);
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
      agentHomeDir: running.agentHomeDir,
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
    if (evidenceSeal !== null && (await deps.evidence.fingerprintAttempts(record.taskId, record.run, earlier)) !== evidenceSeal) {
      await recordAttempt(deps, record, result);
      return { kind: 'stop', outcome: 'needs_human', reason: `the evidence of earlier attempts (${deps.evidence.runDir(record.taskId, record.run)}) changed during attempt ${result.summary.attempt}, which no sandbox kept out of it; baton will not conclude on it: look at what changed, then run the task again` };
    }
    await recordAttempt(deps, record, result);
    await recordAgentNotes(deps, running, result.summary.attempt);
    const objects = result.verdict.kind === 'diverged' ? result.verdict.failures.find((failure) => failure.checkId === OBJECT_STORE_TAMPERING) : undefined;
    if (objects) return { kind: 'stop', outcome: 'needs_human', reason: `${objects.summary}; baton will not go on over a repository whose history may have changed: run \`git fsck\`, then run the task again` };
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

