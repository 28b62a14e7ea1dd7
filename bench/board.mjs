// Baton's own performance targets:
//   (a) every board command within 1.1x `node -e 0` in CPU and in median wall time, at 1,000,
//       10,000 and 100,000 tasks, as an agent (BATON_AGENT) and as the git user;
// and on a 10,000-task board:
//   (c) 8 long-lived clients sustaining 2,000 claims/s,
//   (d) the event feed printing a commit within 250 ms and idling at ~0 CPU.
// Prints a Markdown table and writes bench/results/board.json. Run with `npm run bench`.
// Knobs: BENCH_CLI_SIZES, BENCH_TASKS, BENCH_RUNS, BENCH_CLAIM_SECONDS, BENCH_CLIENTS, BENCH_FEED_EVENTS,
// BENCH_IDLE_SECONDS, BENCH_ONLY=cli,claims,feed, BENCH_KEEP=1 (keep the scratch folder).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { seedBatonBoard } from './lib/baton-board.mjs';
import { measureClaimThroughput } from './lib/claim-throughput.mjs';
import { CLI_TARGET_RATIO, measureCliLatency } from './lib/cli-latency.mjs';
import { intFromEnv, listFromEnv, scratchDir } from './lib/config.mjs';
import { measureEventFeed } from './lib/event-feed.mjs';
import { machineInfo, sourceInfo } from './lib/machine.mjs';
import { markdownTable, ratioText } from './lib/stats.mjs';
import { loadStoreApi, REPO_ROOT } from './lib/store-api.mjs';
import { planBoard } from './lib/workload.mjs';

const config = {
  cliSizes: listFromEnv('BENCH_CLI_SIZES', ['1000', '10000', '100000']).map((text) => {
    const size = Number(text);
    if (!Number.isInteger(size) || size < 100) throw new Error(`BENCH_CLI_SIZES must list whole numbers of at least 100, got '${text}'`);
    return size;
  }),
  tasks: intFromEnv('BENCH_TASKS', 10_000),
  runs: intFromEnv('BENCH_RUNS', 25),
  claimSeconds: intFromEnv('BENCH_CLAIM_SECONDS', 5),
  clients: intFromEnv('BENCH_CLIENTS', 8),
  feedEvents: intFromEnv('BENCH_FEED_EVENTS', 50),
  idleSeconds: intFromEnv('BENCH_IDLE_SECONDS', 10),
  only: listFromEnv('BENCH_ONLY', ['cli', 'claims', 'feed']),
};
const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const passText = (pass) => (pass === null || pass === undefined ? 'info' : pass ? 'pass' : '**FAIL**');
const ms = (value) => (value === null || value === undefined ? '–' : `${value.toFixed(1)} ms`);

const machine = machineInfo();
const source = sourceInfo(REPO_ROOT);
const work = scratchDir('baton-bench-');
const api = await loadStoreApi();
const results = { machine, source, config, seed: {} };
const rows = [];

const plan = planBoard(config.tasks);
const board = join(work, 'templates', 'board.db');
if (config.only.includes('claims') || config.only.includes('feed')) {
  log(`seeding a ${config.tasks}-task board (a third with dependencies) through the store API`);
  results.seed.boardSeconds = await seedBatonBoard(api, board, plan);
  log(`seeded in ${results.seed.boardSeconds.toFixed(1)} s`);
}

const cliRows = [];
if (config.only.includes('cli')) {
  results.cli = { target: CLI_TARGET_RATIO, sizes: [] };
  for (const size of config.cliSizes) {
    const sizePlan = planBoard(size);
    const template = join(work, 'templates', `cli-${size}.db`);
    log(`(a) seeding a ${size}-task board for the CLI`);
    results.seed[`cli${size}Seconds`] = await seedBatonBoard(api, template, sizePlan);
    log(`(a) CLI CPU and wall time on ${size} tasks, ${config.runs} interleaved runs per command`);
    const cli = await measureCliLatency({ api, template, plan: sizePlan, workDir: join(work, `cli-${size}`), runs: config.runs, log });
    results.cli.sizes.push(cli);
    for (const { mode, baseline, commands } of cli.modes) {
      cliRows.push([size.toLocaleString('en-US'), mode, '`node -e 0` (baseline)', `${ms(baseline.cpuMs.median)}`, '1.00x', `${ms(baseline.wallMs.median)}`, '1.00x', 'info']);
      for (const c of commands) {
        if (c.failure) {
          cliRows.push([size.toLocaleString('en-US'), mode, `\`${c.command}\``, `failed: ${c.failure.split('\n')[0]}`, '–', '–', '–', '**FAIL**']);
          continue;
        }
        cliRows.push([size.toLocaleString('en-US'), mode, `\`${c.command}\``, ms(c.cpuMs.median), ratioText(c.cpuRatio), ms(c.wallMs.median), ratioText(c.wallRatio), passText(c.pass)]);
      }
    }
  }
}

