// The fleet: the supervisor (`baton run --ready`) and the merge queue, on a repository of 5,000
// files, with a stand-in agent that works for a moment and adds a file of its task's own.
//   - dispatch latency: a task becomes ready (its `baton add` commits) → its agent process starts,
//     with a supervisor already watching (`--watch`); target ≤ 1 s;
//   - resident memory of the supervisor process with 8 runs at once; target ≤ 250 MB;
//   - the merge queue's own time per landed task: `baton merge` of 8 tasks in review, all but the
//     check commands it ran (their durations, from the queue's evidence); target ≤ 1 s;
//   - batching: 20 green tasks landed with `merge.batch` 8: how many check runs; target ≤ 6.
// Prints a Markdown table and writes bench/results/fleet.json. Run with `npm run bench:fleet`.
// Knobs: BENCH_FILES, BENCH_DISPATCHES, BENCH_AGENT_MS, BENCH_KEEP=1, TMPDIR.
import { spawn } from 'node:child_process';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BATON_BIN, cliEnv } from './lib/cli-latency.mjs';
import { intFromEnv, scratchDir } from './lib/config.mjs';
import { machineInfo, sourceInfo } from './lib/machine.mjs';
import { runChecked, timeCommand } from './lib/run-command.mjs';
import { buildSourceRepository } from './lib/source-tree.mjs';
import { markdownTable, median, percentile, round } from './lib/stats.mjs';
import { REPO_ROOT } from './lib/store-api.mjs';

const config = {
  files: intFromEnv('BENCH_FILES', 5_000),
  dispatches: intFromEnv('BENCH_DISPATCHES', 10),
  agentMs: intFromEnv('BENCH_AGENT_MS', 1_200),
};
const TARGETS = { dispatchMs: 1_000, rssMB: 250, mergeOverheadMs: 1_000, batchCheckRuns: 6 };
const AGENT = 'bench-fleet';
const AGENT_SCRIPT = new URL('./lib/fleet-agent.sh', import.meta.url).pathname;
const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const env = { ...cliEnv(AGENT), BENCH_AGENT_SECONDS: (config.agentMs / 1000).toFixed(2) };
const baton = (repo, args) => runChecked(process.execPath, [BATON_BIN, ...args], { cwd: repo, env, timeoutMs: 600_000 });

function project(work, name, merge = {}) {
  const repo = join(work, name);
  const projectConfig = { checks: [{ id: 'noop', run: 'true' }], agent: { name: `cmd:${AGENT_SCRIPT}` }, merge };
  buildSourceRepository(repo, config.files, { 'baton.config.json': `${JSON.stringify(projectConfig, null, 2)}\n`, 'README.md': '# Bench project\n' });
  baton(repo, ['init']);
  return repo;
}

/** A task declaring the file its agent adds (named by the task's id, which `add` gives). */
function addTask(repo, title) {
  const next = JSON.parse(baton(repo, ['list', '--all', '--json']).stdout).tasks.reduce((max, task) => Math.max(max, task.id), 0) + 1;
  const { stdout } = baton(repo, ['add', title, '--json', '-r', `adds:file:src/fleet/task-${next}.txt`]);
  const task = JSON.parse(stdout).task;
  if (task.id !== next) throw new Error(`expected task #${next}, got #${task.id}`);
  return task;
}

/** When the agent of a task's first run started, from its own line in the evidence. */
function agentStartMs(repo, taskId) {
  const text = readFileSync(join(repo, '.git', 'baton', 'runs', String(taskId), '1', 'attempt-1', 'stream.jsonl'), 'utf8');
  const found = /bench-start (\d+)/.exec(text);
  if (!found) throw new Error(`task #${taskId}: no bench-start line in its evidence`);
  return Number(BigInt(found[1]) / 1000n) / 1000;
}

function startSupervisor(repo, args) {
  const child = spawn(process.execPath, [BATON_BIN, 'run', '--ready', ...args], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

async function waitFor(condition, timeoutMs, what) {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function rssMB(pid) {
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? null : (Number(kib) * 1024) / 1e6;
  } catch {
    return null;
  }
}

/** Dispatch latency: a watching supervisor, tasks added one at a time once the previous one ended. */
async function measureDispatch(work) {
  const repo = project(work, 'dispatch');
  const supervisor = startSupervisor(repo, ['--watch', '--no-land']);
  const latencies = [];
  try {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (let index = 0; index < config.dispatches; index++) {
      const task = addTask(repo, `d${index}`);
      await waitFor(() => supervisor.output().includes(`#${task.id} ended`), 120_000, `task #${task.id} to end`);
      latencies.push(agentStartMs(repo, task.id) - Date.parse(task.createdAt));
      log(`dispatch #${task.id}: ${latencies.at(-1).toFixed(0)} ms`);
    }
  } finally {
    supervisor.child.kill('SIGINT');
    await supervisor.exited;
  }
  return latencies;
}

/** Eight runs at once under one supervisor, its RSS sampled; then the queue lands the eight. */
async function measureParallelAndMerge(work) {
  const repo = project(work, 'parallel');
  const ids = Array.from({ length: 8 }, (_, index) => addTask(repo, `p${index}`).id);
  const supervisor = startSupervisor(repo, ['--parallel', '8', '--no-land']);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMB(supervisor.child.pid) ?? 0)), 100);
  const code = await supervisor.exited;
  clearInterval(sampler);
  if (code !== 0) throw new Error(`the supervisor exited ${code}:\n${supervisor.output().slice(-2000)}`);
  const spans = ids.map((id) => agentStartMs(repo, id));
  const startedWithin = Math.max(...spans) - Math.min(...spans);

  const merge = timeCommand(process.execPath, [BATON_BIN, 'merge', ...ids.map(String), '--json'], { cwd: repo, env, timeoutMs: 600_000 });
  if (merge.code !== 0) throw new Error(`baton merge exited ${merge.code}: ${merge.stdout.slice(-2000)}`);
  const landed = JSON.parse(merge.stdout).landings.filter((landing) => landing.kind === 'landed').length;
  const checkMs = ids.reduce((sum, id) => sum + checkDurationsMs(repo, id), 0);
  return { peakRssMB: peak, startedWithinMs: startedWithin, mergeWallMs: merge.ms, checkMs, landed, perTaskOverheadMs: (merge.ms - checkMs) / ids.length };
}

