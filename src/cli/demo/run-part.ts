import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { startModelServer, type ModelServer } from '../../adapters/scripted-model/model-server.js';
import { BatonError } from '../../core/errors.js';
import { FEEDBACK_HEADING, FEEDBACK_INSTRUCTION } from '../../core/run/prompt.js';
import type { RunRecord } from '../../core/run/run-record.js';
import type { Task } from '../../core/task.js';
import { childEnv, documentOf, must, onLines, runChild, stopChild, type BatonBinary, type BatonRunner } from './child.js';
import { AGENT_FOLDER, FIRST_FAILURE, PROJECT_FILES, RUN_TASK, slugScript } from './run-project.js';
import { judgeRunPart, type RunPartFacts } from './run-report.js';
import { claudeEnvFor } from '../../adapters/scripted-model/claude-env.js';

/*
 * The demo's second act: `baton run` drives the real claude CLI, pointed at a scripted model
 * served from this process, through a task until the project's own test passes. Loaded on
 * demand, so the board story (and `--no-run`) never load the model server.
 */

export interface RunPartOptions {
  binary: BatonBinary;
  /** The scratch repository, its board already made. */
  repo: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Runs baton commands on the scratch board, as the planner. */
  planner: BatonRunner;
  claude: string;
  /** Whether the scratch repository outlives the demo (`--keep`): only then is the evidence path worth printing. */
  keep: boolean;
  progress: (line: string) => void;
  signal: AbortSignal;
}

/** Generous: the two attempts take a few seconds each; this only stops a run that hangs. */
const RUN_TIMEOUT_MS = 120_000;
const DEMO_GIT_IDENTITY = ['-c', 'user.name=baton demo', '-c', 'user.email=demo@baton.invalid'];

/** Commits the project, adds the task, and runs it with claude against the scripted model. */
export async function runAgentStory(options: RunPartOptions): Promise<RunPartFacts> {
  const { repo, planner, progress } = options;
  await commitProject(repo, options.env);
  const task = documentOf<{ task: Task }>(await must(planner, addTaskArguments()), 'add').task;
  progress(`committed a small project (slug.mjs, test.mjs, baton.config.json) and added #${task.id} ${task.title}`);
  const server = await startModelServer(slugScript());
  const command = `baton run ${task.id} --agent claude`;
  let streamed: Streamed;
  try {
    progress(`scripted model listening on ${server.url}; running \`${command}\` with ${options.claude}`);
    progress(SCRIPTED_NOTICE);
    streamed = await streamRun(options, task.id, runEnv(options, server));
  } finally {
    await server.close();
  }
  return collectFacts(options, task.id, streamed, command);
}

/** Said before the run, whose lines carry dollar figures. */
const SCRIPTED_NOTICE =
  'the model is a script served by this demo, not Anthropic: no API key, nothing is charged; the $ figures are what Claude Code estimates those tokens would cost';

function addTaskArguments(): string[] {
  const acceptance = RUN_TASK.acceptance.flatMap((criterion) => ['--acceptance', criterion]);
  return ['add', RUN_TASK.title, '--description', RUN_TASK.description, '--resource', RUN_TASK.resource, ...acceptance, '--json'];
}

async function commitProject(repo: string, env: RunPartOptions['env']): Promise<void> {
  for (const [path, text] of Object.entries(PROJECT_FILES)) writeFileSync(join(repo, path), text);
  const gitEnv = childEnv(env, 'planner');
  const steps: [string, string[]][] = [
    ['git add', ['add', '-A']],
    // The demo's own identity: the user's git may have none, and the commit is the demo's anyway.
    ['git commit', [...DEMO_GIT_IDENTITY, 'commit', '-q', '--no-verify', '--no-gpg-sign', '-m', 'slug: a stub and its test']],
  ];
  for (const [what, args] of steps) {
    const result = await runChild('git', args, repo, gitEnv);
    if (result.code !== 0) throw new BatonError('FAILED', `${what} failed in ${repo}: ${result.stderr.trim()}`);
  }
}

/**
 * The environment of `baton run`, which hands it on to claude: pointed at the scripted model,
 * with a HOME of its own in the scratch repository (none of the user's Claude settings, keys
 * or sessions), quiet (no side traffic, no updater, one retry), and allowed to bypass
 * permissions as root. Anything the user set for Claude Code or Anthropic is left out.
 */
function runEnv(options: RunPartOptions, server: ModelServer): NodeJS.ProcessEnv {
  const env = childEnv(options.env, 'runner');
  // CLAUDE_CONFIG_DIR goes too, so Claude Code keeps its settings and sessions below the demo's HOME.
  for (const name of Object.keys(env)) if (/^(ANTHROPIC_|CLAUDE_)|^CLAUDECODE$|^XDG_(CONFIG|DATA|STATE|CACHE)_HOME$|^(TMP|TEMP)$/.test(name)) delete env[name];
  const home = join(options.repo, AGENT_FOLDER, 'home');
  // Claude Code's per-user temporary folder and baton run's HOME-layer mount point go here, removed with the demo.
  const tmp = join(options.repo, AGENT_FOLDER, 'tmp');
  for (const dir of [home, tmp]) mkdirSync(dir, { recursive: true });
  // The model is on loopback: a proxy the user has set must not be asked for it.
  const noProxy = [env.NO_PROXY ?? env.no_proxy, '127.0.0.1', 'localhost'].filter(Boolean).join(',');
  return {
    ...env,
    // claude first, then this Node for the project's `node test.mjs` check.
    PATH: [dirname(options.claude), dirname(options.binary.node), env.PATH].filter(Boolean).join(delimiter),
    HOME: home,
    TMPDIR: tmp,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    ...claudeEnvFor(server.url),
  };
}

