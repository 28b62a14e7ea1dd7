import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BatonError, InvalidInputError } from '../../core/errors.js';
import type { BoardEvent } from '../../core/event.js';
import type { Finding } from '../../core/finding.js';
import type { Task } from '../../core/task.js';
import { batonRunner, childEnv, documentOf, must, runChild, stopChild, type BatonBinary, type BatonRunner } from './child.js';
import { findAgentClis, missingAgentsText } from './find-agents.js';
import type { FleetFacts } from './fleet-report.js';
import { startAgent, startFollower, type Follower, type Stage } from './processes.js';
import { judgeRun, type AgentOutcome, type DemoFacts, type DemoRun } from './report.js';
import { addArguments, demoPlan, type PlannedTask } from './scenario.js';

export interface DemoOptions {
  agents: number;
  tasks: number;
  keep: boolean;
  /** Where to build the scratch repository; a new temp folder when absent. */
  dir: string | undefined;
  /** Whether to end with the fleet part (the supervisor running Claude Code and Codex against a scripted model). */
  run: boolean;
  binary: BatonBinary;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** A progress line for stderr. */
  progress: (line: string) => void;
  /** Aborted on Ctrl-C: the agents are stopped and the scratch repository removed. */
  signal: AbortSignal;
}

export interface DemoResult {
  facts: DemoFacts;
  /** `baton list --all` as the board printed it. */
  boardText: string;
}

const AGENTS_TIMEOUT_MS = 120_000;
const FOLLOWER_CATCH_UP_MS = 10_000;

/**
 * The quick-start demo: a scratch git repository with a board, a small task graph, several
 * agent processes racing for it through the real CLI, and a follower counting the event feed;
 * then the fleet: the supervisor running the real Claude Code and Codex CLIs, against a scripted
 * model, over a small project's tasks until the merge queue has landed them all.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const folder = prepareFolder(options.dir, options.cwd);
  const stage: Stage = { binary: options.binary, cwd: folder.path, env: options.env, progress: timed(options.progress, started) };
  const planner = batonRunner(options.binary, folder.path, childEnv(options.env, 'planner'));
  let follower: Follower | undefined;
  try {
    options.progress(introduction(options));
    stage.progress(options.keep ? `scratch repository ${folder.path}` : 'scratch repository in a temporary folder, removed at the end (--keep keeps it)');
    await createRepository(folder.path, options.env, planner);
    follower = startFollower(stage);
    await seedBoard(planner, demoPlan(options.tasks), stage.progress, options.signal);
    const agents = await runAgents(stage, options.agents, options.signal);
    stopIfAborted(options.signal);
    const tasks = documentOf<{ tasks: Task[] }>(await must(planner, ['list', '--all', '--json']), 'list --all').tasks;
    const boardText = (await must(planner, ['list', '--all'])).stdout.trimEnd();
    const boardEvents = documentOf<{ events: BoardEvent[] }>(await must(planner, ['watch', '--json']), 'watch').events;
    const { findings, inboxes } = await findingsOf(planner);
    await follower.stopAfter(boardEvents.at(-1)?.id ?? 0, FOLLOWER_CATCH_UP_MS);
    const fleet = await fleetPartOf(options, stage, planner);
    stopIfAborted(options.signal);
    const facts = judgeRun({
      repository: { path: folder.path, kept: options.keep },
      durationMs: Date.now() - started,
      tasks,
      boardEvents,
      followerLines: follower.lines,
      agents,
      findings,
      inboxes,
      fleet,
    });
    return { facts, boardText };
  } finally {
    if (follower) await stopChild(follower.child);
    if (!options.keep) folder.remove();
  }
}

/** The opening line: what is about to happen, for someone who has not read the README. */
function introduction(options: DemoOptions): string {
  const board = `baton demo: ${options.agents} agent ${options.agents === 1 ? 'process shares' : 'processes share'} one board in a scratch git repository, claiming ${options.tasks} planned task${options.tasks === 1 ? '' : 's'} as their dependencies allow`;
  return options.run
    ? `${board}; then a fleet: \`baton run --ready\` runs Claude Code and Codex side by side over a small project's tasks against a scripted model (no API key, nothing charged), and the merge queue lands their work`
    : board;
}

/** Every finding on the board, and the inbox of each agent one was addressed to, as that agent would list it. */
async function findingsOf(planner: BatonRunner): Promise<Pick<DemoRun, 'findings' | 'inboxes'>> {
  const { findings } = documentOf<{ findings: Finding[] }>(await must(planner, ['inbox', '--all', '--history', '--json']), 'inbox');
  const told = [...new Set(findings.flatMap((finding) => (finding.recipient === null ? [] : [finding.recipient])))].sort();
  const inboxes: DemoRun['inboxes'] = [];
  for (const agent of told) inboxes.push({ agent, text: (await must(planner, ['inbox', '--as', agent])).stdout.trimEnd() });
  return { findings, inboxes };
}

