// One `baton run` of the runner bench, timed from outside and taken apart with the evidence it
// leaves: the agent script's own timestamps, the check durations baton recorded, the run record.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BATON_BIN, cliEnv } from './cli-latency.mjs';
import { runChecked, tail, timeCommand } from './run-command.mjs';
import { buildSourceRepository, sourceFilePath } from './source-tree.mjs';

export const REPORT_RSS = new URL('./report-rss.cjs', import.meta.url).pathname;
/** The file the second check looks for; the agent writes it from attempt BENCH_PASS_FROM on. */
export const OUTPUT_FILE = 'src/feature/bench-output.ts';
/** The files every task declares and every attempt edits. */
export const EDITED_FILES = [sourceFilePath(137), sourceFilePath(2_404), sourceFilePath(4_871)];
const AGENT = 'bench-runner';

const CONFIG = {
  checks: [
    { id: 'noop', run: 'true' },
    { id: 'output', run: `test -f ${OUTPUT_FILE}` },
  ],
  budgets: { maxAttempts: 3 },
};

/*
 * The stand-in agent (runner-agent.sh, beside this file): prints when it starts and ends
 * (nanoseconds since the epoch) to its stdout, which baton keeps in the attempt's evidence,
 * thinks for $BENCH_AGENT_SECONDS, edits the declared files, and writes the output file from
 * attempt $BENCH_PASS_FROM on (the prompt says which attempt it is). It lives here, not in the
 * scratch folder, and writes no log of its own: the sandbox gives it temporary folders of its
 * own, so nothing under /tmp outside the repository reaches it.
 * Thinking for over a second matters: git holds files written in the same second as its index
 * (the new worktree's checkout) as "racily clean" and hashes them all again on every command,
 * which no real agent, busy for seconds at least, would let baton see.
 */
const AGENT_SCRIPT = new URL('./runner-agent.sh', import.meta.url).pathname;

/**
 * The bench repository: `files` source files and the config committed, the board initialised,
 * the agent script in `tools` (outside the repository). Returns paths and the tree's size.
 */
export function setUpRunnerRepo(work, files) {
  const repo = join(work, 'repo');
  const tools = join(work, 'tools');
  const bytes = buildSourceRepository(repo, files, { 'baton.config.json': `${JSON.stringify(CONFIG, null, 2)}\n`, 'README.md': '# Bench project\n' });
  mkdirSync(tools, { recursive: true });
  runChecked(process.execPath, [BATON_BIN, 'init'], { cwd: repo, env: cliEnv(AGENT) });
  return { repo, tools, agent: `cmd:${AGENT_SCRIPT}`, bytes };
}

/** Adds a task declaring the edited files and the output file; returns its id. */
export function addTask(repo, title) {
  const resources = [...EDITED_FILES.map((path) => `modifies:file:${path}`), `adds:file:${OUTPUT_FILE}`];
  const args = ['add', title, '--json', '-d', 'Edit the three modules and add the output file.', '--acceptance', 'the output file exists'];
  for (const resource of resources) args.push('--resource', resource);
  const { stdout } = runChecked(process.execPath, [BATON_BIN, ...args], { cwd: repo, env: cliEnv(AGENT) });
  const parsed = JSON.parse(stdout);
  return (parsed.task ?? parsed).id;
}

/** ru_maxrss is in KiB; the target is in MB (10^6 bytes). */
const KIB_TO_MB = 1024 / 1e6;
const epochMs = () => performance.timeOrigin + performance.now();
const nsToMs = (text) => Number(BigInt(text) / 1000n) / 1000;

/**
 * Runs a Node command with the RSS preload in NODE_OPTIONS, so Node processes it starts report
 * too. Returns its wall time and exit, its own peak RSS and its Node children's, in MB.
 */
export function timeNode(args, { cwd, env, rssDir, awaitTitles = [] }) {
  rmSync(rssDir, { recursive: true, force: true });
  mkdirSync(rssDir, { recursive: true });
  const result = timeCommand(process.execPath, args, { cwd, env: { ...env, NODE_OPTIONS: `--require ${REPORT_RSS}`, BENCH_RSS_DIR: rssDir } });
  const reports = rssReports(rssDir, awaitTitles);
  const self = reports.find((report) => report.ppid === process.pid);
  const children = reports.filter((report) => report !== self).map((report) => report.maxRssKiB * KIB_TO_MB);
  return { ...result, rssMB: self ? self.maxRssKiB * KIB_TO_MB : null, childRssMB: children };
}

