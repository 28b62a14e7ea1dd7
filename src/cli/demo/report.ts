import type { BoardEvent } from '../../core/event.js';
import type { Task } from '../../core/task.js';
import { assigneeWidth, taskTableHeading } from '../format-task.js';
import type { Paint } from '../output.js';
import { renderFleet } from './fleet-render.js';
import type { FleetFacts } from './fleet-report.js';
import { renderImpact, renderWaits, waitsOf, type CollisionWarning, type ImpactStory, type Wait } from './story.js';

/** What one agent process said it did, and how it ended. */
export interface AgentOutcome {
  name: string;
  exitCode: number;
  /** From the agent's own `finished` line; null when it never got that far. */
  claimed: number[] | null;
  completed: number[] | null;
  error: string | null;
  /** The collisions `claim` warned this agent of. */
  collisions: CollisionWarning[];
}

export interface EventCounts {
  total: number;
  byType: Record<string, number>;
}

export interface Check {
  name: 'all_done' | 'claimed_once' | 'counts_agree' | 'agents_agree';
  ok: boolean;
  detail: string;
}

export interface DemoFacts {
  ok: boolean;
  problems: string[];
  repository: { path: string; kept: boolean };
  durationMs: number;
  tasks: Pick<Task, 'id' | 'title' | 'status' | 'priority' | 'assignee' | 'labels'>[];
  /** Who did what, from the board's events (each agent's own account is checked against it). */
  agents: { name: string; exitCode: number; claimed: number[]; completed: number[] }[];
  events: { follower: EventCounts; board: EventCounts };
  /** Tasks that waited on others, and whose completion freed each. */
  waits: Wait[];
  impact: ImpactStory;
  checks: Check[];
  /** The fleet part; its problems are among `problems`. */
  fleet: FleetFacts;
}

export interface DemoRun {
  repository: { path: string; kept: boolean };
  durationMs: number;
  tasks: readonly Task[];
  boardEvents: readonly BoardEvent[];
  /** The lines `watch --follow --json` printed, one event each. */
  followerLines: readonly string[];
  agents: readonly AgentOutcome[];
  /** The findings on the board (`baton inbox --all --history`) and each told agent's inbox. */
  findings: ImpactStory['findings'];
  inboxes: ImpactStory['inboxes'];
  fleet: FleetFacts;
}

/** Judges a finished run: the facts the demo prints and the checks that decide its exit code. */
export function judgeRun(run: DemoRun): DemoFacts {
  const board = countEvents(run.boardEvents.map((event) => event.type));
  const follower = countEvents(run.followerLines.map(eventTypeOf));
  const agents = run.agents.map((agent) => ({
    name: agent.name,
    exitCode: agent.exitCode,
    claimed: idsBy(run.boardEvents, 'task_claimed', agent.name),
    completed: idsBy(run.boardEvents, 'task_completed', agent.name),
  }));
  const checks = [allDone(run.tasks), claimedOnce(run.tasks, run.boardEvents), countsAgree(follower, board), agentsAgree(run.agents, agents)];
  const problems = [...checks.filter((check) => !check.ok).map((check) => check.detail), ...(run.fleet.kind === 'ran' ? run.fleet.problems : [])];
  return {
    ok: problems.length === 0,
    problems,
    repository: run.repository,
    durationMs: run.durationMs,
    tasks: run.tasks.map(({ id, title, status, priority, assignee, labels }) => ({ id, title, status, priority, assignee, labels })),
    agents,
    events: { follower, board },
    waits: waitsOf(run.boardEvents, run.tasks),
    impact: {
      findings: run.findings.map(({ id, kind, taskId, otherTaskId, subject, recipient, message }) => ({ id, kind, taskId, otherTaskId, subject, recipient, message })),
      collisions: run.agents.flatMap((agent) => agent.collisions),
      inboxes: run.inboxes,
    },
    checks,
    fleet: run.fleet,
  };
}

export function countEvents(types: readonly string[]): EventCounts {
  const byType: Record<string, number> = {};
  for (const type of types) byType[type] = (byType[type] ?? 0) + 1;
  return { total: types.length, byType: Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b))) };
}

/** The type of the event on one follower line; a line that is not an event counts as `unparsed`. */
function eventTypeOf(line: string): string {
  try {
    const type = (JSON.parse(line) as { event?: { type?: unknown } }).event?.type;
    return typeof type === 'string' ? type : 'unparsed';
  } catch {
    return 'unparsed';
  }
}

function idsBy(events: readonly BoardEvent[], type: BoardEvent['type'], actor: string): number[] {
  return events.filter((event) => event.type === type && event.actor === actor && event.taskId !== null).map((event) => event.taskId as number);
}

function allDone(tasks: readonly Task[]): Check {
  const open = tasks.filter((task) => task.status !== 'done');
  const detail =
    open.length === 0
      ? `all ${tasks.length} tasks are done`
      : `${open.length} of ${tasks.length} tasks are not done: ${open.map((task) => `#${task.id} (${task.status})`).join(', ')}`;
  return { name: 'all_done', ok: open.length === 0 && tasks.length > 0, detail };
}

