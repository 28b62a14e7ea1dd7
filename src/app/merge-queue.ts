import { BatonError } from '../core/errors.js';
import { recipientsFor } from '../core/event.js';
import { approvalReasons } from '../core/merge/approval.js';
import { MERGE_HISTORY_EVENTS, queueStateOf, type QueueState } from '../core/merge/queue-state.js';
import { returnFinding } from '../core/merge/return-finding.js';
import type { CheckFailure } from '../core/run/check-failure.js';
import { judgeCheck } from '../core/run/check-verdict.js';
import { landingMessage } from '../core/run/commit-message.js';
import type { ProjectConfig } from '../core/run/project-config.js';
import { applyStatus } from '../core/task-status.js';
import type { Task } from '../core/task.js';
import { syncBlockedState } from './blocked-state.js';
import { completeTask, type CompletionCheck } from './complete-task.js';
import type { BoardDeps } from './deps.js';
import { loadTask } from './load-task.js';
import type { LandingLock, Merger, MergeEvidence } from './merge-ports.js';
import type { BoardReader } from './ports.js';
import { recordFindings, resolveStale } from './record-findings.js';
import { checkSpecs, runChecks, type CheckRunDeps } from './run-checks.js';
import type { CommandWrap } from './run-ports.js';

/**
 * The merge queue: tasks whose work passed baton's checks wait in `review`; queued ones land on
 * the base branch one at a time, each brought onto the current tip in a scratch worktree, checked
 * there, and moved onto the base by compare-and-swap only when every check passes on that merged
 * result. A conflict or a red result sends the task back to the queue of work with the exact
 * reason as the first thing its next run reads.
 */
export interface MergeQueueDeps {
  board: BoardDeps;
  merger: Merger;
  checks: CheckRunDeps;
  config: ProjectConfig;
  repoRoot: string;
  baseBranch: string;
  /** The scratch worktree merged results are checked in. */
  scratch: string;
  /** A folder outside the scratch worktree for the checks' reports. */
  scratchReports: string;
  evidence: MergeEvidence;
  lock: LandingLock;
  /** How checks are started (the sandbox); null: as they are. */
  wrapFor: (worktree: string) => CommandWrap | null;
  /** What completing a task checks (impact at completion), as `baton complete` does. */
  completionChecks: readonly CompletionCheck[];
  onNote: (note: LandingNote) => void;
}

export type LandingNote =
  | { kind: 'landing'; task: Task; baseTip: string }
  | { kind: 'checking'; task: Task; commit: string; checks: string[] }
  | { kind: 'base_moved'; task: Task; tip: string | null };

/** What became of one queued task. */
export type Landing =
  | { kind: 'landed'; taskId: number; title: string; commit: string; baseBranch: string; strategy: string; removed: string[]; kept: string[]; stale: string | null }
  | { kind: 'returned'; taskId: number; title: string; status: 'open' | 'failed'; reason: string; conflicts: string[]; failures: CheckFailure[] }
  | { kind: 'paused'; taskId: number; title: string; reason: string };

export interface QueueEntry {
  task: Task;
  state: QueueState;
}

/** How the base's reflog names the queue's own moves of it. */
const LANDING_REASON = 'baton merge queue: ';

/** Times the base may move under one entry before the queue gives up on it for now. */
const MAX_BASE_MOVES = 5;

/** Tasks in review with where each stands: queued ones first, in the order they will land. */
export async function reviewEntries(board: BoardDeps): Promise<QueueEntry[]> {
  const entries = await board.store.read(async (tx) => {
    const tasks = await tx.listTasks({ statuses: ['review'] });
    return Promise.all(tasks.map(async (task) => ({ task, state: await stateOf(tx, task.id) })));
  });
  const order = (entry: QueueEntry): number => entry.state.queuedEventId ?? Number.MAX_SAFE_INTEGER;
  return entries.sort((left, right) => order(left) - order(right) || left.task.id - right.task.id);
}

