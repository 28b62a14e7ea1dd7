// One long-lived client for (c): opens the store once, then claims in a loop when told to go.
// Protocol (IPC): parent sends a job, worker answers {type:'ready'}; parent sends {type:'go'};
// worker answers {type:'done', ...counts} and exits.
import { boardDeps, importStoreApi } from './store-api.mjs';

const api = await importStoreApi();
const now = () => performance.timeOrigin + performance.now();

process.once('message', (job) => {
  const store = api.SqliteBoardStore.open(job.db);
  const deps = boardDeps(store, job.actor);
  const options = { ttlMs: api.DEFAULT_LEASE_TTL_MS, worktree: null, branch: null };
  process.send({ type: 'ready' });
  process.once('message', () => {
    void run(job, deps, options).then(async (result) => {
      await store.close();
      process.send({ type: 'done', ...result }, () => process.disconnect());
    });
  });
});

async function run(job, deps, options) {
  const latencies = [];
  const errors = {};
  const cpuBefore = process.cpuUsage();
  const startMs = now();
  const deadline = startMs + job.durationMs;
  let claims = 0;
  let next = 0;
  while (now() < deadline) {
    if (job.mode === 'id' && next >= job.ids.length) break;
    const before = now();
    try {
      if (job.mode === 'id') await api.claimTask(deps, job.ids[next++], options);
      else await api.claimNext(deps, options);
      claims++;
      latencies.push(now() - before);
    } catch (error) {
      const code = error?.code ?? 'UNEXPECTED';
      errors[code] = (errors[code] ?? 0) + 1;
      if (code === 'NOTHING_READY') break;
      if (code === 'UNEXPECTED') {
        errors.sample = String(error?.stack ?? error);
        break;
      }
    }
  }
  const endMs = now();
  const cpu = process.cpuUsage(cpuBefore);
  return { claims, errors, startMs, endMs, cpuMs: (cpu.user + cpu.system) / 1000, latencies };
}