if (config.only.includes('claims')) {
  log(`(c) claim throughput, ${config.clients} clients, up to ${config.claimSeconds} s per mode`);
  const ready = planBoard(config.tasks).map((task) => ({ ...task, dependsOn: [], done: false }));
  const readyBoard = join(work, 'templates', 'ready.db');
  results.seed.readyBoardSeconds = await seedBatonBoard(api, readyBoard, ready);
  const claims = await measureClaimThroughput({
    template: readyBoard,
    taskCount: config.tasks,
    workDir: work,
    clients: config.clients,
    durationMs: config.claimSeconds * 1000,
  });
  results.claims = claims;
  for (const c of claims) {
    const errors = Object.keys(c.errors).length > 0 ? `, errors ${JSON.stringify(c.errors)}` : '';
    rows.push([
      `claims/s, ${c.clients} clients, ${c.mode}`,
      `${c.claimsPerSecond}/s (${c.claims} in ${c.seconds} s; p99 claim ${ms(c.claimLatencyMs.p99)}; ${c.claimsPerCpuSecond}/CPU-s${errors})`,
      '–',
      `≥ ${c.target}/s`,
      passText(c.pass),
    ]);
  }
}

if (config.only.includes('feed')) {
  log(`(d) event feed: ${config.feedEvents} events, then ${config.idleSeconds} s idle`);
  const feed = await measureEventFeed({ api, template: board, workDir: work, events: config.feedEvents, idleSeconds: config.idleSeconds });
  results.feed = feed;
  rows.push([
    `\`watch --follow --json\` commit-to-print latency (${feed.latency.n} events)`,
    `${ms(feed.latency.median)} (p95 ${ms(feed.latency.p95)}${feed.latency.missed ? `, ${feed.latency.missed} missed` : ''})`,
    '–',
    `p95 ≤ ${feed.latency.target} ms`,
    passText(feed.latency.pass),
  ]);
  rows.push([
    `follower CPU while idle for ${feed.idle.seconds} s`,
    `${feed.idle.cpuMs} ms utime+stime (${feed.idle.schedstatCpuMs ?? '–'} ms on-CPU by schedstat)`,
    '–',
    `≤ ${feed.idle.target} ms`,
    passText(feed.idle.pass),
  ]);
}

machine.loadAverageAtEnd = loadavg().map((value) => Math.round(value * 100) / 100);
const where = `node ${machine.node}, ${machine.cpuCount} CPUs, load ${machine.loadAverageAtStart.join('/')} at start and ${machine.loadAverageAtEnd.join('/')} at end, ${machine.date}, commit ${source.commit}${source.uncommittedSrcFiles ? ` + ${source.uncommittedSrcFiles} uncommitted src files` : ''}`;
let table = '';
if (cliRows.length > 0) {
  table += `### baton's commands against \`node -e 0\` (target ≤ ${CLI_TARGET_RATIO}x in CPU and in median wall time) — ${where}\n\n`;
  table += `${markdownTable(['Tasks', 'Actor', 'Command', 'CPU (median)', 'CPU ratio', 'Wall (median)', 'Wall ratio', 'Result'], cliRows)}\n\n`;
}
if (rows.length > 0) {
  table += `### baton on a ${config.tasks}-task board — ${where}\n\n${markdownTable(['Metric', 'Median (or value)', 'Ratio to `node -e 0`', 'Target', 'Result'], rows)}\n`;
}
process.stdout.write(`\n${table}`);
results.table = table;
const out = join(REPO_ROOT, 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'board.json'), `${JSON.stringify(results, null, 2)}\n`);
log(`wrote bench/results/board.json`);
