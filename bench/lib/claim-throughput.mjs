// (c) Claims per second sustained by 8 long-lived clients sharing one board file.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { copyBoard } from './baton-board.mjs';
import { percentile, round, summarize } from './stats.mjs';

const WORKER = fileURLToPath(new URL('./claim-worker.mjs', import.meta.url));
export const CLAIMS_TARGET_PER_S = 2000;

function once(child, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message?.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code) => reject(new Error(`claim worker exited (${code}) before '${type}'`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * One phase: `clients` workers on a fresh copy of `template`, each claiming by id (disjoint
 * slices of `ids`) or with claimNext, until their slice is done or `durationMs` passes.
 */
async function phase({ template, db, mode, ids, clients, durationMs }) {
  copyBoard(template, db);
  const children = Array.from({ length: clients }, () => fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  try {
    const ready = children.map((child) => once(child, 'ready'));
    children.forEach((child, k) => {
      child.send({ db, mode, actor: `agent-${k + 1}`, durationMs, ids: mode === 'id' ? ids.filter((_, i) => i % clients === k) : [] });
    });
    await Promise.all(ready);
    const done = children.map((child) => once(child, 'done'));
    for (const child of children) child.send({ type: 'go' });
    const results = await Promise.all(done);
    const claims = results.reduce((sum, r) => sum + r.claims, 0);
    const seconds = (Math.max(...results.map((r) => r.endMs)) - Math.min(...results.map((r) => r.startMs))) / 1000;
    const errors = {};
    for (const r of results) for (const [code, n] of Object.entries(r.errors)) errors[code] = code === 'sample' ? n : (errors[code] ?? 0) + n;
    const perSecond = claims / seconds;
    const cpuMs = results.reduce((sum, r) => sum + r.cpuMs, 0);
    return {
      mode: mode === 'id' ? 'claimTask (by id)' : 'claimNext',
      clients,
      claims,
      seconds: round(seconds, 3),
      claimsPerSecond: round(perSecond, 0),
      claimLatencyMs: { ...summarize(results.flatMap((r) => r.latencies)), p99: round(percentile(results.flatMap((r) => r.latencies), 99)) },
      // Load-independent view: what one core does, summed over the workers' own CPU time.
      workerCpuMs: round(cpuMs, 0),
      claimsPerCpuSecond: round(claims / (cpuMs / 1000), 0),
      errors,
      target: CLAIMS_TARGET_PER_S,
      pass: perSecond >= CLAIMS_TARGET_PER_S && !errors.UNEXPECTED,
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}

export async function measureClaimThroughput({ template, taskCount, workDir, clients = 8, durationMs = 5000 }) {
  const ids = Array.from({ length: taskCount }, (_, i) => i + 1);
  const db = `${workDir}/claims/board.db`;
  const byId = await phase({ template, db, mode: 'id', ids, clients, durationMs });
  const next = await phase({ template, db, mode: 'next', ids, clients, durationMs });
  return [byId, next];
}
