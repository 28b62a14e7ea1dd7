// Seeds (npm `@os-eco/seeds-cli`, CLI `sd`): a TypeScript CLI run by Bun (its bin is
// src/index.ts with a `#!/usr/bin/env bun` line; we run the `bun` npm package's binary on it).
// Storage: .seeds/issues.jsonl, one JSON object per issue ("the JSONL file IS the database").
// Seeding: `sd init` through the CLI, then issues.jsonl written directly.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The npm package ships the native binary as bin/bun.exe on every platform. */
function bunBinary(peers) {
  return join(peers, 'node_modules', 'bun', 'bin', 'bun.exe');
}

// `sd create` names issues <project>-<4 hex digits>; seeded ones use a fixed prefix, which
// seeds reads like any other id.
const idOf = (index) => `bench-${index.toString(16).padStart(4, '0')}`;

export const seedsPeer = {
  name: 'seeds',
  package: '@os-eco/seeds-cli',
  storage: 'one JSONL file, .seeds/issues.jsonl, rewritten under a lock file on every change',
  seeding: '`sd init` via the CLI, then .seeds/issues.jsonl written directly (blockedBy/blocks both sides, as `sd dep add` does)',
  claimNext: 'none (`sd ready` lists; `sd update --status in_progress` takes a named issue)',

  command(peers) {
    return { file: bunBinary(peers), prefix: [join(peers, 'node_modules', '@os-eco', 'seeds-cli', 'src', 'index.ts')] };
  },

  versionArgs: ['--version'],

  seed(dir, plan, run) {
    run(['init']);
    const blocks = new Map();
    for (const task of plan) for (const target of task.dependsOn) blocks.set(target, [...(blocks.get(target) ?? []), task.index]);
    const at = '2026-01-01T00:00:00.000Z';
    const lines = plan.map((task) => JSON.stringify({
      id: idOf(task.index),
      title: task.title,
      status: task.done ? 'closed' : 'open',
      type: 'task',
      priority: task.priority,
      createdAt: at,
      updatedAt: at,
      description: task.description,
      ...(task.labels.length > 0 && { labels: task.labels }),
      ...(task.dependsOn.length > 0 && { blockedBy: task.dependsOn.map(idOf) }),
      ...(blocks.has(task.index) && { blocks: blocks.get(task.index).map(idOf) }),
      ...(task.done && { closedAt: at, closeReason: 'seeded' }),
    }));
    writeFileSync(join(dir, '.seeds', 'issues.jsonl'), `${lines.join('\n')}\n`);
  },

  id: (index) => idOf(index),

  args: {
    create: (title, description) => ['create', '--title', title, '--description', description, '--priority', '2', '--json'],
    list: () => ['list', '--status', 'open', '--limit', '50', '--json'],
    show: (id) => ['show', id, '--json'],
    ready: () => ['ready', '--limit', '20', '--json'],
    claim: (id) => ['update', id, '--status', 'in_progress', '--assignee', 'bench-agent', '--json'],
    claimNext: null,
    complete: (id) => ['close', id, '--reason', 'done by the bench', '--json'],
  },
};
