import type { FleetRole } from './fleet-project.js';
import type { Moment, TimelineEntry } from './fleet-timeline.js';

/*
 * What the fleet part did, judged: the facts the demo prints and the checks that decide
 * whether the story played out. Pure: everything comes from the board, the run records, git
 * and the supervisor's output, read by fleet-part.ts.
 */

export interface FleetTaskFacts {
  id: number;
  role: FleetRole;
  title: string;
  status: string;
}

/** One run of a fleet task, from its run record. */
export interface FleetRunFacts {
  taskId: number;
  run: number;
  agent: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  attempts: number;
  tokens: number;
  costUsd: number;
}

/** A commit on the base branch and the tasks its `Baton-Task` trailer names. */
export interface BaseCommit {
  commit: string;
  subject: string;
  taskIds: number[];
}

export interface FleetCheck {
  name: 'all_landed' | 'tests_pass' | 'in_parallel' | 'both_agents' | 'deferred' | 'conflict_fixed' | 'approved' | 'supervisor_exit';
  ok: boolean;
  detail: string;
}

/** What the fleet part read back after the supervisor ended. */
export interface FleetEvidence {
  /** The `--parallel` the supervisor ran with, and why it is 1 when containment is missing. */
  parallel: number;
  fallback: string | null;
  supervisorExit: number;
  person: string;
  tasks: FleetTaskFacts[];
  runs: FleetRunFacts[];
  timeline: TimelineEntry[];
  baseBranch: string;
  baseCommits: BaseCommit[];
  /** The project's test on the base branch's tip, in a checkout of its own. */
  testsOnBase: { exitCode: number; output: string };
  /** The feedback section that opened the prompt of the run after a conflict; empty when there was none. */
  conflictFeedback: string;
}

export type FleetFacts =
  | { kind: 'skipped'; reason: string }
  | ({ kind: 'ran'; ok: boolean; problems: string[]; command: string; checks: FleetCheck[]; durationMs: number; totals: FleetTotals } & FleetEvidence);

export interface FleetTotals {
  landed: number;
  tasks: number;
  runs: number;
  attempts: number;
  tokens: number;
  costUsd: number;
}

/** Judges the fleet part: one check per thing the story shows, each naming what it saw. */
export function judgeFleet(evidence: FleetEvidence, command: string, durationMs: number): Extract<FleetFacts, { kind: 'ran' }> {
  const checks = [allLanded(evidence), testsPass(evidence), inParallel(evidence), bothAgents(evidence), deferred(evidence), conflictFixed(evidence), approved(evidence), supervisorExit(evidence)];
  const problems = checks.filter((check) => !check.ok).map((check) => check.detail);
  return { kind: 'ran', ok: problems.length === 0, problems, command, checks, durationMs, totals: totalsOf(evidence), ...evidence };
}

function totalsOf({ tasks, runs, timeline }: FleetEvidence): FleetTotals {
  const landed = new Set(timeline.filter((entry) => entry.kind === 'landed').map((entry) => entry.taskId));
  return {
    landed: tasks.filter((task) => landed.has(task.id)).length,
    tasks: tasks.length,
    runs: runs.length,
    attempts: runs.reduce((sum, run) => sum + run.attempts, 0),
    tokens: runs.reduce((sum, run) => sum + run.tokens, 0),
    costUsd: runs.reduce((sum, run) => sum + run.costUsd, 0),
  };
}

function check(name: FleetCheck['name'], ok: boolean, detail: string): FleetCheck {
  return { name, ok, detail };
}

function allLanded({ tasks, baseCommits, baseBranch }: FleetEvidence): FleetCheck {
  const wrong = tasks.flatMap((task) => {
    const commits = baseCommits.filter((commit) => commit.taskIds.includes(task.id)).length;
    if (task.status !== 'done') return [`#${task.id} is ${task.status}`];
    return commits === 1 ? [] : [`#${task.id} has ${commits} commits on ${baseBranch}`];
  });
  if (tasks.length === 0) return check('all_landed', false, 'the board holds none of the fleet\'s tasks');
  if (wrong.length === 0) return check('all_landed', true, `${baseBranch} holds one commit for each of the ${tasks.length} tasks (its Baton-Task trailer), and every task is done`);
  return check('all_landed', false, `not every task landed: ${wrong.join(', ')}`);
}

function testsPass({ testsOnBase, baseBranch }: FleetEvidence): FleetCheck {
  const last = testsOnBase.output.trim().split('\n').at(-1) ?? '';
  if (testsOnBase.exitCode === 0) return check('tests_pass', true, `the project's test passes on ${baseBranch}: ${last}`);
  return check('tests_pass', false, `the project's test fails on ${baseBranch} (exit ${testsOnBase.exitCode}): ${last}`);
}

/** The most runs going on at one moment, from their records' start and end. */
export function mostAtOnce(runs: readonly Pick<FleetRunFacts, 'startedAt' | 'endedAt'>[]): number {
  const edges = runs.flatMap((run) => [
    { at: Date.parse(run.startedAt), step: 1 },
    { at: run.endedAt === null ? Infinity : Date.parse(run.endedAt), step: -1 },
  ]);
  // An end before a start at the same instant: runs that touch do not overlap.
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let now = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (now += edge.step));
  return most;
}

