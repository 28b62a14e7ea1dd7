// Two costs of `baton run` on a small real Node project (150 `node --test` tests behind
// `npm test`, `npm ci` as setup), each run passing at its first attempt:
// - the baseline: the checks run once on the untouched base before the first attempt and are
//   cached per base commit and command, so a fleet of tasks on one base pays for them once.
//   Target: one baseline per base commit (the first of the fleet's tasks runs the checks, every
//   other one reads the cache).
// - containment: the same run contained and with BATON_CONTAINMENT=off, in interleaved rounds.
//   Target: at most 50 ms per attempt (median of the per-round differences). The same project
//   with `true` as setup and check runs beside it: without npm's seconds of work, whose spread
//   on a busy machine is far wider than 50 ms, the difference is containment's own.
// `node -e 0` runs in every round for scale. Prints Markdown tables and writes
// bench/results/baseline.json. Run with `npm run bench:baseline`.
// Knobs: BENCH_TASKS (fleet size, 10), BENCH_MIN_RUNS (containment rounds at least, 10),
// BENCH_RUNS (at most, 20), BENCH_BUDGET_SECONDS (no new round past this once the least are
// done, 480), BENCH_WARMUP (1), BENCH_SETUP (`none` for none), BENCH_KEEP=1, TMPDIR.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { addTask, baselineFiles, measureRun, removeWorktree, setUpBaselineRepo, timeNode } from './lib/baseline-runs.mjs';
import { intFromEnv, scratchDir } from './lib/config.mjs';
import { machineInfo, sourceInfo } from './lib/machine.mjs';
import { MODULES } from './lib/node-project.mjs';
import { markdownTable, median, percentile, round } from './lib/stats.mjs';
import { REPO_ROOT } from './lib/store-api.mjs';

const setupText = process.env.BENCH_SETUP ?? 'npm ci --offline --no-audit --no-fund';
const config = {
  tasks: intFromEnv('BENCH_TASKS', 10),
  minRounds: intFromEnv('BENCH_MIN_RUNS', 10),
  maxRounds: intFromEnv('BENCH_RUNS', 20),
  budgetSeconds: intFromEnv('BENCH_BUDGET_SECONDS', 480),
  warmup: Number(process.env.BENCH_WARMUP ?? 1),
  setup: setupText === 'none' ? null : setupText,
  check: 'npm test',
};
const CONTAINMENT_TARGET_MS = 50;
const startedMs = performance.now();
const elapsedSeconds = () => (performance.now() - startedMs) / 1000;
const log = (message) => process.stderr.write(`[bench ${elapsedSeconds().toFixed(0)} s] ${message}\n`);

const present = (values) => values.filter((value) => value !== null && value !== undefined && !Number.isNaN(value));
const sum = (values) => present(values).reduce((total, value) => total + value, 0);

/**
 * A distribution-free 95% confidence interval of the median: the k-th smallest and k-th largest
 * value, with k the largest rank below which fewer than 2.5% of Binomial(n, 1/2) lies. Null
 * below 6 values, where no such k exists.
 */
function medianInterval(values) {
  const sorted = present(values).sort((a, b) => a - b);
  const n = sorted.length;
  let k = 0;
  let below = 0; // P(X <= j) for X ~ Binomial(n, 1/2)
  let choose = 1; // n choose j
  for (let j = 0; j < n; j++) {
    below += choose / 2 ** n;
    if (below > 0.025) break;
    k = j + 1;
    choose = (choose * (n - j)) / (j + 1);
  }
  return k === 0 ? { low: null, high: null } : { low: round(sorted[k - 1]), high: round(sorted[n - k]) };
}

function spread(values) {
  const list = present(values);
  const interval = medianInterval(list);
  return { n: list.length, median: round(median(list)), p25: round(percentile(list, 25)), p75: round(percentile(list, 75)), ci95: [interval.low, interval.high], min: round(Math.min(...list)), max: round(Math.max(...list)) };
}

const machine = machineInfo();
const source = sourceInfo(REPO_ROOT);
const work = scratchDir('baton-bench-baseline-');
const project = await setUpBaselineRepo(join(work, 'project'), { setup: config.setup, check: config.check });
const lean = await setUpBaselineRepo(join(work, 'lean'), { setup: config.setup ? 'true' : null, check: 'true' });
log(`a Node project of ${project.tests} tests in ${project.repo}; setup \`${config.setup ?? 'none'}\`, check \`${config.check}\``);

