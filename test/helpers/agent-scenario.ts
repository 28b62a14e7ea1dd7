/**
 * A scenario of `baton run` with a real agent CLI (Claude Code, Codex, or Qwen Code over ACP,
 * from node_modules/.bin) against the scripted model server: a repository holding greeting.txt
 * ("nothing"), README.md and a check script, a committed baton.config.json whose one check wants
 * greeting.txt to say hello, task #1 declaring greeting.txt as the file it modifies, and views
 * of what a run leaves behind (run records, evidence, the feed, the task, the processes).
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startModelServer, type ModelServer } from '../../src/adapters/scripted-model/model-server.js';
import { say, type ConversationView, type Script, type Turn } from '../../src/adapters/scripted-model/script.js';
import type { RunRecord } from '../../src/core/run/run-record.js';
import { groupLeft, qwenModelArgs, writeQwenSettings } from '../model-server/agent-cli.js';
import { agentEnv } from './agent-env.js';
import { baton, batonAsync, git, json, makeRepo, type BatonResult } from './baton.js';
import { sharedTempDir } from './sandbox-share.js';

export const AGENTS = ['claude', 'codex'] as const;
export type AgentName = (typeof AGENTS)[number];
/** The built-in agents, or `qwen`: Qwen Code as an ACP agent (`acp:qwen --acp ...`) pointed at the scenario's server. */
export type ScenarioAgent = AgentName | 'qwen';

/** What `baton run --agent` is given for `agent`. */
export function agentFlag(agent: ScenarioAgent, server: Pick<ModelServer, 'url'>): string {
  return agent === 'qwen' ? `acp:qwen --acp ${qwenModelArgs(server).join(' ')}` : agent;
}

export const TASK_TITLE = 'Greet the world';
export const BRANCH = 'baton/1-greet-the-world';
export const WORKTREE_NAME = '1-greet-the-world';
export const RETRY = 'Previous attempt failed because';
/** The check's own words when greeting.txt says hallo: the feedback an agent must be shown. */
export const HALLO_FAILURE = 'expected hello, got hallo';
const CHECK_SCRIPT = 'got=$(cat greeting.txt)\nif [ "$got" = hello ]; then echo ok; else echo "expected hello, got $got"; exit 1; fi\n';

/** A fresh prompt (no tool output yet): the start of an attempt. */
export const fresh = (view: ConversationView): boolean => view.toolResults.length === 0;
export const isRetry = (view: ConversationView): boolean => view.prompt.includes(RETRY);
/** A shell command writing `text` and a newline to `file` (greeting.txt by default). */
export const write = (text: string, file = 'greeting.txt'): string => `printf '${text}\\n' > ${file}`;

/** Every attempt: the given turns, then a closing text turn once the tool output is back. */
export function attempts(...turns: Turn[]): Script {
  return [...turns, { ...say('Done.'), when: (view) => view.toolResults.length > 0, times: Infinity }];
}

export interface ScenarioOptions {
  /** `budgets` of baton.config.json. */
  budgets?: Record<string, unknown>;
  /** More of baton.config.json. */
  config?: Record<string, unknown>;
  /** More environment for baton (and so for the agent), e.g. `BATON_CONTAINMENT: 'off'`. */
  env?: Record<string, string>;
  /** More `baton add` argument lists, for tasks #2, #3... */
  moreTasks?: string[][];
  /**
   * Whether Codex keeps its own sandbox (`--sandbox workspace-write`, as baton runs it; the
   * default). Off, Codex writes wherever its commands try to, so a test of an adversarial
   * agent tests baton's defences rather than Codex's.
   */
  codexSandbox?: boolean;
  /** Registers what to undo after the test. */
  defer: (cleanup: () => Promise<void> | void) => void;
}

/** Where things are, for scripts whose commands name absolute paths. */
export interface ScenarioPaths {
  /** The main checkout. */
  dir: string;
  /** Task #1's worktree, once a run makes it. */
  worktree: string;
  /** A folder outside the repository for the test's own files (markers, helper scripts). */
  tools: string;
}

export interface Scenario extends ScenarioPaths {
  agent: ScenarioAgent;
  /** The `--agent` value (the agent's name in the run record). */
  agentFlag: string;
  server: ModelServer;
  /** The environment baton runs with (the agent's, plus what the options add). */
  env: Record<string, string>;
  /** `baton run 1 --agent <agentFlag> --json` plus flags, as a user would type it. */
  run(...flags: string[]): Promise<BatonResult>;
  cli(...args: string[]): BatonResult;
  /** run.json of the task's run (the first one by default). */
  record(run?: number): RunRecord;
  attemptFile(attempt: number, name: string, run?: number): string;
  events(): { type: string; payload: Record<string, unknown> }[];
  taskStatus(): string;
  /** The notes on the task, oldest first. */
  notes(): string[];
}

/** Codex's own switch for running its commands without its sandbox. */
const CODEX_WITHOUT_ITS_SANDBOX = ['--dangerously-bypass-approvals-and-sandbox'];

