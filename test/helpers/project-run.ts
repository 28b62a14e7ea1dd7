/**
 * A run of `baton run` with a real agent CLI (Claude Code or Codex from node_modules/.bin)
 * against the scripted model server, on a small real project the test describes: its files
 * and baton.config.json committed on main, task #1 added with the given arguments, and a
 * folder outside the repository (`tools`) for the files the scripted agent copies in. What the
 * run leaves behind is read the way a person would: run records, evidence, the task, the task
 * branch, the processes, and what the model was sent.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { startModelServer, type ModelServer } from '../../src/adapters/scripted-model/model-server.js';
import { say, type ConversationView, type Script, type Turn } from '../../src/adapters/scripted-model/script.js';
import type { RunRecord } from '../../src/core/run/run-record.js';
import { agentEnv } from './agent-env.js';
import { baton, batonAsync, git, json, makeRepo, type BatonResult } from './baton.js';
import { sharedTempDir } from './sandbox-share.js';

export const AGENTS = ['claude', 'codex'] as const;
export type AgentName = (typeof AGENTS)[number];

/** Words of baton's prompts that tests look for. */
export const RETRY = 'Previous attempt failed because';
export const REVERTED = 'Baton reverted every change';
export const ALREADY_FAILING = 'Already failing before this task';

/**
 * Codex keeps its commands inside the worktree on its own; an adversarial agent is one without
 * that sandbox, so only baton's own defences are tested.
 */
const CODEX_WITHOUT_ITS_SANDBOX = ['--dangerously-bypass-approvals-and-sandbox'];

export interface ProjectSpec {
  /** Files committed on main (paths relative to the repository); executables end in `.sh`. */
  files: Record<string, string>;
  /** baton.config.json, committed with the files. */
  config: Record<string, unknown>;
  /** The arguments of `baton add` for task #1 (its title first). */
  task: string[];
  /** Files put in `tools`, outside the repository, for the scripted agent to copy. */
  tools?: Record<string, string>;
  /** The model's turns; given the tools folder, so a turn can copy from it. */
  script: (tools: string) => Script;
  /** More variables for baton, the agent and the checks (a toolchain's own). */
  env?: Record<string, string>;
  /** Registers what to undo after the test. */
  defer: (cleanup: () => Promise<void> | void) => void;
}

export interface ProjectRun {
  agent: AgentName;
  dir: string;
  tools: string;
  /** The HOME baton and the agent are given (a folder of the test's own). */
  home: string;
  server: ModelServer;
  /** `baton run 1 --agent <agent> --json` plus flags, as a user would type it. */
  run(...flags: string[]): Promise<BatonResult>;
  cli(...args: string[]): BatonResult;
  /** run.json of the task's first run. */
  record(): RunRecord;
  attemptFile(attempt: number, name: string): string;
  taskStatus(): string;
  /** The notes on the task, oldest first. */
  notes(): string[];
  /** A file as the task branch holds it (`git show branch:path`). */
  onBranch(path: string): string;
  /** The prompt of each attempt as the model received it, in order. */
  prompts(): string[];
}

/** Sets up the repository, the board with task #1, and a model server playing the script. */
export async function setUpProject(agent: AgentName, spec: ProjectSpec): Promise<ProjectRun> {
  const repo = makeRepo('baton-verdict-');
  spec.defer(repo.cleanup);
  const { dir } = repo;
  const home = mkdtempSync(join(tmpdir(), 'baton-verdict-home-'));
  spec.defer(() => rmSync(home, { recursive: true, force: true }));
  const tools = sharedTempDir('baton-verdict-tools-');
  spec.defer(() => rmSync(tools, { recursive: true, force: true }));
  writeFiles(tools, spec.tools ?? {});
  const server = await startModelServer(spec.script(tools));
  spec.defer(() => server.close());
  const env = agentEnv(server, home, spec.env ?? {});

  writeFiles(dir, spec.files);
  const config = { ...spec.config, ...(agent === 'codex' ? { agent: { args: CODEX_WITHOUT_ITS_SANDBOX } } : {}) };
  writeFileSync(join(dir, 'baton.config.json'), `${JSON.stringify(config, null, 2)}\n`);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'initial']);
  const cli = (...args: string[]): BatonResult => baton(args, { cwd: dir, env });
  expect(cli('init').code).toBe(0);
  const added = cli('add', ...spec.task);
  expect(added.code, added.stderr).toBe(0);

  const runDir = join(dir, '.git', 'baton', 'runs', '1', '1');
  const record = (): RunRecord => JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunRecord;
  return {
    agent,
    dir,
    tools,
    home: env.HOME as string,
    server,
    run: (...flags) => batonAsync(['run', '1', '--agent', agent, '--json', ...flags], { cwd: dir, env }),
    cli,
    record,
    attemptFile: (attempt, name) => readFileSync(join(runDir, `attempt-${attempt}`, name), 'utf8'),
    taskStatus: () => json<{ task: { status: string } }>(cli('show', '1', '--json')).task.status,
    notes: () => json<{ notes: { body: string }[] }>(cli('show', '1', '--json')).notes.map((note) => note.body),
    onBranch: (path) => git(dir, ['show', `${record().branch}:${path}`]),
    prompts: () => server.conversation().flatMap((request) => (request.view && opensAttempt(request.view) ? [request.view.prompt] : [])),
  };
}

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    if (path.endsWith('.sh')) chmodSync(file, 0o755);
  }
}

