import { BatonError } from '../../core/errors.js';
import type { Finding } from '../../core/finding.js';
import type { Status } from '../../core/status.js';
import { findingLine } from '../commands/findings.js';
import { paint } from '../output.js';
import { commandFailed, documentOf, errorCodeOf, must, sleep, type BatonRunner, type FirstLines } from './child.js';

/** What an agent tells the demo, one JSON line each on its stdout. */
export type AgentMessage =
  /** `collisions`: what `claim` warned of; `notices`: the agent's inbox for the task, as `baton inbox` lists it. */
  | { kind: 'claimed'; agent: string; id: number; title: string; collisions: string[]; notices: string[] }
  | { kind: 'completed'; agent: string; id: number; title: string; unblocked: number[] }
  | { kind: 'finished'; agent: string; claimed: number[]; completed: number[] };

interface TaskSummary {
  id: number;
  title: string;
  status: Status;
}

const WORK_MIN_MS = 40;
const WORK_SPREAD_MS = 160;
/** A safety net only: the wait normally ends on the first event that could free a task. */
const IDLE_WAIT_MS = 3_000;
/** Events after which a task may have become claimable. */
const WAKE_EVENTS = ['task_unblocked', 'task_completed', 'task_created', 'task_released', 'lease_expired', 'task_reopened'];

/** What an agent uses of the shell: one-shot baton commands, and a follower's first lines. */
export interface AgentShell {
  run: BatonRunner;
  firstLines: FirstLines;
}

/**
 * One demo agent, as a coding agent would drive baton from its shell: every step is its own
 * CLI run. Claims the best ready task, heartbeats, "works", leaves a note on some tasks,
 * completes, and repeats until nothing is ready and nobody holds a task that could unblock more.
 * When nothing is ready it waits on `watch --follow` instead of polling the board.
 */
export async function runAgentLoop(agent: string, shell: AgentShell, emit: (message: AgentMessage) => void): Promise<void> {
  const claimed: number[] = [];
  const completed: number[] = [];
  // The last event id seen before a claim attempt: whatever happens after it can wake us.
  let cursor: number | undefined;
  for (;;) {
    const claim = await shell.run(['claim', '--next', '--json']);
    if (claim.code === 0) {
      const { task, collisions } = documentOf<{ task: TaskSummary; collisions: { reason: string }[] }>(claim, 'claim --next');
      claimed.push(task.id);
      const notices = await inboxFor(shell.run, task.id);
      emit({ kind: 'claimed', agent, id: task.id, title: task.title, collisions: collisions.map((collision) => collision.reason), notices });
      const unblocked = await work(agent, shell.run, task);
      completed.push(task.id);
      emit({ kind: 'completed', agent, id: task.id, title: task.title, unblocked });
      cursor = undefined;
      continue;
    }
    if (errorCodeOf(claim) !== 'NOTHING_READY') throw commandFailed('claim --next', claim);
    if (await boardSettled(shell.run)) break;
    cursor = cursor === undefined ? await lastEventId(shell.run) : await waitForWake(shell, cursor);
  }
  emit({ kind: 'finished', agent, claimed, completed });
}

/**
 * What the agent's inbox holds for the task it just claimed (step 5 of the loop `baton prime`
 * teaches): impact findings other tasks' work raised, addressed to it by the claim.
 */
async function inboxFor(run: BatonRunner, taskId: number): Promise<string[]> {
  const { findings } = documentOf<{ findings: Finding[] }>(await must(run, ['inbox', '--json']), 'inbox');
  return findings.filter((finding) => finding.taskId === taskId).map((finding) => findingLine(finding, paint(false)));
}

async function lastEventId(run: BatonRunner): Promise<number> {
  const { events } = documentOf<{ events: { id: number }[] }>(await must(run, ['watch', '--json', '--limit', '1']), 'watch');
  return events.at(-1)?.id ?? 0;
}

/** Waits for the first events after `cursor` that could free a task; returns the new cursor. */
async function waitForWake(shell: AgentShell, cursor: number): Promise<number> {
  const types = WAKE_EVENTS.flatMap((type) => ['--type', type]);
  const lines = await shell.firstLines(['watch', '--follow', '--json', '--since', String(cursor), ...types], IDLE_WAIT_MS);
  const ids = lines.map((line) => (JSON.parse(line) as { event?: { id?: unknown } }).event?.id);
  return Math.max(cursor, ...ids.filter((id): id is number => typeof id === 'number'));
}

async function work(agent: string, run: BatonRunner, task: TaskSummary): Promise<number[]> {
  await must(run, ['heartbeat', String(task.id), '--json']);
  await sleep(WORK_MIN_MS + Math.random() * WORK_SPREAD_MS);
  if (task.id % 2 === 0) await must(run, ['note', String(task.id), `${agent}: first pass works, tidying up`]);
  const done = await must(run, ['complete', String(task.id), '-m', `done by ${agent}`, '--json']);
  return documentOf<{ unblocked: TaskSummary[] }>(done, `complete ${task.id}`).unblocked.map((other) => other.id);
}

/**
 * True when no task is open or in progress. Completing a task and opening its dependents is
 * one transaction, so a board with neither can never offer work again; one that still has
 * blocked tasks then is stuck, which the demo reports as a failure.
 */
async function boardSettled(run: BatonRunner): Promise<boolean> {
  const list = await must(run, ['list', '--json']);
  const { tasks } = documentOf<{ tasks: TaskSummary[] }>(list, 'list');
  if (tasks.some((task) => task.status === 'open' || task.status === 'in_progress')) return false;
  const stuck = tasks.map((task) => `#${task.id} (${task.status})`);
  if (stuck.length > 0) throw new BatonError('FAILED', `nothing can be claimed, yet ${stuck.join(', ')} are not done`);
  return true;
}