export async function stateOf(tx: BoardReader, taskId: number): Promise<QueueState> {
  return queueStateOf(await tx.events({ taskId, types: MERGE_HISTORY_EVENTS }));
}

/** Why the task needs a person before it merges (the config's approval policy); empty: it does not. */
export async function approvalNeeded(deps: Pick<MergeQueueDeps, 'merger' | 'repoRoot' | 'baseBranch' | 'config'>, task: Task, state: QueueState): Promise<string[]> {
  const policy = deps.config.merge.approval;
  // The diff is asked of git only when a rule looks at paths.
  if (policy.paths.length === 0) return approvalReasons(task, [], policy);
  const baseTip = await deps.merger.tipOf(deps.repoRoot, deps.baseBranch);
  const changed = baseTip === null || state.verifiedCommit === null ? [] : await deps.merger.changedPaths(deps.repoRoot, baseTip, state.verifiedCommit);
  return approvalReasons(task, changed, deps.config.merge.approval);
}

type EnqueueDeps = Pick<MergeQueueDeps, 'board' | 'merger' | 'repoRoot' | 'baseBranch' | 'config'>;

/**
 * Throws what `enqueue` would refuse, writing nothing: `baton merge` of several tasks asks for
 * each before it queues any, so that one refused leaves the others as they were.
 */
export async function assertQueueable(deps: EnqueueDeps, taskId: number, options: { approve: boolean }): Promise<{ task: Task; state: QueueState; reasons: string[] }> {
  const { task, state } = await deps.board.store.read(async (tx) => ({ task: await loadTask(tx, taskId), state: await stateOf(tx, taskId) }));
  assertInReview(task, state);
  const reasons = await approvalNeeded(deps, task, state);
  if (reasons.length > 0 && !options.approve && !state.approved) {
    throw new BatonError('APPROVAL_REQUIRED', `task #${taskId} needs a person's approval before it merges: it ${reasons.join('; it ')}; look at it with \`baton review\`, then \`baton approve ${taskId}\` or \`baton reject ${taskId} -m "why"\``, {
      id: taskId,
      reasons,
    });
  }
  return { task, state, reasons };
}

/**
 * Puts a task in review into the queue (`baton merge`, `baton approve`, the supervisor). A task
 * the approval policy holds for a person is refused unless this is that person's approval.
 */
export async function enqueue(deps: EnqueueDeps, taskId: number, options: { approve: boolean; message: string | null }): Promise<{ task: Task; alreadyQueued: boolean; approvalReasons: string[] }> {
  const { task, state, reasons } = await assertQueueable(deps, taskId, options);
  const nowIso = deps.board.clock.now().toISOString();
  return deps.board.store.write(async (tx) => {
    const now = await loadTask(tx, taskId);
    const fresh = await stateOf(tx, taskId);
    // Decided on what was read above: a task that changed meanwhile is asked about again.
    if (now.version !== task.version || fresh.verifiedCommit !== state.verifiedCommit) throw changedMeanwhile(taskId);
    if (options.approve && !fresh.approved) {
      await tx.appendEvent({ actor: deps.board.actor, taskId, type: 'review_approved', payload: { commit: fresh.verifiedCommit, message: options.message, reasons }, recipients: recipientsFor(deps.board.actor, now.assignee, now.createdBy) }, nowIso);
    }
    if (fresh.queuedEventId !== null) return { task: now, alreadyQueued: true, approvalReasons: reasons };
    await tx.appendEvent({ actor: deps.board.actor, taskId, type: 'merge_queued', payload: { commit: fresh.verifiedCommit, branch: fresh.branch }, recipients: [] }, nowIso);
    return { task: now, alreadyQueued: false, approvalReasons: reasons };
  });
}

