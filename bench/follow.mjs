// `watch --follow` against writers in other processes, as agents really write: one-shot
// `baton note` CLI processes and one process that holds the board open and writes in a loop.
// Several followers; every event's commit-to-delivery latency at every follower (p50/p90/p99/
// max), first on a quiet machine and then with CPU hogs running; then the followers' CPU over an
// idle stretch beside a Node process that does nothing. Prints a table and writes
// bench/results/follow.json. Run with `npm run bench:follow` (Linux: CPU comes from /proc).
// Knobs: BENCH_FOLLOWERS, BENCH_CLI_EVENTS, BENCH_CLI_WRITERS, BENCH_LOOP_EVENTS, BENCH_LOAD
// (CPU hogs in the loaded phase), BENCH_IDLE_SECONDS, BENCH_PHASES=quiet,loaded, BENCH_KEEP=1.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { BATON_BIN, cliEnv } from './lib/cli-latency.mjs';
import { intFromEnv, listFromEnv, scratchDir } from './lib/config.mjs';
import {
  awaitDelivery, bundleWriterApi, cliWrites, deliveryLatencies, eventsSince, idleCpu, latencySummary, loopWrites, runAsync, startBusyLoad, startFollower, startPipeReference,
} from './lib/follow-feed.mjs';
import { machineInfo, sourceInfo } from './lib/machine.mjs';
import { markdownTable } from './lib/stats.mjs';
import { REPO_ROOT } from './lib/store-api.mjs';

const config = {
  followers: intFromEnv('BENCH_FOLLOWERS', 4),
  cliEvents: intFromEnv('BENCH_CLI_EVENTS', 150),
  cliWriters: intFromEnv('BENCH_CLI_WRITERS', 2),
  loopEvents: intFromEnv('BENCH_LOOP_EVENTS', 150),
  load: intFromEnv('BENCH_LOAD', 2),
  idleSeconds: intFromEnv('BENCH_IDLE_SECONDS', 30),
  idleSettleSeconds: intFromEnv('BENCH_IDLE_SETTLE_SECONDS', 15),
  phases: listFromEnv('BENCH_PHASES', ['quiet', 'loaded']),
  cliPauseMs: [0, 100],
  loopPauseMs: [10, 200],
};
const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const ms = (value) => (value === null || value === undefined ? '–' : `${value.toFixed(1)} ms`);

const machine = machineInfo();
const source = sourceInfo(REPO_ROOT);
const cwd = join(scratchDir('baton-bench-follow-'), 'repo');
mkdirSync(cwd, { recursive: true });
await runAsync('git', ['init', '-q', cwd], {});
await runAsync(process.execPath, [BATON_BIN, 'init'], { cwd, env: cliEnv('bench') });
await runAsync(process.execPath, [BATON_BIN, 'add', 'the task the CLI writers note on'], { cwd, env: cliEnv('bench') });
const db = join(cwd, '.git', 'baton', 'baton.db');
const bundle = await bundleWriterApi();

