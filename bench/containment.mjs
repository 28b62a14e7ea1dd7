// What containment costs a command: `true` run bare and run contained (its own PID, mount and
// user namespaces, the policy the runner's sandbox uses: the system read-only, the worktree
// policy's read-only and writable bind mounts, temporary folders of its own, HOME layered,
// service sockets hidden), in the worktree of
// a real repository, with `node -e 0` beside them for scale. Target: containment adds at most
// 50 ms per command (median of the per-round differences). Also measured: the trial run that
// `detectContainment` makes once per baton process, and building the wrapped argv in-process.
// Prints a Markdown table and writes bench/results/containment.json.
// Run with `node bench/containment.mjs`. Knobs: BENCH_RUNS (rounds, 30), BENCH_WARMUP (3),
// BENCH_KEEP=1 (keep the scratch folder), TMPDIR (where the repository goes).
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { intFromEnv } from './lib/config.mjs';
import { machineInfo, sourceInfo } from './lib/machine.mjs';
import { loadSource, REPO_ROOT } from './lib/bundle-source.mjs';
import { timeCommand } from './lib/run-command.mjs';
import { markdownTable, median, percentile, round } from './lib/stats.mjs';

const config = { runs: intFromEnv('BENCH_RUNS', 30), warmup: Number(process.env.BENCH_WARMUP ?? 3) };
const OVERHEAD_TARGET_MS = 50;
const NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'];
const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const ms = (value) => (value === null || value === undefined || Number.isNaN(value) ? '–' : `${value.toFixed(1)} ms`);
const spread = (values) => ({ n: values.length, median: round(median(values)), p90: round(percentile(values, 90)), min: round(Math.min(...values)), max: round(Math.max(...values)) });

const { CONTAINMENT_TOOLS, containedCommand, homeLayerMountPoint, probeContainment, serviceSocketPaths, worktreeContainmentPolicy } = await loadSource(
  `export { CONTAINMENT_TOOLS, containedCommand, homeLayerMountPoint, probeContainment } from './src/adapters/process/containment.ts';
   export { worktreeContainmentPolicy } from './src/adapters/process/containment-policy.ts';
   export { serviceSocketPaths } from './src/adapters/process/service-sockets.ts';`,
  'containment',
);

const machine = machineInfo();
const source = sourceInfo(REPO_ROOT);
const isRoot = process.geteuid?.() === 0;

/** A repository with a commit and the task worktree main/.baton/worktrees/x; open to nobody when run as root. */
function setUpRepo() {
  // Below /tmp and open to all, so that nobody can enter it too.
  const base = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'baton-bench-containment-'));
  if (process.env.BENCH_KEEP !== '1') process.once('exit', () => rmSync(base, { recursive: true, force: true }));
  chmodSync(base, 0o755);
  const main = join(base, 'main');
  mkdirSync(main);
  const git = (args) => execFileSync('git', args, { cwd: main, stdio: ['ignore', 'pipe', 'pipe'] });
  git(['init', '-q', '-b', 'main']);
  writeFileSync(join(main, 'README'), 'bench\n');
  git(['add', 'README']);
  git(['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-q', '-m', 'first']);
  mkdirSync(join(main, '.git', 'baton'), { recursive: true });
  git(['worktree', 'add', '-q', '-b', 'task-x', join('.baton', 'worktrees', 'x')]);
  return {
    base,
    mainCheckout: main,
    gitCommonDir: join(main, '.git'),
    worktree: join(main, '.baton', 'worktrees', 'x'),
    worktreeGitDir: join(main, '.git', 'worktrees', 'x'),
  };
}

const layout = setUpRepo();
const worktreePolicy = worktreeContainmentPolicy(layout);
/**
 * As WorktreeSandbox builds it: the system read-only, temporary folders of the command's own
 * (fresh tmpfs, the bench's folder with the repository shown again), HOME layered, the service
 * sockets hidden.
 */
const sandboxPolicy = (home, mountPoint) => ({
  readOnly: ['/', ...worktreePolicy.readOnly],
  writable: [...worktreePolicy.writable, '/tmp', '/var/tmp', '/dev/shm', '/proc'],
  ...(home && mountPoint ? { homeLayer: { home, mountPoint, writeThrough: [] } } : {}),
  privateTmp: { dirs: ['/tmp', '/var/tmp', '/dev/shm'], shown: [layout.base], fresh: [] },
  hidden: serviceSocketPaths(process.env, process.geteuid?.() ?? null),
});
const policy = sandboxPolicy(process.env.HOME, homeLayerMountPoint());
/** Nobody cannot enter root's home: it layers a home of its own. */
function nobodyPolicy() {
  const [home, mountPoint] = ['nobody-home', 'nobody-layer'].map((name) => join(layout.base, name));
  for (const dir of [home, mountPoint]) {
    mkdirSync(dir);
    chownSync(dir, 65534, 65534);
  }
  return sandboxPolicy(home, mountPoint);
}
const tools = [];
for (const tool of CONTAINMENT_TOOLS) {
  const containment = await probeContainment(tool);
  if (containment.kind === 'namespaces') tools.push(containment);
  else log(`${tool}: ${containment.reason}`);
}
if (tools.length === 0) {
  log('no containment on this system: nothing to measure');
  process.exit(1);
}

