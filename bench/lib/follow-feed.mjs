// Followers against writers in other processes: how long after its commit each event reaches
// every `watch --follow --json` process, and what the followers cost while the board is idle.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { bundlePath, bundleSource } from './bundle-source.mjs';
import { BATON_BIN, cliEnv } from './cli-latency.mjs';
import { percentile, round } from './stats.mjs';

export const FOLLOW_P99_TARGET_MS = 50;
const WRITER = join(import.meta.dirname, 'follow-writer.mjs');

const now = () => performance.timeOrigin + performance.now();

/** A `watch --follow --json` process and the time each event's line reached us. */
export function startFollower(cwd, index) {
  const child = spawn(process.execPath, [BATON_BIN, 'watch', '--follow', '--json'], {
    cwd,
    env: cliEnv(`follower-${index}`),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const received = new Map(); // event id -> ms since the epoch when its line arrived
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.on('data', (chunk) => {
    const arrivedAt = now();
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const { event } = JSON.parse(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      if (event && !received.has(event.id)) received.set(event.id, arrivedAt);
    }
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    received,
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      if ((await Promise.race([exited, sleep(5000, 'timeout')])) === 'timeout') child.kill('SIGKILL');
    },
  };
}

/** Runs a command to its end without blocking the event loop (followers' lines keep arriving). */
export function runAsync(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

/** The board's events after `since`, as `baton watch --json` prints them. */
export async function eventsSince(cwd, since) {
  const out = await runAsync(process.execPath, [BATON_BIN, 'watch', '--json', '--since', String(since)], { cwd, env: cliEnv('bench') });
  return JSON.parse(out).events;
}

/** `count` one-shot `baton note` processes, `concurrency` at a time, each after a random pause. */
export async function cliWrites({ cwd, taskId, count, concurrency, pauseMs }) {
  let next = 0;
  const slot = async (slotIndex) => {
    while (next < count) {
      const n = ++next;
      await sleep(pauseMs[0] + Math.random() * (pauseMs[1] - pauseMs[0]));
      await runAsync(process.execPath, [BATON_BIN, 'note', String(taskId), `cli write ${n}`], { cwd, env: cliEnv(`cli-writer-${slotIndex}`) });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => slot(i)));
}

/** The store and `addTask` from src/, for the looping writer; this process's own copy, removed at exit. */
export async function bundleWriterApi() {
  const outfile = bundlePath(`follow-writer-${process.pid}`);
  await bundleSource("export { SqliteBoardStore } from './src/adapters/db/sqlite-store.ts';\nexport { addTask } from './src/app/add-task.ts';\n", outfile);
  process.once('exit', () => rmSync(outfile, { force: true }));
  return outfile;
}

/**
 * One process that holds the board open and adds `count` tasks, a random pause before each.
 * Resolves with the time each task's transaction committed, by task id, as the writer saw it.
 */
export async function loopWrites({ bundle, db, count, pauseMs }) {
  const out = await runAsync(process.execPath, [WRITER, bundle, db, String(count), String(pauseMs[0]), String(pauseMs[1])], { env: cliEnv('loop-writer') });
  return new Map(out.trim().split('\n').map((line) => line.split(' ').map(Number)));
}

/** `n` processes spinning on the CPU until stopped: the load agents and test runs put on a machine. */
export function startBusyLoad(n) {
  const hogs = Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  return () => {
    for (const hog of hogs) hog.kill('SIGKILL');
  };
}

/** Waits until every follower has printed every one of `ids`, or `timeoutMs` passed. */
export async function awaitDelivery(followers, ids, timeoutMs) {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    if (followers.every((f) => ids.every((id) => f.received.has(id)))) return;
    await sleep(50);
  }
}

/**
 * Latency of every (follower, event) pair: the line's arrival minus `committedAt(event)`, the
 * time the writer saw its commit (every process on this machine reads the same clock).
 */
export function deliveryLatencies(followers, events, committedAt) {
  const latencies = [];
  let missed = 0;
  for (const follower of followers) {
    for (const event of events) {
      const arrivedAt = follower.received.get(event.id);
      if (arrivedAt === undefined) missed++;
      else latencies.push(arrivedAt - committedAt(event));
    }
  }
  return { latencies, missed };
}

export function latencySummary(latencies, missed) {
  const p99 = percentile(latencies, 99);
  return {
    n: latencies.length,
    missed,
    p50: round(percentile(latencies, 50)),
    p90: round(percentile(latencies, 90)),
    p99: round(p99),
    max: round(Math.max(...latencies)),
    over100ms: latencies.filter((ms) => ms > 100).length,
    target: FOLLOW_P99_TARGET_MS,
    pass: missed === 0 && p99 <= FOLLOW_P99_TARGET_MS,
  };
}

/** On-CPU time of every thread of a process in milliseconds (schedstat, nanosecond resolution). */
export function onCpuMs(pid) {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended between the listing and the read took its time with it.
    }
  }
  return ns / 1e6;
}

/** utime + stime in milliseconds from /proc/<pid>/stat (10 ms ticks on Linux). */
export function tickCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** How often a process's main thread gave up the CPU to wait: its wake-ups, give or take one. */
export function mainThreadWaits(pid) {
  const status = readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8');
  return Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
}

/**
 * CPU time and main-thread wake-ups of each follower over `seconds` of an idle board, beside a
 * Node process that does nothing at all (a timer a year away) measured over the same window.
 * It starts `settleSeconds` after the last write: the JavaScript engine collects garbage a few
 * times on its own timers after a burst of work, and that is Node's, not the follower's.
 */
export async function idleCpu(followers, seconds, settleSeconds) {
  const reference = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 2 ** 31 - 1)'], { stdio: 'ignore' });
  await sleep(settleSeconds * 1000);
  const pids = [...followers.map((f) => f.child.pid), reference.pid];
  const sample = () => pids.map((pid) => [onCpuMs(pid), tickCpuMs(pid), mainThreadWaits(pid)]);
  const before = sample();
  await sleep(seconds * 1000);
  const after = sample();
  reference.kill('SIGKILL');
  const spent = pids.map((_, i) => ({
    onCpuMs: round(after[i][0] - before[i][0], 2),
    tickMs: after[i][1] - before[i][1],
    wakeUps: after[i][2] - before[i][2],
  }));
  return { seconds, settleSeconds, followers: spent.slice(0, -1), idleNode: spent.at(-1) };
}

/**
 * The machine's own floor, measured beside the followers: a line sent down a pipe to an idle
 * Node process and echoed back, every 50 ms. Like a delivery, that is two processes woken in
 * turn; on a busy machine it is slow too, and baton cannot be faster than it.
 */
export function startPipeReference() {
  const echo = spawn(process.execPath, ['-e', 'process.stdin.on("data", (d) => process.stdout.write(d))'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const roundTrips = [];
  let buffered = '';
  echo.stdout.on('data', (chunk) => {
    const arrivedAt = now();
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      roundTrips.push(arrivedAt - Number(buffered.slice(0, newline)));
      buffered = buffered.slice(newline + 1);
    }
  });
  const timer = setInterval(() => echo.stdin.write(`${now()}\n`), 50);
  return () => {
    clearInterval(timer);
    echo.kill('SIGKILL');
    return roundTrips.slice(10); // past its start-up
  };
}