/** How long to wait for a process that outlives baton by a moment (the watchdog) to report. */
const LATE_REPORT_WAIT_MS = 2_000;

/** The RSS reports in `dir`, once one from each of `titles` is there (or the wait is over). */
function rssReports(dir, titles) {
  const deadline = Date.now() + LATE_REPORT_WAIT_MS;
  for (;;) {
    const reports = readdirSync(dir).flatMap((name) => {
      try {
        return [JSON.parse(readFileSync(join(dir, name), 'utf8'))];
      } catch {
        return []; // Being written.
      }
    });
    if (titles.every((title) => reports.some((report) => report.title === title)) || Date.now() > deadline) return reports;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

/**
 * `baton run ID` with the stand-in agent, passing from attempt `passFrom`. Returns the wall time,
 * the agent's and the checks' own time, baton's overhead per attempt, the phases, and peak RSS.
 */
export function measureRun(setup, taskId, { passFrom, label, agentMs, bin = BATON_BIN }) {
  const gitTrace = join(setup.tools, `git-${taskId}.jsonl`);
  const env = { ...cliEnv(AGENT), BENCH_EDITED_FILES: EDITED_FILES.join(' '), BENCH_OUTPUT_FILE: OUTPUT_FILE, BENCH_PASS_FROM: String(passFrom), BENCH_AGENT_SECONDS: String(agentMs / 1000), GIT_TRACE2_EVENT: gitTrace };
  const spawnedAt = epochMs();
  const run = timeNode([bin, 'run', String(taskId), '--agent', setup.agent, '--json'], { cwd: setup.repo, env, rssDir: join(setup.tools, 'rss'), awaitTitles: ['baton-watchdog'] });
  const exitedAt = spawnedAt + run.ms;
  if (run.code !== 0) throw new Error(`${label}: baton run ${taskId} exited ${run.code}:\n${tail(run.stdout)}\n${tail(run.stderr)}`);
  const record = JSON.parse(run.stdout).run;
  if (record.status !== 'succeeded' || record.attempts.length !== passFrom) {
    throw new Error(`${label}: expected success after ${passFrom} attempt(s), got ${record.status} after ${record.attempts.length}: ${record.reason}`);
  }
  const attemptDir = (attempt) => join(setup.repo, '.git', 'baton', 'runs', String(record.taskId), String(record.run), `attempt-${attempt}`);
  const agent = agentSpans(record.attempts.map((attempt) => join(attemptDir(attempt.attempt), 'stream.jsonl')));
  const checkMs = record.attempts.map((attempt) => checkDurationMs(attemptDir(attempt.attempt)));
  const agentTotal = agent.reduce((sum, span) => sum + span.ms, 0);
  const checkTotal = checkMs.reduce((sum, ms) => sum + ms, 0);
  const overheadMs = run.ms - agentTotal - checkTotal;
  const git = gitTime(gitTrace);
  const last = agent.length - 1;
  return {
    label,
    taskId,
    attempts: record.attempts.length,
    wallMs: run.ms,
    agentMs: agentTotal,
    checkMs: checkTotal,
    overheadMs,
    overheadPerAttemptMs: overheadMs / record.attempts.length,
    rssMB: run.rssMB,
    // The watchdog: one small Node process per run, beside baton.
    watchdogRssMB: run.childRssMB.length > 0 ? Math.max(...run.childRssMB) : null,
    git,
    phases: {
      // Node start-up, config, the plan's refusals, `git worktree add`, the claim, run.json.
      toRunRecordMs: Date.parse(record.startedAt) - spawnedAt,
      // The run's board event, the prompt built and written to the attempt's evidence.
      runRecordToPromptMs: written(attemptDir(1), 'prompt.md') - Date.parse(record.startedAt),
      // The agent's prompt file, spawning its process group, the shell starting the script.
      promptToAgentMs: agent[0].startMs - written(attemptDir(1), 'prompt.md'),
      // Judging the last attempt (git diff, scope, files, report) and the checks, less their commands.
      judgeMs: written(attemptDir(last + 1), 'verdict.json') - agent[last].endMs - checkMs[last],
      // The commit for review, run.json, the board's review status, printing, exit.
      concludeMs: exitedAt - written(attemptDir(last + 1), 'verdict.json'),
      // Judging attempt 1, its checks less their commands, the checkpoint commit, attempt 2's prompt, spawning.
      betweenAttemptsMs: agent.length > 1 ? agent[1].startMs - agent[0].endMs - checkMs[0] : null,
    },
    worktree: record.worktree,
  };
}

/** When baton last wrote an evidence file (ms since the epoch). */
const written = (dir, name) => statSync(join(dir, name)).mtimeMs;

/** The agent's own [start, end] per attempt, from the timestamps its script printed (kept by baton as its stream). */
function agentSpans(streams) {
  return streams.map((stream) => {
    const text = readFileSync(stream, 'utf8');
    const mark = (kind) => {
      const found = new RegExp(`bench-${kind} (\\d+)`).exec(text);
      if (!found) throw new Error(`${stream} holds no bench-${kind} line of the agent's`);
      return nsToMs(found[1]);
    };
    const startMs = mark('start');
    const endMs = mark('end');
    return { startMs, endMs, ms: endMs - startMs };
  });
}

/**
 * The git commands baton ran, from git's own trace (GIT_TRACE2_EVENT): how many, their total
 * time, and the time of `git worktree add` (the checkout of the whole tree). Each command's
 * time is git's own, from its start to its exit; spawning it is not included.
 */
function gitTime(trace) {
  const argv = new Map();
  let totalMs = 0;
  let worktreeAddMs = 0;
  const list = [];
  for (const line of readFileSync(trace, 'utf8').split('\n')) {
    if (line === '') continue;
    const event = JSON.parse(line);
    if (event.sid.includes('/')) continue; // a git process started by git: inside its parent's time
    if (event.event === 'start') argv.set(event.sid, event.argv);
    if (event.event !== 'exit') continue;
    const ms = event.t_abs * 1000;
    const args = (argv.get(event.sid) ?? []).filter((arg) => !arg.startsWith('-'));
    list.push({ command: gitCommandName(argv.get(event.sid) ?? []), ms: Math.round(ms * 10) / 10 });
    totalMs += ms;
    if (args.includes('worktree') && args[args.indexOf('worktree') + 1] === 'add') worktreeAddMs += ms;
  }
  return { commands: list.length, totalMs, worktreeAddMs, otherMs: totalMs - worktreeAddMs, list };
}

/** `git worktree add`, `git rev-parse`...: the subcommand, without the options baton puts before it. */
function gitCommandName(argv) {
  const rest = argv.slice(1);
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '-c' || rest[i] === '-C' || rest[i] === '--git-dir') i++;
    else if (!rest[i].startsWith('-')) return rest[i] === 'worktree' ? `worktree ${rest[i + 1]}` : rest[i];
  }
  return '?';
}

