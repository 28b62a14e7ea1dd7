import { collisionsWith, type Collision } from '../core/collision.js';
import { agentFor, atAgentCap, dailyBudgetSpent, type FleetSettings } from '../core/fleet/fleet-settings.js';
import type { RunRecord } from '../core/run/run-record.js';
import type { Task } from '../core/task.js';
import { subjectOf } from './impact-subjects.js';
import type { BoardDeps } from './deps.js';
import { readyWithCollisions } from './ready-with-collisions.js';
import type { RunTaskResult } from './run-task.js';

/**
 * The supervisor (`baton run --ready`): keeps up to N runs going over the ready queue, best
 * task first, each one exactly the run `baton run ID` makes. A ready task that collides (by the
 * impact rules) with a running task waits until the collision is gone; one whose runs keep
 * handing it back is left alone after `maxDispatches`.
 */
export interface SuperviseDeps {
  board: BoardDeps;
  /** Starts the run of one task with the agent chosen for it; settles when the run has ended. */
  runTask: (task: Task, agent: string) => Promise<RunTaskResult>;
  /** The config's default agent: for a task no label, rule or flag gives one. */
  defaultAgent: string;
  /** What today's runs (UTC) reported so far, for the daily budget; absent: no budget applies. */
  usageToday?: () => Promise<{ tokens: number; usd: number }>;
  /** Resolves after `ms`, or earlier when the board changed or `signal` aborted. */
  waitForChange: (ms: number, signal: AbortSignal) => Promise<void>;
  monotonicMs: () => number;
  onNote: (note: SupervisorNote) => void;
  /**
   * Hands a task a run left in review to the merge queue and lands what is queued; settles with
   * what landed or came back. Absent: work stays in review for a person.
   */
  land?: (task: Task) => Promise<SupervisedLanding[]>;
}

/** What the merge queue did with a task the supervisor's run left in review. */
export interface SupervisedLanding {
  taskId: number;
  /** `landed`, `returned` (to the queue of work, or failed), `paused`, `waits_for_approval`. */
  outcome: string;
  detail: string;
}

export interface SuperviseOptions {
  parallel: number;
  /** Keep going as tasks become ready; otherwise end once nothing is ready and nothing runs. */
  watch: boolean;
  /** Only tasks with every one of these labels. */
  labels: readonly string[];
  /** How many runs one task gets from this supervisor before it is left alone. */
  maxDispatches: number;
  /** Aborted: start nothing more, let the runs going on finish. */
  drain: AbortSignal;
  /** The config's fleet section: agent rules, per-agent caps, the daily budget. */
  fleet: FleetSettings;
  /** `--agent`, which comes after a task's label and the config's rules. */
  agentFlag: string | null;
  /**
   * Whether a landing may go on while runs do. Uncontained, a run takes every change around its
   * worktree for its attempt's doing, the base branch moving and its checkout's files among
   * them: then no run starts while a landing goes on.
   */
  landBesideRuns: boolean;
}

export type SupervisorNote =
  | { kind: 'dispatched'; task: Task; agent: string; running: number }
  | { kind: 'deferred'; task: Task; collisions: Collision[] }
  | { kind: 'finished'; entry: SupervisedRun }
  | { kind: 'failed_to_start'; task: Task; agent: string; message: string }
  | { kind: 'draining'; running: number }
  | { kind: 'budget_spent'; reason: string; running: number }
  | { kind: 'landing'; landing: SupervisedLanding };

/** One run the supervisor started, as its summary shows it. */
export interface SupervisedRun {
  taskId: number;
  title: string;
  agent: string;
  /** The run's status, or `not_started` when the run refused to start (its message in `reason`). */
  outcome: RunRecord['status'] | 'not_started';
  reason: string | null;
  run: number | null;
  attempts: number;
  durationMs: number;
  tokens: number;
  costUsd: number;
  /** The task's status after the run. */
  taskStatus: Task['status'] | null;
}