/** `baton reject`: the task goes back to the queue of work with the reviewer's words as its next run's feedback. */
export async function reject(board: BoardDeps, taskId: number, message: string): Promise<Task> {
  const nowIso = board.clock.now().toISOString();
  return board.store.write(async (tx) => {
    const task = await loadTask(tx, taskId);
    assertInReview(task, await stateOf(tx, taskId));
    const failure: CheckFailure = { checkId: 'review:rejected', kind: 'review', summary: `${board.actor} reviewed the work and rejected it`, detail: message };
    const event = await tx.appendEvent({ actor: board.actor, taskId, type: 'review_rejected', payload: { message, failures: [failure] }, recipients: recipientsFor(board.actor, task.assignee, task.createdBy) }, nowIso);
    await recordFindings(tx, [returnFinding(task, { cause: 'rejected', paths: [], reason: `${board.actor} rejected it: ${message}`, eventId: event.id })], board.actor, nowIso);
    return sendBackIn(tx, board, task, { status: 'open', note: `Rejected in review by ${board.actor}: ${message}`, reason: `rejected in review: ${message}` }, nowIso);
  });
}

/**
 * Lands queued tasks one at a time until the queue is empty, the base's worktree holds
 * uncommitted work (paused), or `signal` aborts. `only`: just these tasks, in queue order.
 */
export async function landQueue(deps: MergeQueueDeps, options: { only?: readonly number[]; signal?: AbortSignal } = {}): Promise<{ landings: Landing[]; busy: string | null; checkRuns: number }> {
  const held = await deps.lock.acquire();
  if ('holder' in held) return { landings: [], busy: held.holder, checkRuns: 0 };
  const landings: Landing[] = [];
  const waiting = new Map<number, Landing>();
  const counter = { checkRuns: 0 };
  try {
    // A landing killed between moving the base and its checkout following would leave that checkout looking as if it undid the landing.
    await deps.merger.followInterrupted(deps.repoRoot, { branch: deps.baseBranch, reasonPrefix: LANDING_REASON });
    for (;;) {
      if (options.signal?.aborted) break;
      const queued = (await reviewEntries(deps.board)).filter((entry) => entry.state.queuedEventId !== null && (options.only === undefined || options.only.includes(entry.task.id)));
      const ready: QueueEntry[] = [];
      for (const entry of queued) {
        const hold = await heldForApproval(deps, entry);
        if (hold === null) ready.push(entry);
        else waiting.set(entry.task.id, hold);
      }
      if (ready.length === 0) break;
      const batch = await landBatch(deps, ready.slice(0, deps.config.merge.batch), counter);
      landings.push(...batch);
      if (batch.some((landing) => landing.kind === 'paused')) break;
    }
  } finally {
    await held.release();
  }
  return { landings: [...landings, ...waiting.values()], busy: null, checkRuns: counter.checkRuns };
}

/**
 * A queued task the approval policy holds now, and no person approved: it was queued before
 * the policy (or the task) changed. It stays queued, and lands once someone approves it.
 */
async function heldForApproval(deps: MergeQueueDeps, entry: QueueEntry): Promise<Landing | null> {
  if (entry.state.approved) return null;
  const reasons = await approvalNeeded(deps, entry.task, entry.state);
  if (reasons.length === 0) return null;
  const id = entry.task.id;
  return { kind: 'paused', taskId: id, title: entry.task.title, reason: `task #${id} needs a person's approval before it lands, which the policy asks for since it was queued: it ${reasons.join('; it ')}; it stays queued: \`baton approve ${id}\` or \`baton reject ${id} -m "why"\`` };
}

/** A queued task on its way in: its branch at the commit baton checked, and that commit brought onto the tip. */
interface Link {
  entry: QueueEntry;
  branch: string;
  verified: string;
  /** The chain's commit once this entry is in (the previous one's for an entry with nothing to land). */
  commit: string;
}

/**
 * Lands up to `merge.batch` queued tasks together: each brought onto the one before it (a
 * conflict sends that one back), the checks run once on the whole chain, and the base moved to
 * it by compare-and-swap when they pass. When they fail, the first half is tried, and so on: the
 * longest green prefix lands, one task alone that fails goes back, the rest stay queued for the
 * next batch. One task at a time is the batch of one.
 */
