import type { CommandSpec } from '../command.js';

/*
 * `run`, `runs` and `run-log`. The runner and its adapters load on first use: the board
 * commands that agents call hundreds of times a day should not pay for them at start-up.
 */

export const runCommand: CommandSpec = {
  name: 'run',
  summary: "drive an agent through task ID until baton's checks pass (worktree, checks, budgets); --ready: many tasks at once",
  args: [{ name: 'ID', required: false }],
  options: [
    { name: 'ready', kind: 'boolean', help: 'supervise: keep runs going over the ready queue, best task first (no ID)' },
    { name: 'parallel', kind: 'string', value: 'N', requires: 'ready', help: 'with --ready: runs at once (default 1)' },
    { name: 'watch', kind: 'boolean', requires: 'ready', help: 'with --ready: keep going as tasks become ready, until Ctrl-C' },
    { name: 'label', short: 'l', kind: 'list', value: 'LABEL', requires: 'ready', help: 'with --ready: only tasks with this label (repeatable)' },
    { name: 'no-land', kind: 'boolean', requires: 'ready', help: 'with --ready: leave finished work in review instead of handing it to the merge queue' },
    { name: 'max-dispatches', kind: 'string', value: 'N', requires: 'ready', help: 'with --ready: runs one task gets before it is left alone (default 3)' },
    { name: 'agent', kind: 'string', value: 'AGENT', help: 'claude, codex, acp:<command> or cmd:<command> (default: the config, else claude)' },
    { name: 'model', kind: 'string', value: 'M', help: 'model the agent should use' },
    { name: 'max-attempts', kind: 'string', value: 'N', help: 'attempts before the run stops (default 3)' },
    { name: 'timeout', kind: 'string', value: 'DURATION', help: 'wall-clock budget of the whole run (default 30m)' },
    { name: 'idle-timeout', kind: 'string', value: 'DURATION', help: 'kill the agent after this long without output (default 5m)' },
    { name: 'budget-usd', kind: 'string', value: 'X', help: 'stop once the agent reports this many dollars spent' },
    { name: 'max-tokens', kind: 'string', value: 'N', help: 'stop once the agent reports this many tokens (input + output)' },
    { name: 'ttl', kind: 'string', value: 'DURATION', help: 'lease length, renewed while the run goes on (default 30m)' },
  ],
  async run(ctx, input) {
    const { runCommandRun } = await import('../run/run-command.js');
    return runCommandRun(ctx, input);
  },
};

export const runsCommand: CommandSpec = {
  name: 'runs',
  summary: 'runs of task ID (or of every task), with their outcome and cost',
  board: 'read',
  args: [{ name: 'ID', required: false }],
  options: [],
  async run(ctx, input) {
    const { runsCommandRun } = await import('../run/runs-command.js');
    return runsCommandRun(ctx, input);
  },
};

export const runLogCommand: CommandSpec = {
  name: 'run-log',
  summary: "one run's evidence: attempts, verdicts, failures; --attempt N for its prompt and logs",
  board: 'read',
  args: [{ name: 'ID', required: true }],
  options: [
    { name: 'run', kind: 'string', value: 'N', help: 'which run of the task (default: the latest)' },
    { name: 'attempt', kind: 'string', value: 'N', help: 'show this attempt in full: prompt, agent events, check logs, diff' },
  ],
  async run(ctx, input) {
    const { runLogCommandRun } = await import('../run/runs-command.js');
    return runLogCommandRun(ctx, input);
  },
};