/** What the queue's check commands took for one task, from `[exit 0 after N ms]` in its merge evidence. */
function checkDurationsMs(repo, taskId) {
  const merges = join(repo, '.git', 'baton', 'runs', String(taskId), 'merges');
  let total = 0;
  for (const landing of readdirSync(merges)) {
    const checks = join(merges, landing, 'checks');
    for (const file of readdirSync(checks, { withFileTypes: true }).filter((entry) => entry.isFile())) {
      const found = /after (\d+) ms\]/.exec(readFileSync(join(checks, file.name), 'utf8'));
      if (found) total += Number(found[1]);
    }
  }
  return total;
}

/** Twenty green tasks in review, landed with merge.batch 8: the check runs it took. */
async function measureBatching(work) {
  const repo = project(work, 'batch', { batch: 8 });
  const ids = Array.from({ length: 20 }, (_, index) => addTask(repo, `b${index}`).id);
  const supervisor = startSupervisor(repo, ['--parallel', '4', '--no-land']);
  const code = await supervisor.exited;
  if (code !== 0) throw new Error(`the supervisor exited ${code}:\n${supervisor.output().slice(-2000)}`);
  const merge = runChecked(process.execPath, [BATON_BIN, 'merge', ...ids.map(String), '--json'], { cwd: repo, env, timeoutMs: 600_000 });
  const doc = JSON.parse(merge.stdout);
  return { tasks: ids.length, landed: doc.landings.filter((landing) => landing.kind === 'landed').length, checkRuns: doc.checkRuns, wallMs: merge.ms };
}

const machine = machineInfo();
const source = sourceInfo(REPO_ROOT);
const work = scratchDir('baton-bench-fleet-');
log(`${config.files}-file repositories in ${work}`);
const dispatch = await measureDispatch(work);
const parallel = await measureParallelAndMerge(work);
const batching = await measureBatching(work);
const loadAtEnd = (await import('node:os')).loadavg().map((value) => round(value));

const met = (ok) => (ok ? 'met' : '**not met**');
const rows = [
  ['dispatch latency: ready → agent started (watching supervisor)', `${round(median(dispatch), 0)} ms median, ${round(percentile(dispatch, 90), 0)} ms p90, ${round(Math.max(...dispatch), 0)} ms max (n=${dispatch.length})`, `≤ ${TARGETS.dispatchMs} ms`, met(Math.max(...dispatch) <= TARGETS.dispatchMs)],
  ['supervisor resident memory, 8 runs at once', `${round(parallel.peakRssMB, 1)} MB peak (8 agents started within ${round(parallel.startedWithinMs, 0)} ms)`, `≤ ${TARGETS.rssMB} MB`, met(parallel.peakRssMB <= TARGETS.rssMB)],
  ['merge queue overhead per landed task (8 tasks, checks excluded)', `${round(parallel.perTaskOverheadMs, 0)} ms (${round(parallel.mergeWallMs, 0)} ms in all, ${round(parallel.checkMs, 0)} ms of checks, ${parallel.landed} landed)`, `≤ ${TARGETS.mergeOverheadMs} ms`, met(parallel.perTaskOverheadMs <= TARGETS.mergeOverheadMs)],
  ['check runs to land 20 green tasks, merge.batch 8', `${batching.checkRuns} (${batching.landed} landed in ${round(batching.wallMs / 1000, 1)} s)`, `≤ ${TARGETS.batchCheckRuns}`, met(batching.checkRuns <= TARGETS.batchCheckRuns && batching.landed === batching.tasks)],
];
const table = markdownTable(['fleet', 'result', 'target', ''], rows);
process.stdout.write(`${table}\n`);
mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(REPO_ROOT, 'bench', 'results', 'fleet.json'),
  `${JSON.stringify({ bench: 'fleet', machine: { ...machine, loadAverageAtEnd: loadAtEnd }, source, config, targets: TARGETS, dispatchMs: dispatch.map((value) => round(value, 1)), parallel, batching, table }, null, 2)}\n`,
);
