// Task Master (npm `task-master-ai`, CLI `task-master`): every task of a tag lives in one JSON
// file, .taskmaster/tasks/tasks.json ({"master": {"tasks": [...]}}). Seeding: `task-master init`
// through the CLI, then tasks.json written directly. Its anonymous telemetry is switched off in
// .taskmaster/config.json (this machine has no network beyond npm; the CLI would try to send it).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PRIORITY = ['high', 'high', 'medium', 'low', 'low'];

export const taskMasterPeer = {
  name: 'task-master',
  package: 'task-master-ai',
  storage: 'one JSON file per project, .taskmaster/tasks/tasks.json, tasks grouped by tag',
  seeding: '`task-master init -y` via the CLI, then .taskmaster/tasks/tasks.json written directly; anonymousTelemetry set to false',
  claimNext: 'none (`task-master next` names the next task but does not take it)',

  command(peers) {
    return { file: process.execPath, prefix: [join(peers, 'node_modules', 'task-master-ai', 'dist', 'task-master.js')] };
  },

  versionArgs: ['--version'],

  seed(dir, plan, run) {
    run(['init', '-y', '--skip-install', '--no-aliases', '--no-git', '--no-git-tasks', '--rules', 'cursor']);
    const configFile = join(dir, '.taskmaster', 'config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8'));
    config.global = { ...config.global, anonymousTelemetry: false };
    writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
    const at = '2026-01-01T00:00:00.000Z';
    const tasks = plan.map((task) => ({
      id: task.index,
      title: task.title,
      description: task.description,
      details: '',
      testStrategy: '',
      status: task.done ? 'done' : 'pending',
      dependencies: task.dependsOn,
      priority: PRIORITY[task.priority],
      subtasks: [],
    }));
    mkdirSync(join(dir, '.taskmaster', 'tasks'), { recursive: true });
    const file = { master: { tasks, metadata: { created: at, updated: at, description: 'Tasks for master context' } } };
    writeFileSync(join(dir, '.taskmaster', 'tasks', 'tasks.json'), JSON.stringify(file, null, 2));
  },

  id: (index) => String(index),

  args: {
    create: (title, description) => ['add-task', '-t', title, '-d', description, '--priority', 'medium'],
    // No --limit: the closest equivalents print every matching task.
    list: () => ['list', '--status', 'pending', '--json'],
    show: (id) => ['show', id, '--json'],
    ready: () => ['list', '--ready', '--json'],
    claim: (id) => ['set-status', '--id', id, '--status', 'in-progress'],
    claimNext: null,
    complete: (id) => ['set-status', '--id', id, '--status', 'done'],
  },
};