const samples = { true: [], node: [] };
const measures = [
  { name: 'true', argv: ['/bin/true'] },
  { name: 'node', argv: [process.execPath, '-e', '0'] },
];
if (isRoot) {
  samples.nobodyTrue = [];
  measures.push({ name: 'nobodyTrue', argv: [...NOBODY, '/bin/true'] });
}
for (const containment of tools) {
  const contained = containedCommand({ argv: ['/bin/true'], env: process.env }, containment, policy);
  samples[containment.tool] = [];
  measures.push({ name: containment.tool, argv: contained.argv, env: contained.env });
  if (isRoot) {
    const asUser = containedCommand({ argv: ['/bin/true'], env: process.env }, { ...containment, root: false }, nobodyPolicy());
    samples[`nobody-${containment.tool}`] = [];
    measures.push({ name: `nobody-${containment.tool}`, argv: [...NOBODY, ...asUser.argv], env: asUser.env });
  }
}

log(`${config.warmup} warm-up + ${config.runs} rounds of: ${measures.map((m) => m.name).join(', ')} (rotating order), in ${layout.worktree}`);
for (let round = 0; round < config.warmup + config.runs; round++) {
  for (let k = 0; k < measures.length; k++) {
    const measure = measures[(round + k) % measures.length];
    const [file, ...args] = measure.argv;
    const result = timeCommand(file, args, { cwd: layout.worktree, env: measure.env ?? process.env });
    if (result.code !== 0) throw new Error(`${measure.name} exited ${result.code}: ${result.stderr}`);
    if (round >= config.warmup) samples[measure.name].push(result.ms);
  }
}

/** Per-round differences: load from other processes shifts both sides of a round alike. */
const differences = (a, b) => a.map((value, index) => value - b[index]);
const probes = Object.fromEntries(tools.map((containment) => [containment.tool, []]));
for (const containment of tools) {
  for (let i = 0; i < Math.min(config.runs, 10); i++) {
    const started = performance.now();
    await probeContainment(containment.tool);
    probes[containment.tool].push(performance.now() - started);
  }
}
const wrapUs = [];
for (let i = 0; i < 200; i++) {
  const started = performance.now();
  containedCommand({ argv: ['/bin/true'], env: process.env }, tools[0], policy);
  wrapUs.push((performance.now() - started) * 1000);
}

const results = { machine, source, config, target: { overheadMs: OVERHEAD_TARGET_MS }, policy, pass: true, tools: {} };
const rows = [
  ['`/bin/true`, bare', ms(median(samples.true)), ms(percentile(samples.true, 90)), '–', 'info'],
  ['`node -e 0`, bare (for scale)', ms(median(samples.node)), ms(percentile(samples.node, 90)), '–', 'info'],
];
if (isRoot) rows.push(['`/bin/true` as nobody (setpriv), bare', ms(median(samples.nobodyTrue)), ms(percentile(samples.nobodyTrue, 90)), '–', 'info']);
for (const { tool } of tools) {
  const overhead = spread(differences(samples[tool], samples.true));
  const pass = overhead.median <= OVERHEAD_TARGET_MS;
  results.pass &&= pass;
  results.tools[tool] = { containedMs: spread(samples[tool]), overheadMs: overhead, probeMs: spread(probes[tool]) };
  rows.push([`\`/bin/true\` contained by ${tool}${isRoot ? ' (root)' : ''}`, ms(median(samples[tool])), ms(percentile(samples[tool], 90)), '–', 'info']);
  rows.push([`**containment overhead, ${tool}${isRoot ? ' (root)' : ''}**`, ms(overhead.median), ms(overhead.p90), `median ≤ ${OVERHEAD_TARGET_MS} ms`, pass ? 'pass' : '**FAIL**']);
  if (isRoot) {
    const name = `nobody-${tool}`;
    const userOverhead = spread(differences(samples[name], samples.nobodyTrue));
    const userPass = userOverhead.median <= OVERHEAD_TARGET_MS;
    results.pass &&= userPass;
    results.tools[tool].asNobody = { containedMs: spread(samples[name]), overheadMs: userOverhead };
    rows.push([`**containment overhead, ${tool} (nobody)**`, ms(userOverhead.median), ms(userOverhead.p90), `median ≤ ${OVERHEAD_TARGET_MS} ms`, userPass ? 'pass' : '**FAIL**']);
  }
  rows.push([`detection trial run, ${tool} (once per baton process)`, ms(median(probes[tool])), ms(percentile(probes[tool], 90)), '–', 'info']);
}
rows.push(['building the wrapped argv in-process (realpath, plan)', `${median(wrapUs).toFixed(0)} µs`, `${percentile(wrapUs, 90).toFixed(0)} µs`, '–', 'info']);
results.samples = samples;
results.wrapMicros = spread(wrapUs);

const title = `containment of one command, ${config.runs} rounds — node ${machine.node}, ${machine.cpuCount} CPUs, load ${machine.loadAverageAtStart.join('/')}, ${machine.date}, commit ${source.commit}${source.uncommittedSrcFiles ? ` + ${source.uncommittedSrcFiles} uncommitted src files` : ''}`;
const table = markdownTable(['Measure', 'Median', 'p90', 'Target', 'Result'], rows);
process.stdout.write(`\n### ${title}\n\n${table}\n`);
results.table = table;
const out = join(REPO_ROOT, 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'containment.json'), `${JSON.stringify(results, null, 2)}\n`);
log('wrote bench/results/containment.json');
process.exitCode = results.pass ? 0 : 1;