async function landBatch(deps: MergeQueueDeps, entries: readonly QueueEntry[], counter: { checkRuns: number }): Promise<Landing[]> {
  const results: Landing[] = [];
  let pending = [...entries];
  for (let round = 0; round < MAX_BASE_MOVES; round++) {
    const ready: Omit<Link, 'commit'>[] = [];
    for (const entry of pending) {
      const verdict = await verifiedBranch(deps, entry);
      if (!('landing' in verdict)) ready.push({ entry, ...verdict });
      else if (verdict.landing !== null) results.push(verdict.landing);
    }
    const first = ready[0];
    if (first === undefined) return results;
    const baseTip = await deps.merger.tipOf(deps.repoRoot, deps.baseBranch);
    if (baseTip === null) throw new BatonError('NOT_FOUND', `the base branch ${deps.baseBranch} does not exist in ${deps.repoRoot}; set "baseBranch" in baton.config.json or check out the branch tasks land on`, { baseBranch: deps.baseBranch });
    const paused = await pausedBy(deps, first.entry.task);
    if (paused !== null) return [...results, paused];
    const chain: Link[] = [];
    let tip = baseTip;
    for (const item of ready) {
      const { task, state } = item.entry;
      deps.onNote({ kind: 'landing', task, baseTip: tip });
      const strategy = deps.config.merge.strategy;
      const request = { branchTip: item.verified, strategy, message: landingMessage(task, strategy === 'merge' ? 'merge' : 'squash', item.verified), scratch: deps.scratch };
      const combined = await deps.merger.combine(deps.repoRoot, { ...request, baseTip: tip });
      if (combined.kind === 'conflict') {
        // Onto tasks of this batch that have not landed (and may not): only a conflict with the base itself sends it back; else it waits for the next batch.
        const onBase = tip === baseTip ? combined : await deps.merger.combine(deps.repoRoot, { ...request, baseTip });
        if (onBase.kind !== 'conflict') continue;
        const back = await sendBack(deps, task, state, { failures: [mergeFailure('merge:conflict', `bringing ${item.branch} onto ${deps.baseBranch} (at ${baseTip.slice(0, 12)}) conflicts in ${onBase.paths.length} file(s): ${onBase.paths.join(', ')}`, conflictAdvice(deps.baseBranch, onBase.paths))], conflicts: onBase.paths, baseCommit: baseTip });
        if (back !== null) results.push(back);
        continue;
      }
      if (combined.kind === 'combined') tip = combined.commit;
      chain.push({ ...item, commit: tip });
    }
    const landed = await landChain(deps, baseTip, chain, counter);
    results.push(...landed.landings);
    if (!landed.moved) return results;
    // The base moved under the checks: the entries not yet decided start over on the new tip.
    const decided = new Set(results.map((landing) => landing.taskId));
    pending = chain.filter((link) => !decided.has(link.entry.task.id)).map((link) => link.entry);
    deps.onNote({ kind: 'base_moved', task: first.entry.task, tip: landed.tip });
  }
  const stuck = pending[0];
  return stuck === undefined ? results : [...results, { kind: 'paused', taskId: stuck.task.id, title: stuck.task.title, reason: `${deps.baseBranch} moved ${MAX_BASE_MOVES} times while task #${stuck.task.id} was being checked; it stays queued` }];
}

/** The branch still at the commit baton's checks passed on, or the task sent back. */
async function verifiedBranch(deps: MergeQueueDeps, entry: QueueEntry): Promise<{ branch: string; verified: string } | { landing: Landing | null }> {
  const { task, state } = entry;
  const verified = state.verifiedCommit;
  const branch = state.branch ?? task.branch;
  if (verified === null || branch === null) {
    return { landing: await sendBack(deps, task, state, { failures: [mergeFailure('merge:unverified', 'no commit of this task passed baton\'s checks', 'Run the task with `baton run` so that baton checks what would land.')], conflicts: [], baseCommit: null }) };
  }
  const branchTip = await deps.merger.tipOf(deps.repoRoot, branch);
  if (branchTip === verified) return { branch, verified };
  const where = branchTip === null ? `branch ${branch} is gone` : `branch ${branch} moved to ${branchTip.slice(0, 12)}`;
  return { landing: await sendBack(deps, task, state, { failures: [mergeFailure('merge:branch-moved', `${where} after baton's checks passed on ${verified.slice(0, 12)}`, 'Only the commit baton checked can land. Run the task again so that baton checks what is on the branch now.')], conflicts: [], baseCommit: null }) };
}