function claimedOnce(tasks: readonly Task[], events: readonly BoardEvent[]): Check {
  const claims = new Map<number, number>(tasks.map((task) => [task.id, 0]));
  for (const event of events) {
    if (event.type === 'task_claimed' && event.taskId !== null) claims.set(event.taskId, (claims.get(event.taskId) ?? 0) + 1);
  }
  const wrong = [...claims].filter(([, count]) => count !== 1).map(([id, count]) => `#${id} claimed ${count} times`);
  const detail = wrong.length === 0 ? `each of the ${tasks.length} tasks was claimed exactly once` : `claims went wrong: ${wrong.join(', ')}`;
  return { name: 'claimed_once', ok: wrong.length === 0, detail };
}

function countsAgree(follower: EventCounts, board: EventCounts): Check {
  const types = [...new Set([...Object.keys(follower.byType), ...Object.keys(board.byType)])].sort();
  const differ = types.filter((type) => follower.byType[type] !== board.byType[type]);
  const ok = differ.length === 0 && follower.total === board.total;
  const detail = ok
    ? `the follower saw the same ${board.total} events as the board holds`
    : `the follower saw ${follower.total} events, the board holds ${board.total}` +
      (differ.length > 0 ? ` (differing: ${differ.map((type) => `${type} ${follower.byType[type] ?? 0}/${board.byType[type] ?? 0}`).join(', ')})` : '');
  return { name: 'counts_agree', ok, detail };
}

function agentsAgree(outcomes: readonly AgentOutcome[], fromEvents: DemoFacts['agents']): Check {
  const wrong: string[] = [];
  for (const outcome of outcomes) {
    const recorded = fromEvents.find((agent) => agent.name === outcome.name);
    if (outcome.exitCode !== 0 || outcome.claimed === null || outcome.completed === null) {
      wrong.push(`${outcome.name} exited ${outcome.exitCode}${outcome.error ? `: ${outcome.error}` : ''}`);
    } else if (!sameIds(outcome.claimed, recorded?.claimed) || !sameIds(outcome.completed, recorded?.completed)) {
      wrong.push(`${outcome.name} says it did ${ids(outcome.completed)} but the events say ${ids(recorded?.completed ?? [])}`);
    }
  }
  const detail = wrong.length === 0 ? `every agent finished, and its own record matches the events` : wrong.join('; ');
  return { name: 'agents_agree', ok: wrong.length === 0, detail };
}

function sameIds(a: readonly number[], b: readonly number[] | undefined): boolean {
  const sorted = (list: readonly number[]): string => [...list].sort((x, y) => x - y).join(',');
  return b !== undefined && sorted(a) === sorted(b);
}

function ids(list: readonly number[]): string {
  return list.length === 0 ? 'nothing' : list.map((id) => `#${id}`).join(' ');
}

/** The plain-text report: the board, why tasks waited, impact findings, who did what, events, checks, the fleet, and the verdict. */
export function renderReport(facts: DemoFacts, boardText: string, p: Paint): string {
  const width = Math.max(...facts.agents.map((agent) => agent.name.length), 5);
  const types = Object.keys({ ...facts.events.board.byType, ...facts.events.follower.byType }).sort();
  const typeWidth = Math.max(...types.map((type) => type.length), 5);
  const countLine = (name: string, follower: number, board: number): string =>
    `  ${name.padEnd(typeWidth)} ${String(follower).padStart(8)} ${String(board).padStart(6)}`;
  const seconds = (facts.durationMs / 1000).toFixed(1);
  return [
    `${p.bold('board')} ${p.dim('($ baton list --all)')}`,
    p.dim(taskTableHeading(assigneeWidth(facts.tasks))),
    boardText,
    '',
    ...renderWaits(facts.waits, p),
    '',
    ...renderImpact(facts.impact, facts.tasks, p),
    '',
    p.bold('who did what'),
    ...facts.agents.map((agent) => `  ${agent.name.padEnd(width)} ${String(agent.completed.length).padStart(3)} task${agent.completed.length === 1 ? ' ' : 's'}  ${ids(agent.completed)}`),
    '',
    `${p.bold('events'.padEnd(typeWidth + 2))} follower  board  ${p.dim('(as `baton watch --follow` saw them live, and as the board holds them)')}`,
    ...types.map((type) => countLine(type, facts.events.follower.byType[type] ?? 0, facts.events.board.byType[type] ?? 0)),
    countLine('total', facts.events.follower.total, facts.events.board.total),
    '',
    `${p.bold('checks')} ${p.dim("(the demo's own, on what the board recorded)")}`,
    ...facts.checks.map((check) => `  ${check.ok ? p.green('ok  ') : p.red('FAIL')} ${check.detail}`),
    '',
    ...renderFleet(facts.fleet, p),
    '',
    ...repositoryLines(facts),
    facts.ok ? p.green(`demo passed in ${seconds}s`) : p.red(`demo FAILED in ${seconds}s: ${facts.problems.join('; ')}`),
  ].join('\n');
}

/** Where the scratch repository is, or that it is gone and how to keep it next time (its path is not worth printing then). */
function repositoryLines({ repository, fleet }: DemoFacts): string[] {
  if (!repository.kept) return ['the scratch repository was removed (run with --keep to look around in it: the board, the branches, the runs\' evidence)'];
  const { path } = repository;
  const base = fleet.kind === 'ran' ? [`  cd ${path} && git log ${fleet.baseBranch} && baton runs`] : [];
  return [`scratch repository kept at ${path}`, `  cd ${path} && baton list --all`, ...base];
}
