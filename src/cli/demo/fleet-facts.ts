import { join } from 'node:path';
import type { BoardEvent } from '../../core/event.js';
import { FEEDBACK_HEADING, FEEDBACK_INSTRUCTION } from '../../core/run/prompt.js';
import type { RunRecord } from '../../core/run/run-record.js';
import type { Task } from '../../core/task.js';
import { childEnv, documentOf, must, runChild, type BatonRunner } from './child.js';
import { AGENT_FOLDER, TEST_COMMAND, type FleetTask } from './fleet-project.js';
import type { BaseCommit, FleetEvidence, FleetRunFacts, FleetTaskFacts } from './fleet-report.js';
import type { SupervisorRun } from './fleet-supervisor.js';
import { fleetTimeline } from './fleet-timeline.js';

/*
 * Reads back what the fleet part left, through the CLI and git, independently of what the
 * supervisor said it did: the tasks, their run records, the board's events, the base branch's
 * commits, and the project's test run on the base branch's tip.
 */

export interface ReadBackOptions {
  repo: string;
  env: Readonly<Record<string, string | undefined>>;
  planner: BatonRunner;
  /** The Node that runs the project's test. */
  node: string;
  tasks: readonly { id: number; task: FleetTask }[];
  supervisor: SupervisorRun;
  parallel: number;
  fallback: string | null;
  person: string;
}

export async function readBack(options: ReadBackOptions): Promise<FleetEvidence> {
  const { planner } = options;
  const ids = options.tasks.map(({ id }) => id);
  const board = documentOf<{ tasks: Task[] }>(await must(planner, ['list', '--all', '--json']), 'list --all').tasks;
  const tasks: FleetTaskFacts[] = options.tasks.map(({ id, task }) => ({ id, role: task.role, title: task.title, status: board.find((found) => found.id === id)?.status ?? 'missing' }));
  const records = documentOf<{ runs: RunRecord[] }>(await must(planner, ['runs', '--json']), 'runs').runs.filter((record) => ids.includes(record.taskId));
  const events = documentOf<{ events: BoardEvent[] }>(await must(planner, ['watch', '--json']), 'watch').events;
  const timeline = fleetTimeline(events, options.supervisor.lines, ids, options.supervisor.startedMs);
  const baseBranch = records[0]?.baseBranch ?? 'main';
  return {
    parallel: options.parallel,
    fallback: options.fallback,
    supervisorExit: options.supervisor.exitCode,
    person: options.person,
    tasks,
    runs: records.map(runFacts).sort((a, b) => a.startedAt.localeCompare(b.startedAt)),
    timeline,
    baseBranch,
    baseCommits: await baseCommits(options, baseBranch),
    testsOnBase: await testOnBase(options, baseBranch),
    conflictFeedback: await conflictFeedback(planner, events, records),
  };
}

function runFacts(record: RunRecord): FleetRunFacts {
  return {
    taskId: record.taskId,
    run: record.run,
    agent: record.agent,
    status: record.status,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    attempts: record.attempts.filter((attempt) => attempt.verdict !== 'rate_limited').length,
    tokens: record.usage.inputTokens + record.usage.outputTokens,
    costUsd: record.usage.costUsd,
  };
}

async function git(options: ReadBackOptions, args: readonly string[]): Promise<string> {
  const result = await runChild('git', args, options.repo, childEnv(options.env, 'planner'));
  if (result.code !== 0) throw new Error(`git ${args[0] ?? ''} failed in the scratch repository: ${result.stderr.trim()}`);
  return result.stdout;
}

/** The base branch's commits, newest first, with the tasks their `Baton-Task` trailers name. */
async function baseCommits(options: ReadBackOptions, baseBranch: string): Promise<BaseCommit[]> {
  const log = await git(options, ['log', '--format=%h%x09%s%x09%(trailers:key=Baton-Task,valueonly,separator=%x2C)', baseBranch]);
  return log
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [commit = '', subject = '', trailer = ''] = line.split('\t');
      return { commit, subject, taskIds: trailer.split(',').filter((id) => /^\d+$/.test(id.trim())).map(Number) };
    });
}

/** `node test.mjs` in a checkout of the base branch's tip made for it, removed after. */
async function testOnBase(options: ReadBackOptions, baseBranch: string): Promise<{ exitCode: number; output: string }> {
  const checkout = join(options.repo, AGENT_FOLDER, 'base-check');
  await git(options, ['worktree', 'add', '--quiet', '--detach', checkout, baseBranch]);
  try {
    const result = await runChild(options.node, TEST_COMMAND.slice(1), checkout, childEnv(options.env, 'planner'));
    return { exitCode: result.code, output: `${result.stdout}${result.stderr}`.trimEnd() };
  } finally {
    await git(options, ['worktree', 'remove', '--force', checkout]);
  }
}

/**
 * The feedback section that opened the first attempt of the run after the merge queue sent a
 * task back for a conflict, blank lines dropped; empty when no merge conflicted.
 */
async function conflictFeedback(planner: BatonRunner, events: readonly BoardEvent[], records: readonly RunRecord[]): Promise<string> {
  const returned = events.find((event) => event.type === 'merge_returned' && Array.isArray(event.payload.conflicts) && event.payload.conflicts.length > 0);
  if (returned?.taskId == null) return '';
  const next = records.filter((record) => record.taskId === returned.taskId && Date.parse(record.startedAt) >= Date.parse(returned.at)).sort((a, b) => a.run - b.run)[0];
  if (next === undefined) return '';
  const log = await must(planner, ['run-log', String(next.taskId), '--run', String(next.run), '--attempt', '1', '--json']);
  const prompt = documentOf<{ files: Record<string, string | null> }>(log, 'run-log').files['prompt.md'] ?? '';
  const start = prompt.indexOf(`## ${FEEDBACK_HEADING}`);
  if (start < 0) return '';
  const end = prompt.indexOf(FEEDBACK_INSTRUCTION, start);
  return prompt
    .slice(start, end < 0 ? undefined : end + FEEDBACK_INSTRUCTION.length)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .join('\n');
}
