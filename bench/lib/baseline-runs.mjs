// One `baton run` of the baseline bench on the small Node project, timed from outside and taken
// apart with what baton printed (the containment and baseline lines) and the evidence it left
// (setup.log, verdict.json).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BATON_BIN, cliEnv } from './cli-latency.mjs';
import { buildNodeProject, MODULES, modulePath } from './node-project.mjs';
import { runChecked, tail, timeCommand } from './run-command.mjs';

const AGENT = 'bench-baseline';
/** GNU time, for the CPU time of a run and everything it waited for; null where it is missing. */
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/*
 * A stand-in agent: one passing change (a new helper appended to the module its task is about,
 * named by $BENCH_MODULE) and out. It runs in the task's worktree.
 */
const AGENT_SCRIPT = `#!/bin/sh
file="src/mod-$BENCH_MODULE.js"
printf '\\n/** The larger of two numbers (task %s). */\\nexport function larger%s(a, b) {\\n  return a > b ? a : b;\\n}\\n' "$BENCH_TASK" "$BENCH_TASK" >> "$file"
echo "added larger$BENCH_TASK to $file"
`;

/**
 * The project in `dir` with `setup` (null: none) and `check` as its one check, the board
 * initialised, the agent script beside the repository. Returns paths, the suite's size, and how
 * many commands a one-attempt run starts contained (setup, the agent, each check).
 */
export async function setUpBaselineRepo(dir, { setup, check }) {
  const repo = join(dir, 'repo');
  const tools = join(dir, 'tools');
  const config = { ...(setup ? { setup } : {}), checks: [{ id: 'test', run: check }] };
  const tests = await buildNodeProject(repo, config);
  mkdirSync(tools, { recursive: true });
  const agent = join(tools, 'agent.sh');
  writeFileSync(agent, AGENT_SCRIPT);
  chmodSync(agent, 0o755);
  runChecked(process.execPath, [BATON_BIN, 'init'], { cwd: repo, env: cliEnv(AGENT) });
  return { repo, tools, agent: `cmd:${agent}`, tests, wrappedPerAttempt: (setup ? 1 : 0) + 1 + config.checks.length };
}

/** Adds a task about module `module`; returns its id. */
export function addTask(repo, module) {
  const path = modulePath(module % MODULES);
  const args = ['add', `Add a larger() helper to ${path}`, '--json', '-d', `Export a helper returning the larger of two numbers from ${path}.`, '--acceptance', 'npm test passes', '--resource', `modifies:file:${path}`];
  const { stdout } = runChecked(process.execPath, [BATON_BIN, ...args], { cwd: repo, env: cliEnv(AGENT) });
  const parsed = JSON.parse(stdout);
  return (parsed.task ?? parsed).id;
}

/** `node -e 0` in the repository, as the reference for starting a process on this machine now. */
export function timeNode(repo) {
  return timeCommand(process.execPath, ['-e', '0'], { cwd: repo, env: cliEnv(AGENT) }).ms;
}

/** What `baton run` printed about the baseline: `baseline: ran command:test (1.2 s)`. */
export function parseBaselineLine(stderr) {
  const line = stderr.split('\n').find((text) => text.startsWith('baseline: '));
  if (!line) return null;
  const match = /^baseline: (ran|cached) (.+?) \(([\d.]+) s\)/.exec(line);
  return match ? { line, how: match[1], checks: match[2], printedMs: Number(match[3]) * 1000 } : { line, how: 'other', checks: null, printedMs: null };
}

/**
 * `baton run ID` passing at its first attempt, with containment on (the default) or off
 * (`BATON_CONTAINMENT=off`). Returns the wall time, the baseline line, the setup and check
 * commands' times as baton recorded them, and the containment baton reported.
 */
export function measureRun(setup, taskId, { module, containment }) {
  const env = { ...cliEnv(AGENT), BENCH_MODULE: String(module % MODULES), BENCH_TASK: String(taskId) };
  if (containment) delete env.BATON_CONTAINMENT;
  else env.BATON_CONTAINMENT = 'off';
  const run = timeWithCpu([BATON_BIN, 'run', String(taskId), '--agent', setup.agent, '--json'], { cwd: setup.repo, env, cpuFile: join(setup.tools, 'cpu.txt') });
  if (run.code !== 0) throw new Error(`baton run ${taskId} exited ${run.code}:\n${tail(run.stdout)}\n${tail(run.stderr)}`);
  const { run: record, evidence } = JSON.parse(run.stdout);
  if (record.status !== 'succeeded' || record.attempts.length !== 1) {
    throw new Error(`baton run ${taskId}: expected success at attempt 1, got ${record.status} after ${record.attempts.length}: ${record.reason}`);
  }
  const reported = /^containment: (.*)$/m.exec(run.stderr)?.[1] ?? '';
  if (reported.startsWith('namespaces') !== containment) throw new Error(`baton run ${taskId}: asked for containment ${containment ? 'on' : 'off'}, baton reported "${reported}"`);
  const attemptDir = join(evidence, 'attempt-1');
  return {
    taskId,
    containment: reported,
    wallMs: run.ms,
    cpuMs: run.cpuMs,
    baseCommit: record.startCommit,
    baseline: parseBaselineLine(run.stderr),
    setupMs: setupDurationMs(attemptDir),
    checkMs: checkDurationMs(attemptDir),
    attemptMs: record.attempts[0].durationMs,
    worktree: record.worktree,
  };
}

/**
 * A Node command's wall time, and with GNU time its CPU time (user + system, 10 ms steps) with
 * that of every process it started and waited for: the agent, the checks, setup, git. CPU time
 * is less at the mercy of other load on the machine than wall time.
 */
function timeWithCpu(args, { cwd, env, cpuFile }) {
  if (GNU_TIME === null) return { ...timeCommand(process.execPath, args, { cwd, env }), cpuMs: null };
  const result = timeCommand(GNU_TIME, ['-o', cpuFile, '-f', '%U %S', process.execPath, ...args], { cwd, env });
  // GNU time puts "Command exited with non-zero status" first when it did.
  const [user, system] = readFileSync(cpuFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { ...result, cpuMs: (user + system) * 1000 };
}

/** The setup command's time from setup.log (`[exit 0 after 812 ms]`); null without one. */
function setupDurationMs(dir) {
  const file = join(dir, 'setup.log');
  if (!existsSync(file)) return null;
  const match = /\[exit \S+ after (\d+) ms\]\s*$/.exec(readFileSync(file, 'utf8'));
  return match ? Number(match[1]) : null;
}

/** What the check commands took in the attempt, as baton recorded them in verdict.json. */
function checkDurationMs(dir) {
  const verdict = JSON.parse(readFileSync(join(dir, 'verdict.json'), 'utf8'));
  return verdict.outcomes.filter((outcome) => outcome.kind === 'command').reduce((sum, outcome) => sum + outcome.durationMs, 0);
}

/** The baselines baton keeps for this repository (one file per base commit and check). */
export function baselineFiles(repo) {
  const dir = join(repo, '.git', 'baton', 'baselines');
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')) : [];
}

/** Removes a run's worktree (not timed). */
export function removeWorktree(repo, worktree) {
  const result = spawnSync('git', ['worktree', 'remove', '--force', worktree], { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git worktree remove ${worktree}: ${result.stderr}`);
}
