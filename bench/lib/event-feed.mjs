// (d) Event feed: commit-to-print latency of a `watch --follow --json` follower, and its CPU
// time while the board is idle.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BATON_BIN, cliEnv, makeBoardRepo } from './cli-latency.mjs';
import { percentile, round, summarize } from './stats.mjs';
import { boardDeps } from './store-api.mjs';

export const FEED_LATENCY_TARGET_MS = 250;
/** "About zero": at most two clock ticks (10 ms each on Linux) over the idle window. */
export const IDLE_CPU_TARGET_MS = 20;

const now = () => performance.timeOrigin + performance.now();

function clockTicksPerSecond() {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(result.stdout?.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
}

/** utime + stime of a process in milliseconds, from /proc/<pid>/stat (Linux only). */
function cpuTimeMs(pid, ticksPerSecond) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; count fields from the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/**
 * On-CPU time of every thread of a process in milliseconds, from /proc/<pid>/task/<tid>/schedstat
 * (nanoseconds, so finer than the 10 ms ticks of /proc/<pid>/stat); null where unavailable.
 */
function schedCpuMs(pid) {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1e6;
  } catch {
    return null;
  }
}

function taskInput(title) {
  return {
    title, description: '', kind: 'task', priority: 2, assignee: null, labels: [], due: null, parentId: null,
    acceptance: [], verify: [], resources: [], links: [], dependsOn: [],
  };
}

export async function measureEventFeed({ api, template, workDir, events = 50, idleSeconds = 10 }) {
  const cwd = join(workDir, 'feed');
  const db = makeBoardRepo(cwd, template);
  const store = api.SqliteBoardStore.open(db);
  const deps = boardDeps(store, 'feed-writer');
  const since = await store.read((tx) => tx.lastEventId());
  const follower = spawn(process.execPath, [BATON_BIN, 'watch', '--follow', '--json', '--since', String(since)], {
    cwd,
    env: cliEnv('feed-follower'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const waiting = new Map(); // task id -> { committedAt, resolve }
  let stderr = '';
  let buffered = '';
  follower.stderr.on('data', (chunk) => (stderr += chunk));
  follower.stdout.on('data', (chunk) => {
    const printedAt = now();
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const { event } = JSON.parse(line);
      const pending = event.type === 'task_created' ? waiting.get(event.taskId) : undefined;
      if (pending) pending.resolve(printedAt - pending.committedAt);
    }
  });
  const exited = new Promise((resolve) => follower.once('exit', resolve));

  /** Writes one task and resolves with the follower's latency, or null after a timeout. */
  const writeAndWait = async (title, timeoutMs) => {
    const task = await api.addTask(deps, taskInput(title));
    const committedAt = now();
    return Promise.race([
      new Promise((resolve) => waiting.set(task.id, { committedAt, resolve })),
      sleep(timeoutMs, null),
    ]);
  };

  try {
    // The first event proves the follower is up and caught up; its latency includes start-up.
    const first = await writeAndWait('feed warm-up', 30_000);
    if (first === null) throw new Error(`the follower printed nothing within 30 s: ${stderr}`);
    const latencies = [];
    let missed = 0;
    for (let i = 0; i < events; i++) {
      await sleep(50 + Math.random() * 150); // apart, so each event wakes an idle follower
      const latency = await writeAndWait(`feed event ${i + 1}`, 5000);
      if (latency === null) missed++;
      else latencies.push(latency);
    }
    await sleep(2000); // let the last burst's garbage collection and compilation settle
    const ticks = clockTicksPerSecond();
    const cpuBefore = cpuTimeMs(follower.pid, ticks);
    const schedBefore = schedCpuMs(follower.pid);
    await sleep(idleSeconds * 1000);
    const idleCpuMs = cpuTimeMs(follower.pid, ticks) - cpuBefore;
    const schedAfter = schedCpuMs(follower.pid);
    const idleSchedMs = schedBefore === null || schedAfter === null ? null : schedAfter - schedBefore;
    const p95 = percentile(latencies, 95);
    return {
      latency: { ...summarize(latencies), missed, target: FEED_LATENCY_TARGET_MS, pass: missed === 0 && p95 <= FEED_LATENCY_TARGET_MS },
      idle: {
        seconds: idleSeconds,
        cpuMs: round(idleCpuMs, 1),
        clockTicksPerSecond: ticks,
        schedstatCpuMs: round(idleSchedMs, 2),
        target: IDLE_CPU_TARGET_MS,
        pass: idleCpuMs <= IDLE_CPU_TARGET_MS,
      },
    };
  } finally {
    follower.kill('SIGTERM');
    const stopped = await Promise.race([exited, sleep(5000, 'timeout')]);
    if (stopped === 'timeout') follower.kill('SIGKILL');
    await store.close();
  }
}