interface ScratchFolder {
  path: string;
  remove(): void;
}

/** A new temp folder, or `--dir` if it is new or empty; removal takes only what the demo made. */
function prepareFolder(dir: string | undefined, cwd: string): ScratchFolder {
  if (dir === undefined) {
    const path = mkdtempSync(join(tmpdir(), 'baton-demo-'));
    return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
  }
  const path = resolve(cwd, dir);
  if (!existsSync(path)) {
    mkdirSync(path, { recursive: true });
    return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
  }
  if (!statSync(path).isDirectory() || readdirSync(path).length > 0) {
    throw new InvalidInputError('--dir', `${path} is not an empty folder; name a new or empty one (the demo deletes what it makes there)`);
  }
  return { path, remove: () => readdirSync(path).forEach((entry) => rmSync(join(path, entry), { recursive: true, force: true })) };
}

async function createRepository(path: string, env: DemoOptions['env'], planner: BatonRunner): Promise<void> {
  const gitInit = await runChild('git', ['init', '-q', '--initial-branch=main'], path, childEnv(env, 'planner')).catch((error: unknown) => {
    throw new BatonError('FAILED', `could not run git (${error instanceof Error ? error.message : String(error)}); the demo needs git on PATH`);
  });
  if (gitInit.code !== 0) throw new BatonError('FAILED', `git init failed in ${path}: ${gitInit.stderr.trim()}`);
  await must(planner, ['init']);
}

/** Adds the plan through `baton add`, mapping each task's dependencies to the ids they got. */
async function seedBoard(planner: BatonRunner, plan: readonly PlannedTask[], progress: (line: string) => void, signal: AbortSignal): Promise<void> {
  const ids: number[] = [];
  for (const task of plan) {
    stopIfAborted(signal);
    const dependencyIds = task.dependsOn.map((index) => ids[index] as number);
    const added = documentOf<{ task: Task }>(await must(planner, [...addArguments(task, dependencyIds), '--json']), 'add').task;
    ids.push(added.id);
    const waits = dependencyIds.length > 0 ? `, waits on ${dependencyIds.map((id) => `#${id}`).join(' ')}` : '';
    progress(`planner added #${added.id} ${added.title} (P${added.priority}${waits})`);
  }
}

/**
 * The fleet part, after the board story: skipped with `--no-run`, or when the claude or codex
 * CLI is missing (the report then says how to get them). Its code loads only when it runs.
 */
async function fleetPartOf(options: DemoOptions, stage: Stage, planner: BatonRunner): Promise<FleetFacts> {
  if (!options.run) return { kind: 'skipped', reason: 'skipped (--no-run)' };
  const clis = findAgentClis(options.binary.script, options.env['PATH']);
  const missing = missingAgentsText(clis);
  if (missing !== null || clis.claude === undefined || clis.codex === undefined) return { kind: 'skipped', reason: missing ?? '' };
  const { runFleetStory } = await import('./fleet-part.js');
  return runFleetStory({ binary: options.binary, repo: stage.cwd, env: options.env, planner, clis: { claude: clis.claude, codex: clis.codex }, keep: options.keep, progress: stage.progress, signal: options.signal });
}

/** Starts `count` agents at once and waits for all of them; stops them on timeout or Ctrl-C. */
async function runAgents(stage: Stage, count: number, signal: AbortSignal): Promise<AgentOutcome[]> {
  stopIfAborted(signal);
  const agents = Array.from({ length: count }, (_, index) => startAgent(stage, `agent-${index + 1}`));
  stage.progress(`started ${count} agent process${count === 1 ? '' : 'es'} and a follower (\`baton watch --follow\`, which counts the events as they happen)`);
  const stopAll = (): void => agents.forEach((agent) => void agent.stop());
  const timer = setTimeout(() => {
    stage.progress(`agents still busy after ${AGENTS_TIMEOUT_MS / 1000}s; stopping them`);
    stopAll();
  }, AGENTS_TIMEOUT_MS);
  signal.addEventListener('abort', stopAll, { once: true });
  try {
    return await Promise.all(agents.map((agent) => agent.outcome));
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', stopAll);
  }
}

function stopIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new BatonError('FAILED', 'the demo was interrupted; its scratch repository is removed unless --keep was given');
}

function timed(progress: (line: string) => void, started: number): (line: string) => void {
  return (line) => progress(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);
}