const followers = Array.from({ length: config.followers }, (_, i) => startFollower(cwd, i));
const results = { machine, source, config, phases: [] };
const rows = [];
try {
  await awaitDelivery(followers, [1], 30_000);
  if (!followers.every((f) => f.received.has(1))) throw new Error(`a follower printed nothing within 30 s: ${followers.map((f) => f.stderr()).join('\n')}`);
  for (const phase of config.phases) {
    const hogs = phase === 'loaded' ? config.load : 0;
    log(`${phase}: ${config.cliEvents} events from \`baton note\` processes (${config.cliWriters} at a time) and ${config.loopEvents} from a looping writer, ${config.followers} followers, ${hogs} CPU hogs`);
    const since = Math.max(...followers.flatMap((f) => [...f.received.keys()]));
    const stopLoad = startBusyLoad(hogs);
    const stopReference = startPipeReference();
    const load = loadavg()[0];
    try {
      const [, loopCommits] = await Promise.all([
        cliWrites({ cwd, taskId: 1, count: config.cliEvents, concurrency: config.cliWriters, pauseMs: config.cliPauseMs }),
        loopWrites({ bundle, db, count: config.loopEvents, pauseMs: config.loopPauseMs }),
      ]);
      const events = await eventsSince(cwd, since);
      await awaitDelivery(followers, events.map((e) => e.id), 10_000);
      // The looping writer reports when each commit returned. A `baton note` process cannot, so
      // its events count from their own time, stamped just before the write transaction begins:
      // that adds the transaction (and any wait for the write lock) to the figure, never removes.
      const committedAt = (e) => (e.actor === 'loop-writer' ? loopCommits.get(e.taskId) : Date.parse(e.at));
      const byWriter = (cli) => events.filter((e) => (e.actor === 'loop-writer') !== cli);
      const summarize = (subset) => {
        const { latencies, missed } = deliveryLatencies(followers, subset, committedAt);
        return latencySummary(latencies, missed);
      };
      const summaries = { cli: summarize(byWriter(true)), loop: summarize(byWriter(false)), all: summarize(events) };
      const floor = latencySummary(stopReference(), 0);
      results.phases.push({ phase, hogs, loadAverage1m: Math.round(load * 100) / 100, loadAverage1mAtEnd: Math.round(loadavg()[0] * 100) / 100, events: events.length, ...summaries, pipeRoundTrip: floor });
      for (const [writer, s] of Object.entries(summaries)) {
        rows.push([
          `${phase}${hogs ? ` (${hogs} CPU hogs)` : ''}, ${writer === 'cli' ? '`baton note` processes' : writer === 'loop' ? 'looping writer process' : '**all**'}`,
          `${s.n}${s.missed ? ` (${s.missed} missed)` : ''}`,
          ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), String(s.over100ms),
          writer === 'all' ? (s.pass ? 'pass' : '**FAIL**') : 'info',
        ]);
      }
      rows.push([`${phase}, reference: a pipe round trip to an idle Node process`, String(floor.n), ms(floor.p50), ms(floor.p90), ms(floor.p99), ms(floor.max), String(floor.over100ms), 'floor']);
    } finally {
      stopReference();
      stopLoad();
    }
  }
  log(`idle: followers' CPU over ${config.idleSeconds} s, from ${config.idleSettleSeconds} s after the last write`);
  results.idle = await idleCpu(followers, config.idleSeconds, config.idleSettleSeconds);
} finally {
  await Promise.all(followers.map((f) => f.stop()));
}

const latencyTable = markdownTable(['Phase, writers', 'deliveries', 'p50', 'p90', 'p99', 'max', '> 100 ms', `p99 ≤ ${results.phases[0]?.all.target ?? 50} ms`], rows);
const idle = results.idle;
const idleTable = markdownTable(
  ['Process', `on-CPU over ${idle.seconds} s idle (schedstat)`, 'utime+stime (10 ms ticks)', 'main-thread wake-ups'],
  [
    ...idle.followers.map((f, i) => [`follower ${i + 1}`, ms(f.onCpuMs), `${f.tickMs} ms`, String(f.wakeUps)]),
    ['a Node process doing nothing (reference)', ms(idle.idleNode.onCpuMs), `${idle.idleNode.tickMs} ms`, String(idle.idleNode.wakeUps)],
  ],
);
const title = `watch --follow with writers in other processes — node ${machine.node}, ${machine.cpuCount} CPUs, load ${machine.loadAverageAtStart.join('/')}, ${machine.date}, commit ${source.commit}${source.uncommittedSrcFiles ? ` + ${source.uncommittedSrcFiles} uncommitted src files` : ''}`;
process.stdout.write(`\n### ${title}\n\n${latencyTable}\n\n${idleTable}\n`);
results.tables = { latency: latencyTable, idle: idleTable };
const out = join(REPO_ROOT, 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'follow.json'), `${JSON.stringify(results, null, 2)}\n`);
log('wrote bench/results/follow.json');