/** The repository, the board with task #1, and a model server playing `script`. */
export async function setUpScenario(agent: ScenarioAgent, script: Script | ((paths: ScenarioPaths) => Script), options: ScenarioOptions): Promise<Scenario> {
  const repo = makeRepo('baton-run-');
  options.defer(repo.cleanup);
  const { dir } = repo;
  const home = mkdtempSync(join(tmpdir(), 'baton-run-home-'));
  options.defer(() => rmSync(home, { recursive: true, force: true }));
  const tools = sharedTempDir('baton-run-tools-');
  options.defer(() => rmSync(tools, { recursive: true, force: true }));
  const worktree = join(dir, '.baton', 'worktrees', WORKTREE_NAME);
  const server = await startModelServer(typeof script === 'function' ? script({ dir, worktree, tools }) : script);
  options.defer(() => server.close());
  const env = { ...agentEnv(server, home), ...options.env };
  if (agent === 'qwen') writeQwenSettings(env.HOME ?? join(home, 'home'));

  writeFileSync(join(dir, 'greeting.txt'), 'nothing\n');
  writeFileSync(join(dir, 'README.md'), '# Greetings\n');
  writeFileSync(join(dir, 'check.sh'), CHECK_SCRIPT);
  const config = {
    checks: [{ id: 'greeting', run: 'sh check.sh', files: ['check.sh'] }],
    budgets: options.budgets ?? {},
    ...(agent === 'codex' && options.codexSandbox === false ? { agent: { args: CODEX_WITHOUT_ITS_SANDBOX } } : {}),
    ...options.config,
  };
  writeFileSync(join(dir, 'baton.config.json'), `${JSON.stringify(config, null, 2)}\n`);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'initial']);
  const cli = (...args: string[]): BatonResult => baton(args, { cwd: dir, env });
  expect(cli('init').code).toBe(0);
  expect(cli('add', TASK_TITLE, '--resource', 'modifies:file:greeting.txt').code).toBe(0);
  for (const args of options.moreTasks ?? []) expect(cli('add', ...args).code).toBe(0);

  const runDir = join(dir, '.git', 'baton', 'runs', '1');
  return {
    agent,
    agentFlag: agentFlag(agent, server),
    dir,
    server,
    env,
    worktree,
    tools,
    run: (...flags) => batonAsync(['run', '1', '--agent', agentFlag(agent, server), '--json', ...flags], { cwd: dir, env }),
    cli,
    record: (run = 1) => JSON.parse(readFileSync(join(runDir, String(run), 'run.json'), 'utf8')) as RunRecord,
    attemptFile: (attempt, name, run = 1) => readFileSync(join(runDir, String(run), `attempt-${attempt}`, name), 'utf8'),
    events: () => json<{ events: { type: string; payload: Record<string, unknown> }[] }>(cli('log', '1', '--json')).events,
    taskStatus: () => json<{ task: { status: string } }>(cli('show', '1', '--json')).task.status,
    notes: () => json<{ notes: { body: string }[] }>(cli('show', '1', '--json')).notes.map((note) => note.body),
  };
}

/** What went wrong, for assertion messages: baton's exit code and output (progress is on stderr with --json). */
export function explain(result: BatonResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout.slice(-3000)}\n--- stderr\n${result.stderr.slice(-3000)}`;
}

/** Conversation requests that opened an attempt (a prompt, no tool output), in order. */
export function attemptOpenings(server: ModelServer): ConversationView[] {
  return server.conversation().flatMap((request) => (request.view && fresh(request.view) ? [request.view] : []));
}

/** Everything the model was sent back as tool output, over the whole conversation. */
export function toolOutputs(server: ModelServer): string {
  return server.conversation().flatMap((request) => request.view?.toolResults ?? []).join('\n');
}

/** Live processes (zombies excluded) whose working directory is `dir` or inside it. */
export function processesIn(dir: string): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      return (cwd === dir || cwd.startsWith(`${dir}/`)) && alive(entry) ? [Number(entry)] : [];
    } catch {
      return []; // gone meanwhile, or not ours to read
    }
  });
}

/** Live processes (zombies excluded) whose command line is exactly `argv`. */
export function processesRunning(argv: readonly string[]): number[] {
  const wanted = `${argv.join('\0')}\0`;
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      return readFileSync(`/proc/${entry}/cmdline`, 'utf8') === wanted && alive(entry) ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

function alive(pid: string): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  return state !== 'Z' && state !== 'X';
}

/**
 * Collects the agent process groups a run records in run.json while its agent runs (the record
 * says null once the attempt is over); call the returned function to stop watching.
 */
export function watchAgentGroups(scenario: Pick<Scenario, 'dir'>, defer: ScenarioOptions['defer'], run = 1): { pgids: Set<number>; stop: () => void } {
  const runJson = join(scenario.dir, '.git', 'baton', 'runs', '1', String(run), 'run.json');
  const pgids = new Set<number>();
  const timer = setInterval(() => {
    try {
      const pgid = (JSON.parse(readFileSync(runJson, 'utf8')) as RunRecord).agentPgid;
      if (pgid !== null) pgids.add(pgid);
    } catch {
      // not written yet, or being replaced
    }
  }, 50);
  const stop = (): void => clearInterval(timer);
  defer(stop);
  return { pgids, stop };
}

/** Nothing a run started is left: no process in the agent's groups (seen while it ran), none working in the worktree. */
export async function expectNothingLeft(worktree: string, pgids: ReadonlySet<number>): Promise<void> {
  expect(pgids.size).toBeGreaterThan(0);
  for (const pgid of pgids) expect(await groupLeft(pgid)).toEqual([]);
  expect(processesIn(worktree)).toEqual([]);
}