export interface SupervisorSummary {
  runs: SupervisedRun[];
  /** Tasks still waiting on a collision when the supervisor stopped, and with what. */
  deferred: { taskId: number; collisions: Collision[] }[];
  drained: boolean;
  /** Why dispatching stopped on the daily budget, if it did. */
  budgetSpent: string | null;
  landings: SupervisedLanding[];
}

/** How long to sleep between looks at the board when nothing wakes the supervisor earlier. */
const IDLE_LOOK_MS = 1_000;
export async function supervise(deps: SuperviseDeps, options: SuperviseOptions): Promise<SupervisorSummary> {
  const running = new Map<number, { task: Task; agent: string }>();
  let budgetSpent: string | null = null;
  const dispatches = new Map<number, number>();
  const finished: SupervisedRun[] = [];
  const deferredNow = new Map<number, Collision[]>();
  const toldDeferred = new Map<number, string>();
  const landings: SupervisedLanding[] = [];
  // One landing at a time, in the order runs ended: the queue itself lands one entry at a time.
  let landing: Promise<void> = Promise.resolve();
  let landingsPending = 0;
  // Something happened that is worth a look at once (a run ended, a drain began); the wait in
  // progress, if any, ends early.
  let kicked = false;
  let waiting: AbortController | null = null;
  const kick = (): void => {
    kicked = true;
    waiting?.abort();
  };
  options.drain.addEventListener('abort', kick, { once: true });

  const start = (task: Task, agent: string): void => {
    dispatches.set(task.id, (dispatches.get(task.id) ?? 0) + 1);
    const startedMs = deps.monotonicMs();
    deps.onNote({ kind: 'dispatched', task, agent, running: running.size + 1 });
    void deps
      .runTask(task, agent)
      .then((result) => summaryOf(task, agent, result, deps.monotonicMs() - startedMs))
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        // A run that refused to start (its agent missing, its task taken meanwhile) would refuse
        // again at once: the task is left alone from now on.
        dispatches.set(task.id, options.maxDispatches);
        deps.onNote({ kind: 'failed_to_start', task, agent, message });
        return notStarted(task, agent, message, deps.monotonicMs() - startedMs);
      })
      .then((entry) => {
        running.delete(task.id);
        finished.push(entry);
        deps.onNote({ kind: 'finished', entry });
        if (entry.taskStatus === 'review' && deps.land !== undefined) handOver(task, deps.land);
        kick();
      });
    running.set(task.id, { task, agent });
  };

  const handOver = (task: Task, land: NonNullable<SuperviseDeps['land']>): void => {
    landingsPending += 1;
    landing = landing
      .then(() => land(task))
      .then(
        (done) => done,
        (error: unknown): SupervisedLanding[] => [{ taskId: task.id, outcome: 'error', detail: error instanceof Error ? error.message : String(error) }],
      )
      .then((done) => {
        for (const entry of done) {
          landings.push(entry);
          deps.onNote({ kind: 'landing', landing: entry });
        }
        landingsPending -= 1;
        // A task sent back is ready again: worth a look at once.
        kick();
      });
  };

  try {
    let toldDraining = false;
    for (;;) {
      kicked = false;
      if (budgetSpent === null && deps.usageToday !== undefined && (options.fleet.dailyTokens !== null || options.fleet.dailyUsd !== null)) {
        budgetSpent = dailyBudgetSpent(await deps.usageToday(), options.fleet);
        if (budgetSpent !== null) deps.onNote({ kind: 'budget_spent', reason: budgetSpent, running: running.size });
      }
      if (!options.drain.aborted && budgetSpent === null) {
        deferredNow.clear();
        // The landing going on ends with a kick, which brings the loop back here.
        const landingBlocks = !options.landBesideRuns && landingsPending > 0;
        for (const found of landingBlocks ? [] : await startableTasks(deps, options, dispatches)) {
          if (running.size >= options.parallel || options.drain.aborted) break;
          if (running.has(found.task.id)) continue;
          const agent = agentFor(found.task, { rules: options.fleet.agents, flag: options.agentFlag, fallback: deps.defaultAgent });
          // Its agent runs as many tasks as the config allows: the task waits for one of them to end.
          if (atAgentCap(agent, [...running.values()].map((run) => run.agent), options.fleet.maxPerAgent)) continue;
          // Against the runs started a moment ago too, which the board may not show as claimed yet.
          const candidate = withOurRuns(found, running);
          if (candidate.collisions.length === 0) {
            start(candidate.task, agent);
            continue;
          }
          deferredNow.set(candidate.task.id, candidate.collisions);
          // Said once per task and set of tasks it waits for, not at every look.
          const waitsFor = candidate.collisions.map((collision) => collision.taskId).join(',');
          if (toldDeferred.get(candidate.task.id) !== waitsFor) deps.onNote({ kind: 'deferred', task: candidate.task, collisions: candidate.collisions });
          toldDeferred.set(candidate.task.id, waitsFor);
        }
      } else if (!toldDraining && budgetSpent === null) {
        toldDraining = true;
        deps.onNote({ kind: 'draining', running: running.size });
      }
      if (running.size === 0 && landingsPending === 0 && (options.drain.aborted || budgetSpent !== null || !options.watch)) break;
      if (kicked) continue;
      waiting = new AbortController();
      await deps.waitForChange(IDLE_LOOK_MS, waiting.signal);
      waiting = null;
    }
  } finally {
    options.drain.removeEventListener('abort', kick);
  }
  return {
    runs: finished,
    deferred: [...deferredNow].map(([taskId, collisions]) => ({ taskId, collisions })),
    drained: options.drain.aborted,
    budgetSpent,
    landings,
  };
}