/**
 * The longest green prefix of the chain, found by halving from the whole, moved onto the base;
 * a lone red entry sent back. `moved`: the base moved meanwhile, nothing landed.
 */
async function landChain(deps: MergeQueueDeps, baseTip: string, chain: readonly Link[], counter: { checkRuns: number }): Promise<{ landings: Landing[]; moved: boolean; tip: string | null }> {
  let size = chain.length;
  while (size > 0) {
    const head = chain[size - 1] as Link;
    // Nothing new since the base (each entry already there): nothing to check.
    if (head.commit === baseTip) break;
    const failures = await checkMerged(deps, head.entry.task, head.commit);
    counter.checkRuns += 1;
    if (failures.length === 0) break;
    if (size === 1) {
      const back = await sendBack(deps, head.entry.task, head.entry.state, { failures, conflicts: [], baseCommit: baseTip });
      return { landings: back === null ? [] : [back], moved: false, tip: null };
    }
    size = Math.ceil(size / 2);
  }
  const prefix = chain.slice(0, size);
  const last = prefix.at(-1);
  if (last === undefined) return { landings: [], moved: false, tip: null };
  // A person may have rejected, reopened or run again a task while the checks ran: only what is still queued as it was lands.
  if (await changedSinceQueued(deps, prefix)) return { landings: [], moved: false, tip: null };
  let stale: string | null = null;
  if (last.commit !== baseTip) {
    const names = prefix.map((link) => `#${link.entry.task.id}`).join(', ');
    const landed = await deps.merger.land(deps.repoRoot, { branch: deps.baseBranch, from: baseTip, to: last.commit, reason: `${LANDING_REASON}task ${names}` });
    if (landed.kind === 'moved') return { landings: [], moved: true, tip: landed.tip };
    if (landed.kind === 'paused') return { landings: [pausedLanding(last.entry.task, landed.worktree, landed)], moved: false, tip: null };
    stale = landed.stale;
  }
  const landings: Landing[] = [];
  for (const link of prefix) landings.push(await finish(deps, link.entry.task, { commit: link.commit, branch: link.branch, verified: link.verified, stale }));
  return { landings, moved: false, tip: null };
}

/** Whether a task of the chain left the queue, or was queued anew, since the queue read it. */
async function changedSinceQueued(deps: MergeQueueDeps, links: readonly Link[]): Promise<boolean> {
  return deps.board.store.read(async (tx) => {
    for (const { entry, verified } of links) {
      const [task, state] = await Promise.all([tx.getTask(entry.task.id), stateOf(tx, entry.task.id)]);
      if (task?.status !== 'review' || state.queuedEventId !== entry.state.queuedEventId || state.verifiedCommit !== verified) return true;
    }
    return false;
  });
}

/** The base's checked-out worktree with uncommitted work stops the queue before any check runs. */
async function pausedBy(deps: MergeQueueDeps, task: Task): Promise<Landing | null> {
  const held = await deps.merger.worktreeState(deps.repoRoot, deps.baseBranch);
  return held !== null && held.dirty.length > 0 ? pausedLanding(task, held.worktree, { dirty: held.dirty }) : null;
}

