import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startModelServer } from '../../adapters/scripted-model/model-server.js';
import { BatonError } from '../../core/errors.js';
import type { Task } from '../../core/task.js';
import { EXIT } from '../exit-codes.js';
import { childEnv, documentOf, must, runChild, type BatonBinary, type BatonRunner } from './child.js';
import type { AgentClis } from './find-agents.js';
import { fleetEnv, prepareAgentHome } from './fleet-env.js';
import { readBack } from './fleet-facts.js';
import { FLEET_TASKS, fleetAddArguments, PROJECT_CONFIG, PROJECT_FILES, type FleetTask } from './fleet-project.js';
import { judgeFleet, type FleetFacts } from './fleet-report.js';
import { fleetScript } from './fleet-script.js';
import { PERSON, superviseWithPerson, type SupervisorRun } from './fleet-supervisor.js';

/*
 * The demo's second act: the fleet. A small repository with a real test and four tasks; the
 * supervisor runs them with Claude Code and Codex side by side against a scripted model served
 * from this process, the merge queue lands their work, and a person approves the one task the
 * policy holds. Loaded on demand, so the board story (and `--no-run`) never load it.
 */

export interface FleetPartOptions {
  binary: BatonBinary;
  /** The scratch repository, its board already made. */
  repo: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Runs baton commands on the scratch board, as the planner. */
  planner: BatonRunner;
  clis: Required<AgentClis>;
  /** Whether the scratch repository outlives the demo (`--keep`): only then are paths in it worth printing. */
  keep: boolean;
  progress: (line: string) => void;
  signal: AbortSignal;
}

const PARALLEL = 3;
const SUPERVISOR = 'supervisor';
const DEMO_GIT_IDENTITY = ['-c', 'user.name=baton demo', '-c', 'user.email=demo@baton.invalid'];

/** Said before the runs, whose lines carry dollar figures. */
const SCRIPTED_NOTICE =
  'the model is a script served by this demo, not Anthropic or OpenAI: no API key, nothing is charged; the $ figures are what Claude Code estimates those tokens would cost';

/** Commits the project, adds its tasks, runs the supervisor over them, and judges what it left. */
export async function runFleetStory(options: FleetPartOptions): Promise<FleetFacts> {
  const started = Date.now();
  const { repo, progress } = options;
  await commitProject(repo, options.env);
  const tasks = await addTasks(options.planner, progress);
  const server = await startModelServer(fleetScript(tasks));
  const tools = { clis: [options.clis.claude, options.clis.codex], node: options.binary.node, serverUrl: server.url };
  const crew: Crew = {
    supervisorEnv: fleetEnv(options.env, repo, SUPERVISOR, tools),
    personEnv: fleetEnv(options.env, repo, PERSON, tools),
    shown: hidePaths(repo, options.keep),
    approvalTaskId: tasks.find(({ task }) => task.role === 'shout')?.id ?? -1,
  };
  let fleet: SupervisedFleet;
  try {
    prepareAgentHome(repo, server.url);
    progress(`scripted model listening on 127.0.0.1; the agents are ${options.clis.claude} and ${options.clis.codex}`);
    progress(SCRIPTED_NOTICE);
    fleet = await superviseFleet(options, crew);
  } finally {
    await server.close();
  }
  if (options.signal.aborted) throw new BatonError('FAILED', 'the demo was interrupted; its scratch repository is removed unless --keep was given');
  const evidence = await readBack({ repo, env: options.env, planner: options.planner, node: options.binary.node, tasks, ...fleet, person: PERSON });
  return judgeFleet(evidence, `baton run --ready --parallel ${fleet.parallel}`, Date.now() - started);
}

/** Who takes part besides the agents: the supervisor and the person, and how lines are shown. */
interface Crew {
  supervisorEnv: NodeJS.ProcessEnv;
  personEnv: NodeJS.ProcessEnv;
  shown: (line: string) => string;
  approvalTaskId: number;
}

