// Baton's own performance targets on a 10,000-task board:
//   (a) CLI commands within 1.3x the wall time of `node -e 0`,
//   (c) 8 long-lived clients sustaining 2,000 claims/s,
//   (d) the event feed printing a commit within 250 ms and idling at ~0 CPU.
// Prints a Markdown table and writes bench/results/board.json. Run with `npm run bench`.
// Knobs: BENCH_TASKS, BENCH_RUNS, BENCH_CLAIM_SECONDS, BENCH_CLIENTS, BENCH_FEED_EVENTS,
// BENCH_IDLE_SECONDS, BENCH_ONLY=cli,claims,feed, BENCH_KEEP=1 (keep the scratch folder).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedBatonBoard } from './lib/baton-board.mjs';
import { measureClaimThroughput } from './lib/claim-throughput.mjs';
import { measureCliLatency } from './lib/cli-latency.mjs';
import { intFromEnv, listFromEnv, scratchDir } from './lib/config.mjs';
import { measureEventFeed } from './lib/event-feed.mjs';
import { machineInfo, sourceInfo } from './lib/machine.mjs';
import { markdownTable, ratioText } from './lib/stats.mjs';
import { loadStoreApi, REPO_ROOT } from './lib/store-api.mjs';
import { planBoard } from './lib/workload.mjs';

const config = {
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
log(`seeding a ${config.tasks}-task board (a third with dependencies) through the store API`);
results.seed.boardSeconds = await seedBatonBoard(api, board, plan);
log(`seeded in ${results.seed.boardSeconds.toFixed(1)} s`);

if (config.only.includes('cli')) {
  log(`(a) CLI wall time, ${config.runs} interleaved runs per command`);
  const cli = await measureCliLatency({ api, template: board, plan, workDir: work, runs: config.runs });
  results.cli = cli;
  rows.push([`\`${cli.baseline.command}\` (baseline)`, `${ms(cli.baseline.median)} (p95 ${ms(cli.baseline.p95)})`, '1.00x', '–', 'info']);
  for (const c of cli.commands) {
    const value = c.failure ? `failed: ${c.failure.split('\n')[0]}` : `${ms(c.median)} (p95 ${ms(c.p95)})`;
    rows.push([`\`${c.command}\``, value, ratioText(c.ratioToNode), c.target ? `≤ ${c.target}x` : '–', passText(c.pass)]);
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

const title = `baton on a ${config.tasks}-task board — node ${machine.node}, ${machine.cpuCount} CPUs, load ${machine.loadAverageAtStart.join('/')}, ${machine.date}, commit ${source.commit}${source.uncommittedSrcFiles ? ` + ${source.uncommittedSrcFiles} uncommitted src files` : ''}`;
const table = markdownTable(['Metric', 'Median (or value)', 'Ratio to `node -e 0`', 'Target', 'Result'], rows);
process.stdout.write(`\n### ${title}\n\n${table}\n`);
results.table = table;
const out = join(REPO_ROOT, 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'board.json'), `${JSON.stringify(results, null, 2)}\n`);
log(`wrote bench/results/board.json`);