interface Streamed {
  exitCode: number;
  /** The run's evidence folder, as `baton run` named it; null when it named none. */
  evidence: string | null;
}

const EVIDENCE_LINE = /^evidence: (\S+)\s+\((baton run-log [^)]*)\)$/;

/**
 * Runs `baton run` as a child, its output streamed line by line. Without --keep the evidence
 * folder is about to be removed with the scratch repository, so its path is not shown.
 */
async function streamRun(options: RunPartOptions, taskId: number, env: NodeJS.ProcessEnv): Promise<Streamed> {
  const child = spawn(options.binary.node, [options.binary.script, 'run', String(taskId), '--agent', 'claude'], {
    cwd: options.repo,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let evidence: string | null = null;
  const show = (line: string): void => {
    const named = EVIDENCE_LINE.exec(line);
    if (named) evidence = named[1] as string;
    const shown = named && !options.keep ? `evidence: removed with the scratch repository; run with --keep to look at the evidence (\`${named[2] as string}\`)` : line;
    options.progress(`  | ${shown}`);
  };
  onLines(child.stdout, show);
  onLines(child.stderr, show);
  // SIGTERM lets baton stop claude's process group and put the task back before it exits.
  const stop = (): void => void stopChild(child);
  const timer = setTimeout(() => {
    options.progress(`\`baton run\` still going after ${RUN_TIMEOUT_MS / 1000}s; stopping it`);
    stop();
  }, RUN_TIMEOUT_MS);
  options.signal.addEventListener('abort', stop, { once: true });
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? -1));
    });
    return { exitCode, evidence };
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', stop);
  }
}

/** Reads back what the run left, through the CLI and git, and judges it. */
async function collectFacts(options: RunPartOptions, taskId: number, { exitCode, evidence }: Streamed, command: string): Promise<RunPartFacts> {
  const { planner } = options;
  const id = String(taskId);
  const record = documentOf<{ runs: RunRecord[] }>(await must(planner, ['runs', id, '--json']), 'runs').runs.at(-1) ?? null;
  const runsText = (await must(planner, ['runs', id])).stdout.trimEnd();
  const retryFeedback = record !== null && record.attempts.length > 1 ? await feedbackOfAttempt(planner, id, 2) : '';
  const taskStatus = documentOf<{ task: Task }>(await must(planner, ['show', id, '--json']), 'show').task.status;
  const review = (await must(planner, ['list', '--status', 'review'])).stdout.trimEnd();
  const branchLog = record === null ? '' : await gitLog(options, `${record.baseBranch}..${record.branch}`);
  const run =
    record === null
      ? null
      : {
          ...pick(record),
          attempts: record.attempts.map((attempt) => ({ attempt: attempt.attempt, verdict: attempt.verdict, failures: attempt.failures.map((failure) => failure.summary) })),
        };
  const problems = judgeRunPart({ exitCode, run, taskStatus, retryFeedback, expectedFailure: FIRST_FAILURE });
  return {
    kind: 'ran',
    ok: problems.length === 0,
    problems,
    claude: options.claude,
    command,
    taskId,
    exitCode,
    run,
    taskStatus,
    shown: { runs: runsText, review, branchLog },
    retryFeedback,
    evidence: options.keep ? evidence : null,
  };
}

function pick({ run, status, reason, branch, baseBranch, commit, usage }: RunRecord): Pick<RunRecord, 'run' | 'status' | 'reason' | 'branch' | 'baseBranch' | 'commit' | 'usage'> {
  return { run, status, reason, branch, baseBranch, commit, usage };
}

/** The feedback section that opens a retry's prompt, blank lines dropped. */
async function feedbackOfAttempt(planner: BatonRunner, id: string, attempt: number): Promise<string> {
  const log = await must(planner, ['run-log', id, '--attempt', String(attempt), '--json']);
  const prompt = documentOf<{ files: Record<string, string | null> }>(log, 'run-log').files['prompt.md'] ?? '';
  const start = prompt.indexOf(`## ${FEEDBACK_HEADING}`);
  if (start < 0) return '';
  const end = prompt.indexOf(FEEDBACK_INSTRUCTION, start);
  const section = prompt.slice(start, end < 0 ? undefined : end + FEEDBACK_INSTRUCTION.length);
  return section
    .split('\n')
    .filter((line) => line.trim() !== '')
    .join('\n');
}

async function gitLog(options: RunPartOptions, range: string): Promise<string> {
  const result = await runChild('git', ['log', '--stat', '--format=%h %s', range], options.repo, childEnv(options.env, 'planner'));
  return result.code === 0 ? result.stdout.trimEnd() : '';
}
