import { BatonError, InvalidInputError } from '../core/errors.js';
import { isLeaseExpired } from '../core/lease.js';
import type { SentBack } from '../core/merge/queue-state.js';
import type { ProjectConfig } from '../core/run/project-config.js';
import type { RunRecord } from '../core/run/run-record.js';
import { taskBranchName, taskDirName } from '../core/run/task-branch.js';
import type { Task } from '../core/task.js';
import type { BoardDeps } from './deps.js';
import { stateOf } from './merge-queue.js';
import { showTask, type TaskDetail } from './queries.js';
import { assertNotRunning } from './run-lock.js';
import type { CommandRunner, Environment, EvidenceStore, Executor, FileAccess, ProcessTable, Timers, Workspace } from './run-ports.js';

/** What `baton run` found out before it touched anything. */
export interface RunPlan {
  detail: TaskDetail;
  baseBranch: string;
  worktree: string;
  branch: string;
  /** The task's latest run on this board, when there was one: a new run resumes from its checkpoint. */
  previousRun: RunRecord | null;
  /** The board's id, kept in the run's record. */
  boardId: string;
  /** Why review or the merge queue sent the task back since its last successful run, if they did. */
  sentBack: SentBack | null;
}

export interface PlanDeps {
  board: BoardDeps;
  executor: Executor;
  workspace: Workspace;
  commands: CommandRunner;
  evidence: EvidenceStore;
  processes: ProcessTable;
  files: FileAccess;
  config: ProjectConfig;
  env: Environment;
  /** The main worktree's top level. */
  repoRoot: string;
  /** This baton process. */
  pid: number;
  /** This machine's name, kept in the run lock: a lock's pid means something only on its host. */
  host: string;
  timers: Timers;
}

/**
 * How long a base checkout that shows changes is looked at again before the run is refused: a
 * landing moves the branch first and its checkout a moment later, which reads as changes meanwhile.
 */
const BASE_SETTLE_MS = 3_000;
const BASE_SETTLE_STEP_MS = 100;

/**
 * Every refusal `baton run` can make without side effects, made before the first write:
 * the task can be taken, the agent is installed, the commands it will run exist, nobody else
 * runs it, and the base branch holds no work that the new worktree would silently leave out.
 * What the user named (the task) is checked before what this machine has (the agent CLI).
 */
export async function planRun(deps: PlanDeps, taskId: number): Promise<RunPlan> {
  const detail = await showTask(deps.board, taskId);
  await assertRunnable(deps, detail.task);
  await deps.executor.ensureInstalled(deps.env);
  await assertCommandsExist(deps, detail.task);
  const [boardId, queueState] = await deps.board.store.read((tx) => Promise.all([tx.boardId(), stateOf(tx, taskId)]));
  // Runs of an earlier board that held a task with this number are not this task's.
  const previousRun = (await deps.evidence.listRuns(taskId)).filter((record) => record.boardId === boardId).at(-1) ?? null;
  if (previousRun?.status === 'running' && previousRun.pid !== deps.pid && deps.processes.isAlive(previousRun.pid)) {
    throw new BatonError(
      'CONFLICT',
      `task #${taskId} is being run by baton (pid ${previousRun.pid}) since ${previousRun.startedAt}; wait for it, or stop that process first`,
      { id: taskId, pid: previousRun.pid },
    );
  }
  // A run started a moment ago holds the lock before it has a record, while its worktree is half made.
  await assertNotRunning(deps.board, taskId, deps.host, (pid) => pid !== deps.pid && deps.processes.isAlive(pid));
  const baseBranch = previousRun?.baseBranch ?? deps.config.baseBranch ?? (await deps.workspace.defaultBaseBranch(deps.repoRoot));
  const root = deps.config.worktreeRoot.startsWith('/') ? deps.config.worktreeRoot : `${deps.repoRoot}/${deps.config.worktreeRoot}`;
  const placed = async (): Promise<{ worktree: string; branch: string }> => {
    const place = previousRun !== null ? { worktree: previousRun.worktree, branch: previousRun.branch } : await freshPlace(deps, detail.task, root.replace(/\/+$/, ''));
    // Refused here, before the run lock or anything else is written.
    await deps.workspace.assertWorktreeAvailable(deps.repoRoot, { path: place.worktree, branch: place.branch, base: baseBranch });
    return place;
  };
  // Side by side (each asks git, and neither writes); a base with uncommitted work is refused first, as it was when they ran in turn.
  const [clean, place] = await Promise.allSettled([previousRun === null ? assertBaseClean(deps, baseBranch) : Promise.resolve(), placed()]);
  if (clean.status === 'rejected') throw clean.reason;
  if (place.status === 'rejected') throw place.reason;
  return { detail, baseBranch, ...place.value, previousRun, boardId, sentBack: queueState.sentBack };
}

/**
 * The branch and worktree of a task's first run on this board. A branch of that name left by
 * an earlier board (or made by hand) holds work this task must neither build on nor destroy:
 * the new run takes the next free name (`baton/1-x-2`) and leaves that branch alone.
 */
