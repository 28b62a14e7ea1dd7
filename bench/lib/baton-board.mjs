// Builds baton boards through the real store API and hands out copies of them.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { boardDeps } from './store-api.mjs';

export const SEED_ACTOR = 'seeder';

/** The `add` input for one planned task. */
function addInput(task) {
  return {
    title: task.title,
    description: task.description,
    kind: 'task',
    priority: task.priority,
    assignee: null,
    labels: task.labels,
    due: null,
    parentId: null,
    acceptance: [],
    verify: [],
    resources: [],
    links: [],
    dependsOn: task.dependsOn.map((id) => ({ id, type: 'blocks' })),
  };
}

/**
 * Creates `path` and seeds it with `plan` through the use cases (addTask, completeTask), so the
 * board holds exactly what the CLI would have written, events included. Returns seconds taken.
 */
export async function seedBatonBoard(api, path, plan) {
  removeBoard(path);
  mkdirSync(dirname(path), { recursive: true });
  const started = performance.now();
  const store = api.SqliteBoardStore.open(path, { create: true });
  const deps = boardDeps(store, SEED_ACTOR);
  try {
    for (const task of plan) {
      const created = await api.addTask(deps, addInput(task));
      if (created.id !== task.index) throw new Error(`seeding: expected task #${task.index}, the store gave #${created.id}`);
    }
    for (const task of plan) {
      if (task.done) await api.completeTask(deps, task.index, { message: 'seeded', force: false });
    }
  } finally {
    await store.close();
  }
  assertFolded(path);
  return (performance.now() - started) / 1000;
}

/** The last connection's close checkpoints the WAL into the main file; a copy of it is whole. */
export function assertFolded(path) {
  if (existsSync(`${path}-wal`)) throw new Error(`${path}-wal is still there after closing the board; a copy would lose data`);
}

export function removeBoard(path) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

/** A fresh copy of a folded board at `dest` (its old WAL and shared memory removed). */
export function copyBoard(template, dest) {
  mkdirSync(dirname(dest), { recursive: true });
  removeBoard(dest);
  copyFileSync(template, dest);
}