function pausedLanding(task: Task, worktree: string, why: { dirty: readonly string[]; inTheWay?: readonly string[]; refused?: string | null }): Landing {
  const shown = (paths: readonly string[]): string => `${paths.slice(0, 5).join(', ')}${paths.length > 5 ? `, and ${paths.length - 5} more` : ''}`;
  const where = `the base branch is checked out in ${worktree}`;
  const reason = why.dirty.length > 0
    ? `${where}, which has uncommitted changes (${shown(why.dirty)}); baton never touches them: commit or stash them, then run \`baton queue --land\``
    : (why.inTheWay?.length ?? 0) > 0
      ? `${where}, where the landing would write over files git does not track (${shown(why.inTheWay ?? [])}); baton never touches them: move them away, then run \`baton queue --land\``
      : `${where}, whose files git would not bring along (${why.refused ?? 'unknown'}); baton never touches them: save what is changed there (a file under assume-unchanged or skip-worktree, say), then run \`baton queue --land\``;
  return { kind: 'paused', taskId: task.id, title: task.title, reason };
}

/** The project's checks and the task's verify commands on the merged result; their failures, or none. */
async function checkMerged(deps: MergeQueueDeps, task: Task, commit: string): Promise<CheckFailure[]> {
  const { created } = await deps.merger.checkout(deps.repoRoot, deps.scratch, commit);
  const evidence = await deps.evidence.open(task.id);
  const specs = checkSpecs(deps.config, task, deps.config.budgets.timeoutMs);
  deps.onNote({ kind: 'checking', task, commit, checks: specs.map((spec) => spec.run) });
  const failures: CheckFailure[] = [];
  const wrap = deps.wrapFor(deps.scratch);
  if (created && deps.config.setup !== null) {
    // The setup runs the merged result's code too (an install's scripts): contained like the checks.
    const setup = await deps.checks.commands.run(deps.config.setup, { cwd: deps.scratch, env: deps.checks.env, timeoutMs: deps.config.budgets.timeoutMs, ...(wrap ? { wrap } : {}) });
    await evidence.write('setup.log', `$ ${deps.config.setup}\n${setup.output}\n[exit ${setup.exitCode ?? setup.signal}]\n`);
    if (setup.exitCode !== 0) failures.push(mergeFailure('merge:setup', `the setup command failed on the merged result (${deps.config.setup})`, setup.output.slice(-4_000)));
  }
  if (failures.length === 0) {
    const runs = await runChecks(deps.checks, specs, { worktree: deps.scratch, scratchDir: deps.scratchReports, timeLeftMs: deps.config.budgets.timeoutMs, evidence, wrap });
    const policy = { preexisting: 'block' as const, mayRemove: () => false, concernsTask: () => true, feedbackChars: 12_000 };
    for (const run of runs) {
      for (const outcome of judgeCheck(run, null, policy)) {
        if (!outcome.passed) failures.push({ checkId: outcome.checkId, kind: outcome.kind, summary: `${outcome.summary} (on ${task.branch ?? 'the task branch'} merged onto the base at ${commit.slice(0, 12)})`, detail: outcome.detail });
      }
    }
  }
  await evidence.write('verdict.json', `${JSON.stringify({ commit, failures }, null, 2)}\n`);
  await evidence.close();
  return failures;
}

