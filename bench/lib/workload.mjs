// The workload every tool is seeded with: the same tasks, priorities, dependencies and done set,
// generated from a fixed seed so runs and tools are comparable.

export const DONE_FRACTION = 0.2;

/** mulberry32: a tiny deterministic PRNG, enough to spread priorities and edges. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['parser', 'login', 'cache', 'schema', 'queue', 'report', 'export', 'billing', 'search', 'upload', 'session', 'index'];
const VERBS = ['Fix', 'Add', 'Refactor', 'Document', 'Test', 'Speed up', 'Remove', 'Migrate'];

/**
 * `count` tasks numbered 1..count. Every third task depends on one or two earlier tasks (so a
 * third of the board has dependencies); the oldest `DONE_FRACTION` are done, and since edges
 * only point backwards, every done task's blockers are done too.
 */
export function planBoard(count, seed = 42) {
  const next = random(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const doneBelow = Math.floor(count * DONE_FRACTION);
  const tasks = [];
  for (let index = 1; index <= count; index++) {
    const dependsOn = [];
    if (index % 3 === 0) {
      const edges = next() < 0.5 ? 1 : 2;
      for (let e = 0; e < edges; e++) {
        // Mostly recent work (a feature's steps), sometimes anything earlier.
        const span = next() < 0.8 ? Math.min(index - 1, 50) : index - 1;
        const target = index - 1 - Math.floor(next() * span);
        if (target >= 1 && !dependsOn.includes(target)) dependsOn.push(target);
      }
    }
    tasks.push({
      index,
      title: `${pick(VERBS)} ${pick(WORDS)} ${index}`,
      description: `Bench task ${index}: ${pick(VERBS).toLowerCase()} the ${pick(WORDS)} module and its tests.`,
      priority: Math.min(4, Math.floor(next() * next() * 5 + next() * 2)),
      labels: next() < 0.3 ? [pick(WORDS)] : [],
      dependsOn,
      done: index <= doneBelow,
    });
  }
  return tasks;
}

/** A task id the read commands look at: open, with dependencies, late in the board. */
export function showTarget(plan) {
  for (let i = plan.length - 1; i >= 0; i--) if (!plan[i].done && plan[i].dependsOn.length > 0) return plan[i].index;
  return plan.length;
}

/** Open tasks with no dependencies, newest first: safe to claim or complete by id. */
export function freeOpenTasks(plan) {
  return plan.filter((task) => !task.done && task.dependsOn.length === 0).map((task) => task.index).reverse();
}