/** What the check commands themselves took in one attempt, as baton recorded them in verdict.json. */
function checkDurationMs(dir) {
  const verdict = JSON.parse(readFileSync(join(dir, 'verdict.json'), 'utf8'));
  return verdict.outcomes.filter((outcome) => outcome.kind === 'command' || outcome.kind === 'verify').reduce((sum, outcome) => sum + outcome.durationMs, 0);
}

/**
 * The floor under any run's overhead: a bare `git worktree add` of the same repository on a new
 * branch (spawn to exit, as baton would pay it), kept like the runs' worktrees until the end.
 */
export function timeBareWorktreeAdd(setup, name) {
  const worktree = join(setup.tools, 'floor', name);
  const result = timeCommand('git', ['worktree', 'add', '--quiet', '--no-track', '-b', `bench-floor/${name}`, worktree, 'HEAD'], { cwd: setup.repo });
  if (result.code !== 0) throw new Error(`git worktree add ${worktree}: ${result.stderr}`);
  return { ms: result.ms, worktree };
}

/** Removes a run's worktree (not timed; the bench removes them all once every run is done). */
export function removeWorktree(repo, worktree) {
  const result = spawnSync('git', ['worktree', 'remove', '--force', worktree], { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git worktree remove ${worktree}: ${result.stderr}`);
}

