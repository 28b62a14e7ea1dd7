import type { CommandSpec } from '../command.js';
import { DEFAULT_TASK_COUNT } from '../demo/scenario.js';

export const DEFAULT_AGENTS = 4;
export const MAX_AGENTS = 16;
export const MAX_TASKS = 100;

/**
 * `baton demo` runs the whole story in one command. Its agents are this same command started
 * again with BATON_DEMO_ROLE=agent in their environment: one bundle, no extra entry point, and
 * nothing in `--help` that a user should not type.
 */
export const demoCommand: CommandSpec = {
  name: 'demo',
  summary: 'watch agents share a board, then a fleet of Claude Code and Codex land a small project\'s tasks, in a scratch repository',
  args: [],
  options: [
    { name: 'agents', kind: 'string', value: 'N', help: `agent processes to start (default ${DEFAULT_AGENTS}, up to ${MAX_AGENTS})` },
    { name: 'tasks', kind: 'string', value: 'N', help: `tasks to plan (default ${DEFAULT_TASK_COUNT}, up to ${MAX_TASKS})` },
    { name: 'keep', kind: 'boolean', help: "keep the scratch repository (board, branches, the runs' evidence) and print where it is" },
    { name: 'dir', kind: 'string', value: 'PATH', help: 'build the repository in PATH (new or empty) instead of a temp folder' },
    { name: 'no-run', kind: 'boolean', help: 'skip the last part: the fleet (`baton run --ready`, Claude Code and Codex against a scripted model)' },
  ],
  async run(ctx, input) {
    // Loaded on demand: the demo pulls in child_process, which no other command needs at start-up.
    const { runDemoCommand } = await import('../demo/command-run.js');
    return runDemoCommand(ctx, input);
  },
};
