// The runner's own overhead: everything `baton run` does per attempt besides the agent and the
// check commands (worktree creation, prompt building, check orchestration, evidence writing),
// on a repository of 5,000 files, against the floor (a bare `git worktree add` of it, in the same
// rounds). Targets: at most 1 s per attempt, at most 300 ms over the floor, and at most 150 MB of
// resident memory for the runner (the `baton run` process and its watchdog).
// Prints a Markdown table and writes bench/results/runner.json. Run with `npm run bench:runner`.
// Knobs: BENCH_FILES, BENCH_RUNS (rounds), BENCH_WARMUP, BENCH_AGENT_MS (how long the stand-in agent
// works per attempt), BENCH_COMPARE_BIN (another build's bin/baton.cjs, run interleaved), BENCH_KEEP=1
// (keep the scratch folder), TMPDIR (where the repository goes).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BATON_BIN, cliEnv } from './lib/cli-latency.mjs';
import { intFromEnv, scratchDir } from './lib/config.mjs';
import { machineInfo, sourceInfo } from './lib/machine.mjs';
import { addTask, measureRun, removeWorktree, setUpRunnerRepo, timeBareWorktreeAdd, timeNode } from './lib/runner-runs.mjs';
import { timeCommand } from './lib/run-command.mjs';
import { markdownTable, median, percentile, round } from './lib/stats.mjs';
import { REPO_ROOT } from './lib/store-api.mjs';

const config = {
  files: intFromEnv('BENCH_FILES', 5_000),
  runs: intFromEnv('BENCH_RUNS', 15),
  warmup: Number(process.env.BENCH_WARMUP ?? 1),
  agentMs: intFromEnv('BENCH_AGENT_MS', 1_100),
  // Another build's bin/baton.cjs (an older commit's, say): its 1-attempt runs join the rotation.
  compareBin: process.env.BENCH_COMPARE_BIN || null,
};
const OVERHEAD_TARGET_MS = 1_000;
/** Over a bare `git worktree add` of the same repository, which no run can avoid. */
const ABOVE_FLOOR_TARGET_MS = 300;
const RSS_TARGET_MB = 150;
const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const ms = (value) => (value === null || value === undefined || Number.isNaN(value) ? '–' : `${value.toFixed(1)} ms`);
const mb = (value) => (value === null || value === undefined || Number.isNaN(value) ? '–' : `${value.toFixed(1)} MB`);

/** n, median, p90 and max: the runner's target is a bound, so the tail matters. */
function spread(values) {
  const present = values.filter((value) => value !== null && value !== undefined);
  return { n: present.length, median: round(median(present)), p90: round(percentile(present, 90)), min: round(Math.min(...present)), max: round(Math.max(...present)) };
}

const machine = machineInfo();
const source = sourceInfo(REPO_ROOT);
const work = scratchDir('baton-bench-runner-');
// Creating 5,000 files costs what the file system makes it cost: tmpfs and a VM's disk differ tenfold.
const filesystem = spawnSync('stat', ['-f', '-c', '%T', work], { encoding: 'utf8' }).stdout?.trim() || 'unknown';