/** Landed: the task is done (dependents unblocked, impact at completion), its worktree and branch gone if nothing would be lost. */
async function finish(deps: MergeQueueDeps, task: Task, landed: { commit: string; branch: string; verified: string; stale: string | null }): Promise<Landing> {
  const strategy = deps.config.merge.strategy;
  const message = `Landed on ${deps.baseBranch} as ${landed.commit.slice(0, 12)} by baton's merge queue (${strategy})`;
  await completeTask(deps.board, task.id, { message, force: true, checks: deps.completionChecks });
  const nowIso = deps.board.clock.now().toISOString();
  await deps.board.store.write(async (tx) => {
    await tx.appendEvent({ actor: deps.board.actor, taskId: task.id, type: 'merge_landed', payload: { commit: landed.commit, baseBranch: deps.baseBranch, strategy, verified: landed.verified, branch: landed.branch }, recipients: recipientsFor(deps.board.actor, task.assignee, task.createdBy) }, nowIso);
    // Why it came back before is settled now that it landed.
    const returns = await tx.findings({ taskId: task.id, statuses: ['open', 'acknowledged'], kinds: ['merge_returned'] });
    await resolveStale(tx, returns, nowIso, `landed on ${deps.baseBranch} as ${landed.commit.slice(0, 12)}`);
  });
  // A run going on beside the queue watches the repository's branches: one disappearing under it
  // would read as its agent's doing. The landed branch waits for `baton gc` then.
  const removal = (await runsInProgress(deps.board)) > 0
    ? { removed: [], kept: [`branch ${landed.branch} and its worktree wait for \`baton gc\` (runs are going on beside the queue)`] }
    : await deps.merger.removeTaskWorkspace(deps.repoRoot, { worktree: task.worktree, branch: landed.branch, tip: landed.verified });
  return { kind: 'landed', taskId: task.id, title: task.title, commit: landed.commit, baseBranch: deps.baseBranch, strategy, removed: removal.removed, kept: removal.kept, stale: landed.stale };
}

/** How many tasks a `baton run` holds right now (by their run locks). */
async function runsInProgress(board: BoardDeps): Promise<number> {
  return board.store.read(async (tx) => {
    const held = await Promise.all((await tx.listTasks({ statuses: ['in_progress'] })).map((task) => tx.runLock(task.id)));
    return held.filter((lock) => lock !== null).length;
  });
}

/** What `baton gc` did with one landed task's branch and worktree. */
export interface Collected {
  taskId: number;
  branch: string;
  removed: string[];
  kept: string[];
}

/**
 * `baton gc`: the branches and worktrees of tasks the queue landed, removed where nothing
 * would be lost (the branch still at the commit that landed, no uncommitted work); the rest
 * kept, each with why. Refused while runs go on beside it, for the reason `finish` waits.
 */
export async function collectLanded(deps: Pick<MergeQueueDeps, 'board' | 'merger' | 'repoRoot'>): Promise<Collected[]> {
  if ((await runsInProgress(deps.board)) > 0) throw new BatonError('CONFLICT', 'runs are going on in this repository; their guards watch its branches, so `baton gc` waits until they end', {});
  const landed = await deps.board.store.read(async (tx) => {
    const done = await tx.events({ types: ['merge_landed'] });
    return Promise.all(done.map(async (event) => ({ event, task: event.taskId === null ? null : await tx.getTask(event.taskId) })));
  });
  const collected: Collected[] = [];
  const seen = new Set<string>();
  for (const { event, task } of landed.reverse()) {
    const branch = typeof event.payload.branch === 'string' ? event.payload.branch : null;
    const verified = typeof event.payload.verified === 'string' ? event.payload.verified : null;
    if (branch === null || verified === null || seen.has(branch) || task === null || task.status !== 'done') continue;
    seen.add(branch);
    if ((await deps.merger.tipOf(deps.repoRoot, branch)) === null && (await deps.merger.worktreeState(deps.repoRoot, branch)) === null) continue;
    const removal = await deps.merger.removeTaskWorkspace(deps.repoRoot, { worktree: task.worktree, branch, tip: verified });
    collected.push({ taskId: task.id, branch, ...removal });
  }
  return collected.sort((left, right) => left.taskId - right.taskId);
}

interface SendBack {
  failures: CheckFailure[];
  conflicts: string[];
  baseCommit: string | null;
}

/**
 * Conflict or red: back to `open` with the reason as note and feedback; `failed` after
 * `merge.retries` returns. Null, writing nothing, for a task that left the queue meanwhile (a
 * person rejected it during its checks, say): what was checked is no longer what waits.
 */