interface SupervisedFleet {
  supervisor: SupervisorRun;
  parallel: number;
  fallback: string | null;
}

/** Three runs at once; where the supervisor refuses that (no containment), one at a time, saying so. */
async function superviseFleet(options: FleetPartOptions, crew: Crew): Promise<SupervisedFleet> {
  const first = await supervise(options, crew, PARALLEL);
  if (!refusedSideBySide(first)) return { supervisor: first, parallel: PARALLEL, fallback: null };
  const fallback = `the supervisor refused --parallel ${PARALLEL}: runs side by side need containment, which is not available here; so it runs one task at a time, and no task waits for a running one or is likely to conflict`;
  options.progress(fallback);
  return { supervisor: await supervise(options, crew, 1), parallel: 1, fallback };
}

function supervise(options: FleetPartOptions, crew: Crew, parallel: number): Promise<SupervisorRun> {
  options.progress(`$ baton run --ready --parallel ${parallel}`);
  return superviseWithPerson({
    binary: options.binary,
    repo: options.repo,
    args: ['run', '--ready', '--parallel', String(parallel)],
    ...crew,
    progress: options.progress,
    signal: options.signal,
  });
}

/** The supervisor's refusal of runs side by side where containment is missing (exit 2, before it touches anything). */
function refusedSideBySide(run: SupervisorRun): boolean {
  return run.exitCode === EXIT.usage && run.lines.some((line) => line.text.includes('--parallel') && line.text.includes('need containment'));
}

async function commitProject(repo: string, env: FleetPartOptions['env']): Promise<void> {
  for (const [path, text] of Object.entries(PROJECT_FILES)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  const gitEnv = childEnv(env, 'planner');
  const steps: [string, string[]][] = [
    ['git add', ['add', '-A']],
    // The demo's own identity: the user's git may have none, and the commit is the demo's anyway.
    ['git commit', [...DEMO_GIT_IDENTITY, 'commit', '-q', '--no-verify', '--no-gpg-sign', '-m', 'textkit: truncate, titleCase, shout, and their test']],
  ];
  for (const [what, args] of steps) {
    const result = await runChild('git', args, repo, gitEnv);
    if (result.code !== 0) throw new BatonError('FAILED', `${what} failed in the scratch repository: ${result.stderr.trim()}`);
  }
}

/** Adds the fleet's tasks, saying for each which agent will take it and why. */
async function addTasks(planner: BatonRunner, progress: (line: string) => void): Promise<{ id: number; task: FleetTask }[]> {
  progress('committed textkit (index.mjs, text.mjs, test.mjs, test/, baton.config.json) and added its tasks:');
  const added: { id: number; task: FleetTask }[] = [];
  for (const task of FLEET_TASKS) {
    const { id } = documentOf<{ task: Task }>(await must(planner, fleetAddArguments(task)), 'add').task;
    added.push({ id, task });
    progress(`  #${id} ${task.title} (P${task.priority}; ${agentReason(task)}; declares ${task.resources.join(', ')})`);
  }
  return added;
}

function agentReason(task: FleetTask): string {
  const label = task.labels.find((name) => name.startsWith('agent:'));
  if (label !== undefined) return `${label.slice('agent:'.length)} by its label ${label}`;
  const rule = PROJECT_CONFIG.fleet.agents.find((candidate) => task.labels.includes(candidate.label));
  if (rule !== undefined) return `${rule.agent} by the config's fleet.agents rule for the label ${rule.label}`;
  return `${PROJECT_CONFIG.agent.name}, the config's agent`;
}

/** Paths in the scratch repository are shown as `<scratch>/...` unless it is kept: they are gone once the demo ends. */
function hidePaths(repo: string, keep: boolean): (line: string) => string {
  if (keep) return (line) => line;
  const roots = [...new Set([repo, realpathSync(repo)])].sort((a, b) => b.length - a.length);
  return (line) => roots.reduce((text, root) => text.split(root).join('<scratch>'), line);
}