// The fleet: every task on the same base commit, one after the other, as a dispatcher would start them.
const nodeMs = [];
const fleet = [];
const fleetTasks = Array.from({ length: config.tasks }, (_, index) => ({ id: addTask(project.repo, index), module: index }));
log(`fleet: ${config.tasks} tasks on one base commit, each \`node -e 0\` then \`baton run ID\``);
for (const [index, task] of fleetTasks.entries()) {
  nodeMs.push(timeNode(project.repo));
  const run = measureRun(project, task.id, { module: task.module, containment: true });
  fleet.push({ ...run, baselineFilesAfter: baselineFiles(project.repo).length });
  log(`task ${index + 1}/${config.tasks}: ${run.wallMs.toFixed(0)} ms, ${run.baseline?.line ?? 'no baseline line'}`);
}
for (const run of fleet) removeWorktree(project.repo, run.worktree);

/*
 * Containment: in every round, in a rotating order, `node -e 0` and a contained run and one with
 * BATON_CONTAINMENT=off of each project. Every run's worktree goes as soon as it is measured:
 * without containment, baton looks for writes into every other checkout before and after each
 * attempt (`git status` in each), so worktrees piling up would slow those runs round by round.
 */
function runOnce(setup, module, containment) {
  const run = measureRun(setup, addTask(setup.repo, module), { module, containment });
  removeWorktree(setup.repo, run.worktree);
  return run;
}
// The lean project's baseline (of `true`) is taken here, outside every round.
runOnce(lean, 0, true);

const samples = { node: [], projectOn: [], projectOff: [], leanOn: [], leanOff: [] };
const measures = [
  { name: 'node', run: () => timeNode(project.repo) },
  { name: 'projectOn', run: (module) => runOnce(project, module, true) },
  { name: 'projectOff', run: (module) => runOnce(project, module, false) },
  { name: 'leanOn', run: (module) => runOnce(lean, module, true) },
  { name: 'leanOff', run: (module) => runOnce(lean, module, false) },
];
let rounds = 0;
log(`containment: ${config.warmup} warm-up + ${config.minRounds}–${config.maxRounds} rounds of node -e 0 and, for each project, a run contained and one with BATON_CONTAINMENT=off`);
for (let round = 0; round < config.warmup + config.maxRounds; round++) {
  if (rounds >= config.minRounds && elapsedSeconds() > config.budgetSeconds) break;
  const results = {};
  for (let k = 0; k < measures.length; k++) {
    const measure = measures[(round + k) % measures.length];
    results[measure.name] = measure.run(round % MODULES);
  }
  if (round < config.warmup) continue;
  for (const [name, result] of Object.entries(results)) samples[name].push(result);
  rounds++;
  log(`round ${rounds}: project on ${results.projectOn.wallMs.toFixed(0)} / off ${results.projectOff.wallMs.toFixed(0)} ms, lean on ${results.leanOn.wallMs.toFixed(0)} / off ${results.leanOff.wallMs.toFixed(0)} ms`);
}

/** A run as results.json keeps it: its worktree is gone by then. */
function withoutWorktree(run) {
  const copy = { ...run };
  delete copy.worktree;
  return copy;
}

// The fleet's numbers.
const [first, ...rest] = fleet;
const ran = fleet.filter((run) => run.baseline?.how === 'ran');
const cached = fleet.filter((run) => run.baseline?.how === 'cached');
const baseCommits = [...new Set(fleet.map((run) => run.baseCommit))];
const baselineOk = baseCommits.length === 1 && first.baseline?.how === 'ran' && ran.length === 1 && cached.length === fleet.length - 1 && baselineFiles(project.repo).length === 1;
const fleetResult = {
  baseCommits,
  firstWallMs: round(first.wallMs),
  cachedWallMs: spread(rest.map((run) => run.wallMs)),
  firstCpuMs: round(first.cpuMs),
  cachedCpuMs: spread(rest.map((run) => run.cpuMs)),
  // What the first task paid over one that read the cache.
  firstExtraWallMs: round(first.wallMs - median(rest.map((run) => run.wallMs))),
  firstExtraCpuMs: first.cpuMs === null ? null : round(first.cpuMs - median(rest.map((run) => run.cpuMs))),
  baselinePrintedMs: { first: first.baseline?.printedMs ?? null, cachedMax: Math.max(...cached.map((run) => run.baseline.printedMs)) },
  checkMs: spread(fleet.map((run) => run.checkMs)),
  setupMs: spread(fleet.map((run) => run.setupMs)),
  totalWallMs: round(sum(fleet.map((run) => run.wallMs))),
  totalBaselinePrintedMs: sum(fleet.map((run) => run.baseline?.printedMs)),
  // Were the baseline taken by every task instead: the checks once more in every run.
  perTaskBaselinesMs: round(fleet.length * median(fleet.map((run) => run.checkMs))),
  baselineFiles: baselineFiles(project.repo).length,
  runs: fleet.map(withoutWorktree),
};