async function sendBack(deps: MergeQueueDeps, task: Task, state: QueueState, back: SendBack): Promise<Landing | null> {
  const returns = state.returns + 1;
  const status = returns > deps.config.merge.retries ? 'failed' : 'open';
  const reason = back.failures.map((failure) => failure.summary).join('; ');
  const nowIso = deps.board.clock.now().toISOString();
  const written = await deps.board.store.write(async (tx) => {
    const now = await loadTask(tx, task.id);
    const fresh = await stateOf(tx, task.id);
    if (now.status !== 'review' || fresh.queuedEventId !== state.queuedEventId || fresh.verifiedCommit !== state.verifiedCommit) return false;
    const event = await tx.appendEvent(
      { actor: deps.board.actor, taskId: task.id, type: 'merge_returned', payload: { reason, failures: back.failures, conflicts: back.conflicts, baseCommit: back.baseCommit, returns, status }, recipients: recipientsFor(deps.board.actor, now.assignee, now.createdBy) },
      nowIso,
    );
    const cause = back.conflicts.length > 0 ? 'conflict' : 'checks';
    await recordFindings(tx, [returnFinding(now, { cause, paths: back.conflicts, reason, eventId: event.id })], deps.board.actor, nowIso);
    const note = status === 'failed'
      ? `The merge queue sent this task back ${returns} times (merge.retries is ${deps.config.merge.retries}); it is failed: ${reason}`
      : `The merge queue sent this task back (${returns} of ${deps.config.merge.retries + 1}): ${reason}. Its next run starts from its branch with this as feedback.`;
    await sendBackIn(tx, deps.board, now, { status, note, reason }, nowIso);
    return true;
  });
  return written ? { kind: 'returned', taskId: task.id, title: task.title, status, reason, conflicts: back.conflicts, failures: back.failures } : null;
}

async function sendBackIn(tx: Parameters<Parameters<BoardDeps['store']['write']>[0]>[0], board: BoardDeps, task: Task, back: { status: 'open' | 'failed'; note: string; reason: string }, nowIso: string): Promise<Task> {
  const moved = applyStatus(task, back.status, nowIso);
  const updated = await tx.updateTask(back.status === 'open' ? { ...moved, assignee: null, leaseExpiresAt: null } : moved);
  const recipients = recipientsFor(board.actor, task.assignee, task.createdBy);
  await tx.addNote({ taskId: task.id, author: board.actor, body: back.note, createdAt: nowIso });
  await tx.appendEvent({ actor: board.actor, taskId: task.id, type: 'status_changed', payload: { from: task.status, to: back.status, reason: back.reason }, recipients }, nowIso);
  return back.status === 'open' ? syncBlockedState(tx, updated, board.actor, nowIso) : updated;
}

function assertInReview(task: Task, state: QueueState): void {
  if (task.status !== 'review') {
    throw new BatonError('ILLEGAL_TRANSITION', `task #${task.id} is ${task.status}, not in review: only work whose run passed baton's checks can be merged, approved or rejected (run \`baton run ${task.id}\` first)`, { id: task.id, status: task.status });
  }
  if (state.verifiedCommit === null) {
    throw new BatonError('ILLEGAL_TRANSITION', `task #${task.id} is in review but no run of it passed baton's checks (it was moved there by hand); run \`baton run ${task.id}\` so that baton checks what would land`, { id: task.id });
  }
}

function changedMeanwhile(taskId: number): BatonError {
  return new BatonError('CONFLICT', `task #${taskId} changed while baton was deciding about it; look at it again (baton show ${taskId}) and retry`, { id: taskId });
}

function mergeFailure(checkId: string, summary: string, detail: string): CheckFailure {
  return { checkId, kind: 'merge', summary, detail };
}

function conflictAdvice(baseBranch: string, paths: readonly string[]): string {
  return [
    `${baseBranch} changed these files since the task branched, in the same places as the task:`,
    ...paths.map((path) => `- ${path}`),
    '',
    `Baton has merged the current ${baseBranch} into the task branch; these files hold conflict markers (<<<<<<<, =======, >>>>>>>).`,
    `Resolve each conflict so that both ${baseBranch}'s change and the task's hold, remove every marker, and keep the checks passing.`,
  ].join('\n');
}
