// `baton serve`'s event fan-out: BENCH_SSE_CLIENTS (100) clients on the SSE stream, events
// committed by one-shot `baton note` CLI processes, and each event's latency at every client
// from the time its writer stamped it (`event.at`, read just before the commit, so the number
// includes the commit) to the moment the client parsed it. Then the server idle: its CPU over
// BENCH_IDLE_SECONDS (10) with every client still connected, and its resident memory.
// Prints a table and writes bench/results/serve.json. Run with `npm run build && node bench/serve.mjs`.
// Knobs: BENCH_SSE_CLIENTS, BENCH_SSE_EVENTS (30), BENCH_IDLE_SECONDS, BENCH_KEEP=1.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { BATON_BIN, cliEnv } from './lib/cli-latency.mjs';
import { intFromEnv, scratchDir } from './lib/config.mjs';
import { runAsync } from './lib/follow-feed.mjs';
import { machineInfo, sourceInfo } from './lib/machine.mjs';
import { markdownTable, percentile, round } from './lib/stats.mjs';
import { REPO_ROOT } from './lib/store-api.mjs';

const P95_TARGET_MS = 100;
const RSS_TARGET_MB = 120;
const config = { clients: intFromEnv('BENCH_SSE_CLIENTS', 100), events: intFromEnv('BENCH_SSE_EVENTS', 30), idleSeconds: intFromEnv('BENCH_IDLE_SECONDS', 10), pauseMs: 100 };
const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const cwd = join(scratchDir('baton-bench-serve-'), 'repo');
mkdirSync(cwd, { recursive: true });
await runAsync('git', ['init', '-q', cwd], {});
await runAsync(process.execPath, [BATON_BIN, 'init'], { cwd, env: cliEnv('bench') });
await runAsync(process.execPath, [BATON_BIN, 'add', 'the task the writers note on'], { cwd, env: cliEnv('bench') });

const server = spawn(process.execPath, [BATON_BIN, 'serve', '--port', '0', '--json'], { cwd, env: cliEnv('bench'), stdio: ['ignore', 'pipe', 'pipe'] });
const started = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (chunk) => {
    out += chunk;
    if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
  });
  server.on('exit', (code) => reject(new Error(`baton serve exited (${code})`)));
});
log(`server at ${started.url}; ${config.clients} clients, ${config.events} events from \`baton note\` processes`);

/** One SSE client: the arrival time of every event id it parsed. */
function connect() {
  const received = new Map();
  return new Promise((resolve, reject) => {
    const req = request(`${started.url}/api/events/stream?after=1`, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buffer += chunk;
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop();
        for (const block of blocks) {
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (data === undefined) continue;
          const { event } = JSON.parse(data.slice(6));
          received.set(event.id, { arrivedAt: now(), stampedAt: Date.parse(event.at) });
        }
      });
      resolve({ received, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

const clients = await Promise.all(Array.from({ length: config.clients }, () => connect()));
const ids = [];
try {
  for (let index = 0; index < config.events; index++) {
    await runAsync(process.execPath, [BATON_BIN, 'note', '1', `bench note ${index}`], { cwd, env: cliEnv('writer') });
    ids.push(index + 2);
    await sleep(config.pauseMs);
  }
  const deadline = now() + 10_000;
  while (now() < deadline && !clients.every((client) => ids.every((id) => client.received.has(id)))) await sleep(50);
  const latencies = [];
  let missed = 0;
  for (const client of clients) {
    for (const id of ids) {
      const got = client.received.get(id);
      if (got === undefined) missed++;
      else latencies.push(got.arrivedAt - got.stampedAt);
    }
  }
  await sleep(1000);
  const cpuBefore = cpuMs(server.pid);
  await sleep(config.idleSeconds * 1000);
  const idleCpuMs = cpuMs(server.pid) - cpuBefore;
  const rss = rssMb(server.pid);
  const fanout = {
    n: latencies.length,
    missed,
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    max: round(Math.max(...latencies)),
    target: P95_TARGET_MS,
    pass: missed === 0 && percentile(latencies, 95) <= P95_TARGET_MS,
  };
  const idle = { seconds: config.idleSeconds, cpuMs: round(idleCpuMs), rssMb: round(rss), rssTarget: RSS_TARGET_MB, pass: rss <= RSS_TARGET_MB };
  const results = { machine: machineInfo(), source: sourceInfo(REPO_ROOT), config, fanout, idle };
  console.log(markdownTable(
    ['measure', 'value', 'target'],
    [
      [`event fan-out to ${config.clients} SSE clients, p50 / p95 / p99 / max`, `${fanout.p50} / ${fanout.p95} / ${fanout.p99} / ${fanout.max} ms (${fanout.n} deliveries, ${missed} missed)`, `p95 ≤ ${P95_TARGET_MS} ms ${fanout.pass ? '✓' : '✗'}`],
      [`server CPU over ${config.idleSeconds} s idle, ${config.clients} clients connected`, `${idle.cpuMs} ms`, '–'],
      ['server resident memory', `${idle.rssMb} MB`, `≤ ${RSS_TARGET_MB} MB ${idle.pass ? '✓' : '✗'}`],
    ],
  ));
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'bench', 'results', 'serve.json'), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  for (const client of clients) client.close();
  server.kill('SIGTERM');
}