/** A request that opens an attempt: a prompt, no tool output yet. */
export const opensAttempt = (view: ConversationView): boolean => view.toolResults.length === 0;

/** Which attempt a prompt opens (`This is attempt N of at most M`); 0 when it does not say. */
export function attemptOf(view: ConversationView): number {
  return Number(/This is attempt (\d+) of at most/.exec(view.prompt)?.[1] ?? 0);
}

/**
 * The model's side of a run: attempt N runs `commands[N-1]` (one shell call; a missing entry
 * repeats the last), then says it is done once the command's output is back.
 */
export function byAttempt(...commands: string[]): Script {
  const turns: Turn[] = commands.map((command, index) => ({
    kind: 'message',
    toolCalls: [{ kind: 'shell', command }],
    times: index === commands.length - 1 ? Infinity : 1,
    when: (view) => opensAttempt(view) && (index === commands.length - 1 ? attemptOf(view) >= index + 1 : attemptOf(view) === index + 1),
  }));
  return [...turns, { ...say('Done.'), when: (view) => view.toolResults.length > 0, times: Infinity }];
}

/** What went wrong, for assertion messages: baton's exit code and output (progress is on stderr with --json). */
export function explain(result: BatonResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout.slice(-3000)}\n--- stderr\n${result.stderr.slice(-3000)}`;
}

/** `cp` of a file prepared in `tools` to `path` in the worktree. */
export function copy(tools: string, name: string, path: string): string {
  return `cp '${join(tools, name)}' ${path}`;
}

/** Baton's watchdog waits out its kill grace (3 s) for process groups only zombies are left in. */
const WATCHDOG_GONE_WITHIN_MS = 5_000;

/**
 * Nothing of the run is left running: in the worktree the moment baton is done (not the agent,
 * not a check, not what either started in the background), and in the repository at all once
 * baton's watchdog, which exits on its own when baton's pipe closes, has seen it close.
 */
export async function expectNothingLeft(run: Pick<ProjectRun, 'dir' | 'record'>): Promise<void> {
  const describe = (pids: number[]): string[] => pids.map((pid) => `${pid}: ${commandLine(pid)}`);
  expect(describe(processesIn(run.record().worktree))).toEqual([]);
  const deadline = Date.now() + WATCHDOG_GONE_WITHIN_MS;
  let left = processesIn(run.dir);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
    left = processesIn(run.dir);
  }
  expect(describe(left)).toEqual([]);
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '(gone)';
  }
}

/** The failure check ids of each attempt of the task's first run, in order. */
export function failureIds(run: Pick<ProjectRun, 'record'>): string[][] {
  return run.record().attempts.map((attempt) => attempt.failures.map((failure) => failure.checkId));
}

/** Live processes (zombies excluded) whose working directory is `dir` or inside it. */
export function processesIn(dir: string): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      return (cwd === dir || cwd.startsWith(`${dir}/`)) && state !== 'Z' && state !== 'X' ? [Number(entry)] : [];
    } catch {
      return []; // gone meanwhile, or not ours to read
    }
  });
}

/**
 * The `project(agent, shape, script)` a test file sets its scenarios up with: each project and
 * its model server are removed after the test that made it. Call once, at the file's top level.
 */
export function projectsPerTest(): (agent: AgentName, shape: Omit<ProjectSpec, 'script' | 'defer'>, script: ProjectSpec['script']) => Promise<ProjectRun> {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return (agent, shape, script) => setUpProject(agent, { ...shape, script, defer: (cleanup) => void cleanups.push(cleanup) });
}

/** Each attempt's verdict, in order. */
export function verdicts(run: ProjectRun): string[] {
  return run.record().attempts.map((attempt) => attempt.verdict);
}
