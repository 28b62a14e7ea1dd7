// Backlog.md (npm `backlog.md`, CLI `backlog`): one Markdown file with YAML front matter per
// task under backlog/tasks/. Seeding: `backlog init` through the real CLI, then the task files
// are written directly in the format `backlog task create` writes (checked by reading one back).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PRIORITY = ['high', 'high', 'medium', 'low', 'low'];

function frontMatterList(values) {
  return values.length === 0 ? ' []' : `\n${values.map((value) => `  - ${value}`).join('\n')}`;
}

function taskFile(task) {
  const lines = [
    '---',
    `id: TASK-${task.index}`,
    `title: ${task.title}`,
    `status: ${task.done ? 'Done' : 'To Do'}`,
    'assignee: []',
    `created_date: '2026-01-01 00:00'`,
    `labels:${frontMatterList(task.labels)}`,
    `dependencies:${frontMatterList(task.dependsOn.map((id) => `TASK-${id}`))}`,
    `priority: ${PRIORITY[task.priority]}`,
    `ordinal: ${task.index * 1000}`,
    '---',
    '',
    '## Description',
    '',
    '<!-- SECTION:DESCRIPTION:BEGIN -->',
    task.description,
    '<!-- SECTION:DESCRIPTION:END -->',
    '',
  ];
  return lines.join('\n');
}

export const backlogPeer = {
  name: 'backlog.md',
  package: 'backlog.md',
  storage: 'one Markdown file per task (YAML front matter) in backlog/tasks/',
  seeding: '`backlog init` via the CLI, then task files written directly in the format `backlog task create` produces',
  claimNext: 'none (no command both picks and takes a task)',

  command(peers) {
    return { file: process.execPath, prefix: [join(peers, 'node_modules', 'backlog.md', 'cli.js')] };
  },

  versionArgs: ['--version'],

  seed(dir, plan, run) {
    run(['init', 'bench', '--defaults', '--integration-mode', 'none', '--check-branches', 'false', '--include-remote', 'false', '--auto-open-browser', 'false']);
    const tasks = join(dir, 'backlog', 'tasks');
    mkdirSync(tasks, { recursive: true });
    for (const task of plan) {
      writeFileSync(join(tasks, `task-${task.index} - ${task.title.replace(/[^A-Za-z0-9]+/g, '-')}.md`), taskFile(task));
    }
  },

  id: (index) => `TASK-${index}`,

  args: {
    create: (title, description) => ['task', 'create', title, '-d', description, '--priority', 'medium'],
    list: () => ['task', 'list', '-s', 'To Do', '--limit', '50', '--json'],
    show: (id) => ['task', 'view', id, '--json'],
    ready: () => ['task', 'list', '--ready', '--limit', '20', '--json'],
    claim: (id) => ['task', 'edit', id, '-s', 'In Progress', '-a', '@bench-agent'],
    claimNext: null,
    complete: (id) => ['task', 'edit', id, '-s', 'Done'],
  },
};