// Containment's numbers: per-round differences, as load from other processes hits both runs of a round alike.
function compare(on, off, wrapped) {
  const differences = (pick) => on.map((run, index) => pick(run) - pick(off[index]));
  const outsideCommands = (run) => run.wallMs - (run.setupMs ?? 0) - run.checkMs;
  return {
    wrappedCommandsPerAttempt: wrapped,
    reported: { on: on[0]?.containment ?? null, off: off[0]?.containment ?? null },
    onWallMs: spread(on.map((run) => run.wallMs)),
    offWallMs: spread(off.map((run) => run.wallMs)),
    differenceWallMs: spread(differences((run) => run.wallMs)),
    differenceCpuMs: spread(differences((run) => run.cpuMs)),
    differenceSetupMs: spread(differences((run) => run.setupMs)),
    differenceCheckMs: spread(differences((run) => run.checkMs)),
    // Contained: the agent wrapped, and the one trial run per baton process. Off: the scans of the other checkouts.
    differenceRestMs: spread(differences(outsideCommands)),
    // One wrapped command as baton times it, setup's and the check's differences together.
    perCommandMs: spread([...differences((run) => run.setupMs), ...differences((run) => run.checkMs)]),
    samples: { on: on.map(withoutWorktree), off: off.map(withoutWorktree) },
  };
}
const containment = { rounds, project: compare(samples.projectOn, samples.projectOff, project.wrappedPerAttempt), lean: compare(samples.leanOn, samples.leanOff, lean.wrappedPerAttempt) };
const containmentPass = { project: containment.project.differenceWallMs.median <= CONTAINMENT_TARGET_MS, lean: containment.lean.differenceWallMs.median <= CONTAINMENT_TARGET_MS };
const node = spread([...nodeMs, ...samples.node]);

const results = {
  machine,
  source,
  config,
  project: { tests: project.tests, testFiles: 5, modules: MODULES, repo: project.repo },
  targets: { baselinesPerBaseCommit: 1, containmentPerAttemptMs: CONTAINMENT_TARGET_MS },
  nodeMs: node,
  fleet: fleetResult,
  containment,
  pass: { baseline: baselineOk, containment: containmentPass.project && containmentPass.lean },
  elapsedSeconds: round(elapsedSeconds(), 1),
  loadAverageAtEnd: loadavg().map((value) => round(value)),
};

