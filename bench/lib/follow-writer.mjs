// A long-lived writer for bench/follow.mjs: opens the board once and adds tasks in a loop, each
// after a random pause, as an agent's own process (an MCP server, a runner) would. Prints
// "<task id> <ms since the epoch>" once each write's transaction has committed.
// argv: <store bundle> <board path> <events> <min pause ms> <max pause ms>.
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

const [bundle, db, events, minPauseMs, maxPauseMs] = process.argv.slice(2);
const api = await import(pathToFileURL(bundle).href);
const store = api.SqliteBoardStore.open(db);
const deps = { store, clock: { now: () => new Date() }, actor: 'loop-writer' };
try {
  for (let i = 0; i < Number(events); i++) {
    await sleep(Number(minPauseMs) + Math.random() * (Number(maxPauseMs) - Number(minPauseMs)));
    const task = await api.addTask(deps, {
      title: `loop write ${i + 1}`, description: '', kind: 'task', priority: 2, assignee: null, labels: [], due: null,
      parentId: null, acceptance: [], verify: [], resources: [], links: [], dependsOn: [],
    });
    process.stdout.write(`${task.id} ${performance.timeOrigin + performance.now()}\n`);
  }
} finally {
  await store.close();
}