log(`building a ${config.files}-file repository (${work})`);
const setupStarted = performance.now();
const setup = setUpRunnerRepo(work, config.files);
log(`built ${(setup.bytes / 2 ** 20).toFixed(1)} MiB of source in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

const samples = { node: [], list: [], listRss: [], floor: [], single: [], retry: [], compare: [] };
const env = cliEnv('bench-runner');
const rssDir = join(setup.tools, 'rss');
const measures = [
  { name: 'node', run: () => samples.node.push(timeCommand(process.execPath, ['-e', '0'], { cwd: setup.repo, env }).ms) },
  {
    name: 'list',
    run: () => {
      const result = timeNode([BATON_BIN, 'list'], { cwd: setup.repo, env, rssDir });
      if (result.code !== 0) throw new Error(`baton list exited ${result.code}: ${result.stderr}`);
      samples.list.push(result.ms);
      samples.listRss.push(result.rssMB);
    },
  },
  {
    name: 'floor',
    run: (tasks) => {
      const result = timeBareWorktreeAdd(setup, `floor-${tasks.single}`);
      worktrees.push(result.worktree);
      samples.floor.push(result.ms);
    },
  },
  { name: 'single', run: (tasks) => samples.single.push(runAndClean(tasks.single, 1, 'one attempt')) },
  { name: 'retry', run: (tasks) => samples.retry.push(runAndClean(tasks.retry, 2, 'fail, then pass')) },
  ...(config.compareBin ? [{ name: 'compare', run: (tasks) => samples.compare.push(runAndClean(tasks.compare, 1, 'one attempt, comparison build', config.compareBin)) }] : []),
];

/*
 * Worktrees stay until the end: removing one (5,000 files) just before the next run's checkout
 * made that checkout take about 2 s instead of 0.2-0.5 s on this machine's disk, even after a
 * `sync`. No real use deletes a worktree a moment before every run; several live side by side.
 */
const worktrees = [];

function runAndClean(taskId, passFrom, label, bin = undefined) {
  const result = measureRun(setup, taskId, { passFrom, label, agentMs: config.agentMs, ...(bin ? { bin } : {}) });
  worktrees.push(result.worktree);
  return result;
}

log(`${config.warmup} warm-up + ${config.runs} rounds of: node -e 0, baton list, a bare git worktree add, a 1-attempt run, a 2-attempt run (rotating order)`);
for (let round = 0; round < config.warmup + config.runs; round++) {
  const tasks = { single: addTask(setup.repo, `Bench task ${round}a`), retry: addTask(setup.repo, `Bench task ${round}b`), ...(config.compareBin ? { compare: addTask(setup.repo, `Bench task ${round}c`) } : {}) };
  const mark = Object.fromEntries(Object.entries(samples).map(([key, list]) => [key, list.length]));
  for (let k = 0; k < measures.length; k++) measures[(round + k) % measures.length].run(tasks);
  if (round < config.warmup) for (const [key, list] of Object.entries(samples)) list.length = mark[key];
}
for (const worktree of worktrees) removeWorktree(setup.repo, worktree);

const summarizeRuns = (runs) => ({
  wallMs: spread(runs.map((r) => r.wallMs)),
  agentMs: spread(runs.map((r) => r.agentMs)),
  checkMs: spread(runs.map((r) => r.checkMs)),
  overheadPerAttemptMs: spread(runs.map((r) => r.overheadPerAttemptMs)),
  rssMB: spread(runs.map((r) => r.rssMB)),
  gitCommands: spread(runs.map((r) => r.git.commands)),
  gitWorktreeAddMs: spread(runs.map((r) => r.git.worktreeAddMs)),
  gitOtherMs: spread(runs.map((r) => r.git.otherMs)),
  batonOwnMs: spread(runs.map((r) => r.overheadMs - r.git.totalMs)),
  overheadPerAttemptLessCheckoutMs: spread(runs.map((r) => (r.overheadMs - r.git.worktreeAddMs) / r.attempts)),
  phases: Object.fromEntries(Object.keys(runs[0].phases).map((key) => [key, spread(runs.map((r) => r.phases[key]))])),
  gitByCommand: gitByCommand(runs),
});

/** Each git subcommand baton ran: how many per run (median) and their time per run. */
function gitByCommand(runs) {
  const names = [...new Set(runs.flatMap((r) => r.git.list.map((entry) => entry.command)))].sort();
  return Object.fromEntries(names.map((name) => {
    const per = runs.map((r) => r.git.list.filter((entry) => entry.command === name));
    return [name, { count: median(per.map((list) => list.length)), ms: spread(per.map((list) => list.reduce((sum, entry) => sum + entry.ms, 0))) }];
  }));
}
const single = summarizeRuns(samples.single);
const compared = config.compareBin ? summarizeRuns(samples.compare) : null;
const retry = summarizeRuns(samples.retry);
const bothKinds = [...samples.single, ...samples.retry];
const results = {
  machine,
  source,
  config,
  repository: { files: config.files, sourceMiB: round(setup.bytes / 2 ** 20, 1), dir: setup.repo, filesystem },
  targets: { overheadPerAttemptMs: OVERHEAD_TARGET_MS, aboveFloorMs: ABOVE_FLOOR_TARGET_MS, rssMB: RSS_TARGET_MB },
  baseline: { nodeMs: spread(samples.node), listMs: spread(samples.list), listRssMB: spread(samples.listRss), floorMs: spread(samples.floor) },
  // Each round's 1-attempt run against the bare checkout of the same round: what baton adds to the floor.
  aboveFloorMs: spread(samples.single.map((r, i) => r.overheadPerAttemptMs - samples.floor[i])),
  single,
  retry,
  compared: compared && { bin: config.compareBin, ...compared, aboveFloorMs: spread(samples.compare.map((r, i) => r.overheadPerAttemptMs - samples.floor[i])) },
  // Less the checkout, whose time varies most and which every run does once.
  extraAttemptMs: round(median(samples.retry.map((r) => r.overheadMs - r.git.worktreeAddMs)) - median(samples.single.map((r) => r.overheadMs - r.git.worktreeAddMs))),
  rssMB: spread(bothKinds.map((r) => r.rssMB)),
  watchdogRssMB: spread(bothKinds.map((r) => r.watchdogRssMB)),
  // Both at their peaks at once: more than the two ever hold together.
  withWatchdogRssMB: spread(bothKinds.map((r) => r.rssMB + (r.watchdogRssMB ?? 0))),
  samples: { single: samples.single, retry: samples.retry, compare: samples.compare, floor: samples.floor },
};
results.pass = {
  overhead: single.overheadPerAttemptMs.p90 <= OVERHEAD_TARGET_MS && retry.overheadPerAttemptMs.p90 <= OVERHEAD_TARGET_MS,
  aboveFloor: results.aboveFloorMs.p90 <= ABOVE_FLOOR_TARGET_MS,
  rss: results.withWatchdogRssMB.max <= RSS_TARGET_MB,
};

const passText = (pass) => (pass ? 'pass' : '**FAIL**');
const row = (name, s, format, target = '–', result = 'info') => [name, format(s.median), format(s.p90), format(s.max), target, result];
const rows = [
  row('`node -e 0` (baseline)', results.baseline.nodeMs, ms),
  row('`baton list` (reference: start-up and board)', results.baseline.listMs, ms),
  row('`baton run`, 1 attempt: wall time', single.wallMs, ms),
  row('… of which the agent script and the 2 check commands', spread(samples.single.map((r) => r.agentMs + r.checkMs)), ms),
  row('**baton overhead per attempt, 1-attempt runs**', single.overheadPerAttemptMs, ms, `p90 ≤ ${OVERHEAD_TARGET_MS} ms`, passText(single.overheadPerAttemptMs.p90 <= OVERHEAD_TARGET_MS)),
  row(`floor: a bare \`git worktree add\` of the same repository (${config.files} files)`, results.baseline.floorMs, ms),
  row('**1-attempt run over the floor of its round (overhead − bare checkout)**', results.aboveFloorMs, ms, `p90 ≤ ${ABOVE_FLOOR_TARGET_MS} ms`, passText(results.pass.aboveFloor)),
  row('  start-up → run record (node, config, plan, `git worktree add`, claim)', single.phases.toRunRecordMs, ms),
  row('  run record → prompt.md written (board event, prompt)', single.phases.runRecordToPromptMs, ms),
  row('  prompt.md → agent running (prompt file, spawning the agent)', single.phases.promptToAgentMs, ms),
  row('  agent done → verdict.json, less check commands (diff, scope, files, report, checks)', single.phases.judgeMs, ms),
  row('  verdict.json → exit (commit, run.json, board, exit)', single.phases.concludeMs, ms),
  row(`  of the whole run: \`git worktree add\` (checking out ${config.files} files)`, single.gitWorktreeAddMs, ms),
  row(`  of the whole run: the other git commands (${single.gitCommands.median} commands)`, single.gitOtherMs, ms),
  row('  of the whole run: baton itself (node start-up, its code, evidence files, spawning)', single.batonOwnMs, ms),
  row('  overhead per attempt less the checkout', single.overheadPerAttemptLessCheckoutMs, ms),
  ...Object.entries(single.gitByCommand).map(([name, entry]) => row(`    git ${name} (×${entry.count})`, entry.ms, ms)),
  row('`baton run`, attempt 1 fails a check, attempt 2 passes: wall time', retry.wallMs, ms),
  row('**baton overhead per attempt, 2-attempt runs**', retry.overheadPerAttemptMs, ms, `p90 ≤ ${OVERHEAD_TARGET_MS} ms`, passText(retry.overheadPerAttemptMs.p90 <= OVERHEAD_TARGET_MS)),
  row('  between attempts, less check commands (judge, checks, checkpoint, next prompt)', retry.phases.betweenAttemptsMs, ms),
  row(`  of the whole run: git (${retry.gitCommands.median} commands, the checkout ${ms(retry.gitWorktreeAddMs.median)})`, spread(samples.retry.map((r) => r.git.totalMs)), ms),
  row('  overhead per attempt less the checkout', retry.overheadPerAttemptLessCheckoutMs, ms),
  ['  an extra attempt (median overhead less the checkout, 2-attempt run − 1-attempt run)', ms(results.extraAttemptMs), '–', '–', '–', 'info'],
  ...(compared
    ? [
        row(`comparison build (${config.compareBin}): overhead per attempt, 1-attempt runs`, compared.overheadPerAttemptMs, ms),
        row('  its runs over the floor of their round', results.compared.aboveFloorMs, ms),
        row(`  its git commands (${compared.gitCommands.median} per run), less the checkout`, compared.gitOtherMs, ms),
        row('  overhead less the checkout', compared.overheadPerAttemptLessCheckoutMs, ms),
      ]
    : []),
  row('peak RSS of the `baton run` process (both kinds of run)', results.rssMB, mb),
  row('peak RSS of its watchdog (one small Node process per run)', results.watchdogRssMB, mb),
  row('**peak RSS of the runner: `baton run` + watchdog**', results.withWatchdogRssMB, mb, `≤ ${RSS_TARGET_MB} MB`, passText(results.pass.rss)),
  row('peak RSS of `baton list` (reference)', results.baseline.listRssMB, mb),
];

const title = `baton run on a ${config.files}-file repository (${results.repository.sourceMiB} MiB on ${filesystem}), ${config.runs} runs each — node ${machine.node}, ${machine.cpuCount} CPUs, load ${machine.loadAverageAtStart.join('/')}, ${machine.date}, commit ${source.commit}${source.uncommittedSrcFiles ? ` + ${source.uncommittedSrcFiles} uncommitted src files` : ''}`;
const table = markdownTable(['Measure', 'Median', 'p90', 'Max', 'Target', 'Result'], rows);
process.stdout.write(`\n### ${title}\n\n${table}\n`);
results.table = table;
const out = join(REPO_ROOT, 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'runner.json'), `${JSON.stringify(results, null, 2)}\n`);
log('wrote bench/results/runner.json');
process.exitCode = results.pass.overhead && results.pass.aboveFloor && results.pass.rss ? 0 : 1;