interface Candidate {
  task: Task;
  collisions: Collision[];
}

/**
 * Ready tasks this supervisor may start, best first, each with the running tasks it collides
 * with (as `ready --explain` says). A task in review collides too in `ready`'s order, but holds
 * no run: waiting for it would wait for a person.
 */
async function startableTasks(deps: SuperviseDeps, options: SuperviseOptions, dispatches: ReadonlyMap<number, number>): Promise<Candidate[]> {
  const { entries, running } = await deps.board.store.read(async (tx) => ({
    entries: await readyWithCollisions(tx, { claimableBy: deps.board.actor }),
    running: new Set((await tx.listTasks({ statuses: ['in_progress'] })).map((task) => task.id)),
  }));
  return entries
    .filter((entry) => (dispatches.get(entry.task.id) ?? 0) < options.maxDispatches)
    .filter((entry) => options.labels.every((label) => entry.task.labels.includes(label)))
    .map((entry) => ({ task: entry.task, collisions: entry.collisions.filter((collision) => running.has(collision.taskId)) }));
}

/** A candidate's collisions with this supervisor's runs added (by what the tasks declare). */
function withOurRuns(candidate: Candidate, running: ReadonlyMap<number, { task: Task }>): Candidate {
  const ours = [...running.values()].map((run) => subjectOf(run.task, []));
  const more = collisionsWith(subjectOf(candidate.task, []), ours).filter((collision) => !candidate.collisions.some((known) => known.taskId === collision.taskId));
  return more.length === 0 ? candidate : { task: candidate.task, collisions: [...candidate.collisions, ...more] };
}

function summaryOf(task: Task, agent: string, result: RunTaskResult, durationMs: number): SupervisedRun {
  const { record } = result;
  return {
    taskId: task.id,
    title: task.title,
    agent,
    outcome: record.status,
    reason: record.reason,
    run: record.run,
    attempts: record.attempts.filter((attempt) => attempt.verdict !== 'rate_limited').length,
    durationMs,
    tokens: record.usage.inputTokens + record.usage.outputTokens,
    costUsd: record.usage.costUsd,
    taskStatus: result.task?.status ?? null,
  };
}

function notStarted(task: Task, agent: string, message: string, durationMs: number): SupervisedRun {
  return { taskId: task.id, title: task.title, agent, outcome: 'not_started', reason: message, run: null, attempts: 0, durationMs, tokens: 0, costUsd: 0, taskStatus: null };
}