function inParallel({ runs, parallel }: FleetEvidence): FleetCheck {
  const most = mostAtOnce(runs);
  return check('in_parallel', most === parallel, `at most ${most} run${most === 1 ? '' : 's'} went on at once (--parallel ${parallel})`);
}

function bothAgents({ runs }: FleetEvidence): FleetCheck {
  const agents = [...new Set(runs.map((run) => run.agent))].sort();
  const ok = agents.includes('claude') && agents.includes('codex');
  return check('both_agents', ok, ok ? 'Claude Code and Codex both ran tasks, each picked by its label or the config\'s rule' : `expected runs by claude and codex; the agents were ${agents.join(', ') || 'none'}`);
}

function byRole(evidence: FleetEvidence, role: FleetRole): FleetTaskFacts | undefined {
  return evidence.tasks.find((task) => task.role === role);
}

function firstRun(evidence: FleetEvidence, taskId: number): FleetRunFacts | undefined {
  return evidence.runs.filter((run) => run.taskId === taskId).sort((a, b) => a.run - b.run)[0];
}

function deferred(evidence: FleetEvidence): FleetCheck {
  const [waiting, holder] = [byRole(evidence, 'shout'), byRole(evidence, 'ellipsis')];
  if (evidence.parallel === 1) return check('deferred', true, 'runs went one at a time, so no task had to wait for a running one');
  if (waiting === undefined || holder === undefined) return check('deferred', false, 'the two tasks that declare the same file are not on the board');
  const wait = entries(evidence.timeline, 'deferred').find((entry) => entry.taskId === waiting.id && entry.waitsFor.includes(holder.id));
  if (wait === undefined) return check('deferred', false, `#${waiting.id} was expected to wait for #${holder.id}, which declares the same file; the supervisor never said it did`);
  const [after, before] = [firstRun(evidence, waiting.id), firstRun(evidence, holder.id)];
  const ok = after !== undefined && before?.endedAt != null && Date.parse(after.startedAt) >= Date.parse(before.endedAt);
  return check('deferred', ok, ok ? `#${waiting.id} waited for #${holder.id} (both declare the same file) and started only once that run had ended` : `#${waiting.id} waited for #${holder.id}, yet its run started before #${holder.id}'s ended`);
}

function conflictFixed(evidence: FleetEvidence): FleetCheck {
  const returned = entries(evidence.timeline, 'returned').find((entry) => entry.conflicts.length > 0);
  if (returned === undefined) {
    if (evidence.parallel === 1) return check('conflict_fixed', true, 'no merge conflicted: run one at a time, each task started from a base that held the others');
    return check('conflict_fixed', false, 'expected one merge to conflict (two tasks register themselves in index.mjs); none did');
  }
  const { taskId } = returned;
  const landedAfter = entries(evidence.timeline, 'landed').some((entry) => entry.taskId === taskId && entry.atMs >= returned.atMs);
  const told = evidence.conflictFeedback.includes(`conflicts in ${returned.conflicts.length} file(s): ${returned.conflicts.join(', ')}`);
  const ok = landedAfter && told;
  const detail = ok
    ? `#${taskId}'s merge conflicted in ${returned.conflicts.join(', ')}; its next run was told so, resolved it, and landed`
    : `#${taskId}'s merge conflicted in ${returned.conflicts.join(', ')}, but ${told ? 'it never landed after' : "its next run's prompt did not carry the conflict"}`;
  return check('conflict_fixed', ok, detail);
}

function approved(evidence: FleetEvidence): FleetCheck {
  const task = byRole(evidence, 'shout');
  if (task === undefined) return check('approved', false, 'the task the approval policy holds is not on the board');
  const approval = entries(evidence.timeline, 'approved').find((entry) => entry.taskId === task.id);
  const landed = entries(evidence.timeline, 'landed').find((entry) => entry.taskId === task.id);
  if (approval === undefined) return check('approved', false, `#${task.id} needs a person's approval by the policy; no approval was recorded`);
  const ok = approval.by === evidence.person && landed !== undefined && landed.atMs >= approval.atMs;
  return check('approved', ok, ok ? `#${approval.taskId} waited for a person; ${approval.by} approved it and it landed` : `#${approval.taskId} was approved by ${approval.by}${landed === undefined ? ' but never landed' : ' after it landed'}`);
}

function supervisorExit({ supervisorExit: code }: FleetEvidence): FleetCheck {
  return check('supervisor_exit', code === 0, code === 0 ? 'the supervisor ended on its own with exit 0 once nothing was left to run' : `the supervisor exited ${code}`);
}

function entries<K extends Moment['kind']>(timeline: readonly TimelineEntry[], kind: K): Extract<TimelineEntry, { kind: K }>[] {
  return timeline.filter((entry): entry is Extract<TimelineEntry, { kind: K }> => entry.kind === kind);
}
