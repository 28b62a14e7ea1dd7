// The impact check at completion, in-process: a completing task (about 10 declared resources and
// a 30-file footprint) against 10,000 open tasks with 20,000 declared resources of mixed kinds
// (endpoint, file, table, module; about 1 in 20 a glob or directory), plus file links and a few
// in-flight footprints. Target: at most 50 ms per check (median), index building included.
// Prints a Markdown table and writes bench/results/impact.json. Run with `node bench/impact.mjs`.
// Knobs: BENCH_TASKS, BENCH_RESOURCES, BENCH_RUNS, BENCH_SEED.
import { mkdirSync, writeFileSync } from 'node:fs';
import { intFromEnv } from './lib/config.mjs';
import { machineInfo, sourceInfo } from './lib/machine.mjs';
import { markdownTable, summarize } from './lib/stats.mjs';
import { loadSource, REPO_ROOT } from './lib/bundle-source.mjs';

const config = {
  tasks: intFromEnv('BENCH_TASKS', 10_000),
  resources: intFromEnv('BENCH_RESOURCES', 20_000),
  runs: intFromEnv('BENCH_RUNS', 30),
  warmups: 3,
  seed: intFromEnv('BENCH_SEED', 42),
  targetMs: 50,
};
const log = (message) => process.stderr.write(`[bench] ${message}\n`);

const ENTRY = `
export { buildImpactIndex, completionFindings, findingsFor } from './src/core/impact-check.ts';
export { parseResource } from './src/core/resource.ts';
export { parseLink } from './src/core/link.ts';
`;

/** Bundles the pure core for this process: the CLI bundle in dist/ exports nothing. */
function loadCore() {
  return loadSource(ENTRY, 'impact');
}

/** A small deterministic generator, so every run measures the same board. */
function generator(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { int: (n) => Math.floor(next() * n), pick: (items) => items[Math.floor(next() * items.length)] };
}

const AREAS = 200;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const MODES = ['adds', 'modifies', 'removes', 'reads', 'touches', 'reads', 'modifies'];

function resourceText(random, mode) {
  const area = `area${random.int(AREAS)}`;
  const roll = random.int(100);
  if (roll < 28) return `${mode}:endpoint:${random.pick(METHODS)} /api/${area}/${random.int(3) === 0 ? '{id}' : `item${random.int(25)}`}`;
  if (roll < 30) return `${mode}:endpoint:* /api/${area}/*`;
  if (roll < 62) return `${mode}:file:${filePath(random, area)}`;
  if (roll < 64) return `${mode}:file:${random.int(2) === 0 ? `src/${area}/**` : `src/${area}/`}`;
  if (roll < 80) return `${mode}:table:${area}_t${random.int(15)}`;
  if (roll < 81) return `${mode}:table:${area}_*`;
  return `${mode}:module:${area}.m${random.int(20)}`;
}

function filePath(random, area = `area${random.int(AREAS)}`) {
  return `src/${area}/file${random.int(40)}.ts`;
}

/** The board: `tasks` open tasks sharing `resources` declared resources, a quarter with a file link, 5% in flight with a footprint. */
function planBoard(core, random) {
  // Two resources per task on average, spread between one and several.
  const counts = Array.from({ length: config.tasks }, (_, index) => Math.floor(config.resources / config.tasks) + (index < config.resources % config.tasks ? 1 : 0));
  for (let moves = 0; moves < config.tasks; moves++) {
    const [from, to] = [random.int(config.tasks), random.int(config.tasks)];
    if (counts[from] > 1) [counts[from], counts[to]] = [counts[from] - 1, counts[to] + 1];
  }
  const others = [];
  for (let index = 0; index < config.tasks; index++) {
    const count = counts[index];
    const inFlight = random.int(20) === 0;
    others.push({
      id: index + 2,
      title: `Task ${index + 2}`,
      status: inFlight ? 'in_progress' : 'open',
      assignee: inFlight ? `agent-${random.int(20)}` : null,
      resources: Array.from({ length: count }, () => core.parseResource(resourceText(random, random.pick(MODES)))),
      links: random.int(4) === 0 ? [core.parseLink(`${filePath(random)}:${1 + random.int(200)}`)] : [],
      footprint: inFlight ? Array.from({ length: 1 + random.int(8) }, () => filePath(random)) : [],
    });
  }
  const done = {
    id: 1,
    title: 'The completing task',
    status: 'in_progress',
    assignee: 'agent-done',
    resources: Array.from({ length: 10 }, (_, index) => core.parseResource(resourceText(random, ['removes', 'modifies', 'adds'][index % 3]))),
    links: [],
    footprint: Array.from({ length: 30 }, () => filePath(random)),
  };
  return { done, others };
}

function time(run) {
  const started = performance.now();
  const value = run();
  return { ms: performance.now() - started, value };
}

function measure(runs, run) {
  for (let index = 0; index < config.warmups; index++) run();
  const samples = [];
  let last;
  for (let index = 0; index < runs; index++) {
    const { ms, value } = time(run);
    samples.push(ms);
    last = value;
  }
  return { stats: summarize(samples), last };
}

const core = await loadCore();
const random = generator(config.seed);
const { done, others } = planBoard(core, random);
const declared = others.reduce((sum, task) => sum + task.resources.length, 0);
const links = others.reduce((sum, task) => sum + task.links.length, 0);
const footprintPaths = others.reduce((sum, task) => sum + task.footprint.length, 0);
log(`${others.length} tasks, ${declared} declared resources, ${links} links, ${footprintPaths} footprint paths; ${config.runs} runs after ${config.warmups} warm-ups`);

const full = measure(config.runs, () => core.completionFindings(done, others));
const building = measure(config.runs, () => core.buildImpactIndex(others));
const index = core.buildImpactIndex(others);
const probing = measure(config.runs, () => core.findingsFor(index, done));
const findings = full.last;
const kinds = Object.fromEntries(['impact_conflict', 'impact_notice'].map((kind) => [kind, findings.filter((f) => f.kind === kind).length]));

const pass = full.stats.median <= config.targetMs;
const ms = (value) => `${value.toFixed(2)} ms`;
const rows = [
  ['completionFindings (one completion, from scratch)', `${ms(full.stats.median)} (p95 ${ms(full.stats.p95)})`, `≤ ${config.targetMs} ms`, pass ? 'pass' : '**FAIL**'],
  ['buildImpactIndex alone', `${ms(building.stats.median)} (p95 ${ms(building.stats.p95)})`, '–', 'info'],
  ['findingsFor on a built index (reused)', `${ms(probing.stats.median)} (p95 ${ms(probing.stats.p95)})`, '–', 'info'],
];
console.log(markdownTable(['impact check', 'median', 'target', 'result'], rows));
console.log(
  `\n${others.length} tasks, ${declared} declared resources, ${links} file links, ${footprintPaths} footprint paths; ` +
    `completing task: ${done.resources.length} resources, ${done.footprint.length} footprint paths; ` +
    `${findings.length} findings (${kinds.impact_conflict} conflicts, ${kinds.impact_notice} notices).`,
);

const results = {
  machine: machineInfo(),
  source: sourceInfo(REPO_ROOT),
  config,
  board: { tasks: others.length, declaredResources: declared, links, footprintPaths, completing: { resources: done.resources.length, footprint: done.footprint.length } },
  findings: { total: findings.length, ...kinds },
  completionFindingsMs: full.stats,
  buildImpactIndexMs: building.stats,
  findingsForMs: probing.stats,
  pass,
};
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL('results/impact.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
log('wrote bench/results/impact.json');
if (!pass) process.exitCode = 1;
