import { NO_USAGE, type RunRecord } from '../core/run/run-record.js';
import type { Task } from '../core/task.js';
import { claimTask } from './claim-task.js';
import type { RunPlan } from './run-plan.js';
import type { RunTaskDeps, RunTaskOptions } from './run-task.js';

/* How a run begins once it holds its task's run lock: worktree, claim, leftovers saved, record. */

/**
 * With the run lock held: the worktree, the claim and the run's record. Work a previous run
 * left uncommitted in a kept worktree is saved on a ref before the worktree is reset to its
 * checkpoint, so resuming never throws work away.
 */
export async function startHeld(deps: RunTaskDeps, options: RunTaskOptions, plan: RunPlan, stage: { claimed: boolean }): Promise<{ task: Task; record: RunRecord; prepared: { created: boolean; head: string } }> {
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
  const synced = await bringInBase(deps, plan);
  const head = synced.commit ?? prepared.head;
  const record = await startRecord(deps, options, plan, { run, head, quarantined, syncedBase: synced.syncedBase });
  return { task, record, prepared: { created: prepared.created, head } };
}

/**
 * A task the merge queue sent back starts from its branch with the base's current tip merged
 * in (conflicts left marked for the agent), so the work is judged against what it will land
 * on. A run resuming one that did this carries on from there, with its conflicts.
 */
async function bringInBase(deps: RunTaskDeps, plan: RunPlan): Promise<{ commit: string | null; syncedBase: { base: string; conflicts: string[] } | null }> {
  const earlier = plan.previousRun !== null && plan.previousRun.status !== 'succeeded' ? (plan.previousRun.syncedBase ?? null) : null;
  if (plan.sentBack?.kind !== 'merge') return { commit: null, syncedBase: earlier };
  const message = `Bring ${plan.baseBranch} into ${plan.branch} (#${plan.detail.task.id})\n\nThe merge queue sent the task back; baton merged the base's tip so that the next attempt works on what it will land on.`;
  const merged = await deps.workspace.bringIn(plan.worktree, { branch: plan.branch, base: plan.baseBranch, message });
  if (merged === null) return { commit: null, syncedBase: earlier };
  return { commit: merged.commit, syncedBase: { base: merged.base, conflicts: [...new Set([...(earlier?.conflicts ?? []), ...merged.conflicts])].sort() } };
}

/** Refs a run keeps as evidence (work it reverted or found uncommitted, an agent's own commits) live under this. */
export function runRefBase(boardId: string, taskId: number, run: number): string {
  return `refs/baton/runs/${boardId.slice(0, 12)}/${taskId}/${run}`;
}

export async function startRecord(deps: RunTaskDeps, options: RunTaskOptions, plan: RunPlan, start: { run: number; head: string; quarantined: RunRecord['quarantined']; syncedBase?: { base: string; conflicts: string[] } | null }): Promise<RunRecord> {
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
    // Brought up to the base's tip, the task's changes are judged from there.
    startCommit: start.syncedBase?.base ?? plan.previousRun?.startCommit ?? start.head,
    checkpoint: start.head,
    commit: null,
    quarantined: start.quarantined,
    syncedBase: start.syncedBase === undefined || start.syncedBase === null ? null : { base: start.syncedBase.base, conflicts: start.syncedBase.conflicts },
    startedAt: deps.board.clock.now().toISOString(),
    endedAt: null,
    budgets: options.budgets,
    attempts: [],
    usage: { ...NO_USAGE },
  };
  await deps.evidence.createRun(record);
  return record;
}

/**
 * A run whose baton died: its record says what happened. Its agent is already gone: the
 * watchdog ended it when baton's pipe closed (a recorded group id may belong to someone else by now).
 */
export async function markInterrupted(deps: RunTaskDeps, previous: RunRecord): Promise<void> {
  await deps.evidence.saveRun({ ...previous, status: 'interrupted', reason: `baton (pid ${previous.pid}) stopped during the run`, endedAt: deps.board.clock.now().toISOString(), agentPgid: null });
}