async function freshPlace(deps: PlanDeps, task: Task, root: string): Promise<{ worktree: string; branch: string }> {
  for (let suffix = 1; ; suffix++) {
    const tail = suffix === 1 ? '' : `-${suffix}`;
    const branch = `${taskBranchName(task)}${tail}`;
    const worktree = `${root}/${taskDirName(task)}${tail}`;
    // A path taken by anything else is prepareWorktree's to refuse, not to be walked around.
    if (suffix >= 100 || !(await deps.workspace.branchExists(deps.repoRoot, branch))) return { worktree, branch };
  }
}

/**
 * The task can be claimed by this runner: open, or already held by it, or held under a lease
 * that ran out (the claim reaps it), and not waiting on unfinished dependencies.
 */
async function assertRunnable(deps: PlanDeps, task: Task): Promise<void> {
  if (task.kind === 'idea') {
    throw new BatonError('ILLEGAL_TRANSITION', `#${task.id} is an idea, not a task; turn it into one with \`baton edit ${task.id} --kind task\` first`, { id: task.id });
  }
  const actor = deps.board.actor;
  if (task.status === 'in_progress' && task.assignee === actor) return;
  const expired = task.status === 'in_progress' && isLeaseExpired(task.leaseExpiresAt, deps.board.clock.now());
  if (task.status === 'in_progress' && !expired) {
    throw new BatonError(
      'ALREADY_CLAIMED',
      `task #${task.id} is held by ${task.assignee ?? 'nobody'}; wait for its lease to run out, or \`baton release ${task.id} --force\``,
      { id: task.id, assignee: task.assignee },
    );
  }
  if (task.status === 'open' || task.status === 'blocked' || expired) {
    // A task waiting on others shows as blocked: name what it waits on, not `baton unblock`.
    const blockers = await deps.board.store.read((tx) => tx.unmetBlockers(task.id));
    if (blockers.length > 0) {
      const names = blockers.map((blocker) => `#${blocker.id} '${blocker.title}' (${blocker.status})`).join(', ');
      throw new BatonError('DEPENDENCIES_UNMET', `task #${task.id} waits on ${names}; finish those first, then run it`, { id: task.id, blockers });
    }
    if (task.status !== 'blocked') return;
  }
  const hint = task.status === 'blocked'
    ? `it is blocked${task.blockReason ? ` (${task.blockReason})` : ''}; \`baton unblock ${task.id}\` once that is dealt with`
    : `it is ${task.status}; \`baton reopen ${task.id}\` to work on it again`;
  throw new BatonError('ILLEGAL_TRANSITION', `task #${task.id} cannot be run: ${hint}`, { id: task.id, status: task.status });
}

async function assertCommandsExist(deps: PlanDeps, task: Task): Promise<void> {
  const where = { cwd: deps.repoRoot, env: deps.env };
  for (const [index, check] of deps.config.checks.entries()) {
    if (await deps.commands.commandExists(check.run, where)) continue;
    throw new BatonError(
      'CONFIG_INVALID',
      `${deps.config.source ?? 'baton.config.json'}: checks[${index}].run: \`${check.run}\` does not start with a command found here (not a shell builtin, not on PATH, not a file in the repository); install it or fix the check`,
      { file: deps.config.source, errors: [{ path: `checks[${index}].run`, message: 'command not found' }] },
    );
  }
  if (deps.config.setup !== null && !(await deps.commands.commandExists(deps.config.setup, where))) {
    throw new BatonError('CONFIG_INVALID', `${deps.config.source ?? 'baton.config.json'}: setup: \`${deps.config.setup}\` does not start with a command found here; install it or fix the setup script`, {
      file: deps.config.source,
      errors: [{ path: 'setup', message: 'command not found' }],
    });
  }
  for (const [index, command] of task.verify.entries()) {
    if (await deps.commands.commandExists(command, where)) continue;
    throw new InvalidInputError(`verify[${index + 1}]`, `task #${task.id}'s verify command \`${command}\` does not start with a command found here; install it or change it with \`baton edit ${task.id} --verify ...\``);
  }
}

async function assertBaseClean(deps: PlanDeps, baseBranch: string): Promise<void> {
  const checkedOut = await deps.workspace.defaultBaseBranch(deps.repoRoot);
  if (checkedOut !== baseBranch) return;
  let changed = await deps.workspace.uncommittedChanges(deps.repoRoot);
  for (const settleBy = deps.timers.monotonicMs() + BASE_SETTLE_MS; changed.length > 0 && deps.timers.monotonicMs() < settleBy; ) {
    await deps.timers.sleep(BASE_SETTLE_STEP_MS);
    changed = await deps.workspace.uncommittedChanges(deps.repoRoot);
  }
  if (changed.length === 0) return;
  const shown = changed.slice(0, 5).join(', ') + (changed.length > 5 ? ` and ${changed.length - 5} more` : '');
  throw new BatonError(
    'CONFLICT',
    `the base branch ${baseBranch} has uncommitted changes in ${deps.repoRoot} (${shown}); the task's worktree starts from the last commit and would not see them: commit or stash them first`,
    { baseBranch, paths: changed },
  );
}