const ms = (value) => (value === null || value === undefined || Number.isNaN(value) ? '–' : `${value.toFixed(0)} ms`);
const seconds = (value) => (value === null || value === undefined ? '–' : `${(value / 1000).toFixed(1)} s`);
const passText = (pass) => (pass ? 'pass' : '**FAIL**');
const row = (name, s, target = '–', result = 'info') => [name, ms(s.median), `${ms(s.p25)} … ${ms(s.p75)}`, s.ci95[0] === null ? '–' : `${ms(s.ci95[0])} … ${ms(s.ci95[1])}`, target, result];
const text = (name, value) => [name, value, '–', '–', '–', 'info'];
const wrappedText = (count, setupName, checkName) => `${count} wrapped: ${config.setup ? `${setupName}, ` : ''}agent, ${checkName}`;
const containmentRows = (label, c, pass, setupName, checkName) => [
  row(`**${label}**: on − off per attempt, wall (${wrappedText(c.wrappedCommandsPerAttempt, setupName, checkName)})`, c.differenceWallMs, `median ≤ ${CONTAINMENT_TARGET_MS} ms`, passText(pass)),
  row('  on − off, CPU time of the run and what it waited for', c.differenceCpuMs),
  ...(config.setup ? [row(`  on − off of ${setupName} (as baton timed it)`, c.differenceSetupMs)] : []),
  row(`  on − off of ${checkName} (as baton timed it)`, c.differenceCheckMs),
  row('  on − off of the rest (wall less setup and check: the agent, the trial run; off scans other checkouts)', c.differenceRestMs),
  row(`  one wrapped command (${config.setup ? 'setup and check' : 'the check'}, as baton timed them)`, c.perCommandMs),
  // The agent costs what another command costs, and the trial run detectContainment makes once per baton process too.
  text(`  ⇒ per attempt, estimated: (${c.wrappedCommandsPerAttempt} wrapped + 1 trial run) × one`, ms((c.wrappedCommandsPerAttempt + 1) * c.perCommandMs.median)),
];
const rows = [
  row(`\`node -e 0\` (for scale, ${node.n} runs)`, node),
  [`**fleet of ${fleet.length} tasks on one base commit: baselines**`, `${ran.length} ran, ${cached.length} cached; ${fleetResult.baselineFiles} cached file`, '–', '–', '1 per base commit', passText(baselineOk)],
  text('  task 1 `baton run` (baseline ran)', ms(first.wallMs)),
  row(`  tasks 2–${fleet.length} \`baton run\` (baseline cached)`, fleetResult.cachedWallMs),
  text(`  baseline as printed: task 1 / the most of tasks 2–${fleet.length}`, `${seconds(fleetResult.baselinePrintedMs.first)} / ${seconds(fleetResult.baselinePrintedMs.cachedMax)}`),
  text('  task 1 over the median cached task, wall / CPU', `${ms(fleetResult.firstExtraWallMs)} / ${ms(fleetResult.firstExtraCpuMs)}`),
  row('  `npm test` in an attempt (what one baseline costs)', fleetResult.checkMs),
  text('  baseline time in the whole fleet, as printed', `${seconds(fleetResult.totalBaselinePrintedMs)} of ${seconds(fleetResult.totalWallMs)} (${((100 * fleetResult.totalBaselinePrintedMs) / fleetResult.totalWallMs).toFixed(0)}%)`),
  text(`  were every task to take its own (${fleet.length} × \`npm test\`)`, seconds(fleetResult.perTaskBaselinesMs)),
  row(`\`baton run\` contained (${rounds} rounds)`, containment.project.onWallMs),
  row('`baton run` with `BATON_CONTAINMENT=off`', containment.project.offWallMs),
  ...containmentRows('containment, project', containment.project, containmentPass.project, '`npm ci`', '`npm test`'),
  row('`baton run` contained, `true` as setup and check', containment.lean.onWallMs),
  row('`baton run` with `BATON_CONTAINMENT=off`, `true` as setup and check', containment.lean.offWallMs),
  ...containmentRows('containment, `true` as setup and check', containment.lean, containmentPass.lean, '`true` as setup', '`true` as check'),
];
const summaryTable = markdownTable(['Measure', 'Median', 'p25 … p75', '95% CI of the median', 'Target', 'Result'], rows);
const fleetTable = markdownTable(
  ['Task', 'Baseline, as printed', '`baton run` wall', 'CPU', '`npm test` in the attempt', 'Setup', 'Baseline files after'],
  fleet.map((run, index) => [index + 1, run.baseline ? `${run.baseline.how} ${seconds(run.baseline.printedMs)}` : '–', ms(run.wallMs), ms(run.cpuMs), ms(run.checkMs), ms(run.setupMs), run.baselineFilesAfter]),
);
const title = `baseline and containment in \`baton run\`, a ${project.tests}-test Node project — node ${machine.node}, ${machine.cpuCount} CPUs, load ${machine.loadAverageAtStart.join('/')} → ${results.loadAverageAtEnd.join('/')}, ${machine.date}, commit ${source.commit}${source.uncommittedSrcFiles ? ` + ${source.uncommittedSrcFiles} uncommitted src files` : ''}`;
process.stdout.write(`\n### ${title}\n\n${summaryTable}\n\nThe fleet, task by task:\n\n${fleetTable}\n`);
results.tables = { summary: summaryTable, fleet: fleetTable };
const out = join(REPO_ROOT, 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'baseline.json'), `${JSON.stringify(results, null, 2)}\n`);
log(`wrote bench/results/baseline.json (${results.elapsedSeconds} s in all)`);
process.exitCode = results.pass.baseline && results.pass.containment ? 0 : 1;
