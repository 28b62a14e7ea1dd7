import type { CommandSpec } from '../command.js';

/*
 * The merge queue and its gates. Like `run`, they load the runner's chunk on first use.
 */

const NO_LAND = { name: 'no-land', kind: 'boolean', help: 'only queue; land later with `baton queue --land` (or let `baton run --ready` land it)' } as const;

export const mergeCommand: CommandSpec = {
  name: 'merge',
  summary: "queue tasks in review and land them on the base branch: merged onto the tip, checked there, moved by compare-and-swap",
  args: [{ name: 'ID', required: true, variadic: true }],
  options: [NO_LAND],
  async run(ctx, input) {
    const { mergeCommandRun } = await import('../run/merge-commands.js');
    return mergeCommandRun(ctx, input);
  },
};

export const queueCommand: CommandSpec = {
  name: 'queue',
  summary: 'the tasks in review: queued ones in landing order, and what waits for a person; --land lands the queue',
  args: [],
  options: [{ name: 'land', kind: 'boolean', help: 'land every queued task, one at a time' }],
  async run(ctx, input) {
    const { queueCommandRun } = await import('../run/merge-commands.js');
    return queueCommandRun(ctx, input);
  },
};

export const reviewCommand: CommandSpec = {
  name: 'review',
  summary: 'tasks in review that wait for a person, with what they need to decide',
  board: 'read',
  args: [],
  options: [],
  async run(ctx) {
    const { reviewCommandRun } = await import('../run/merge-commands.js');
    return reviewCommandRun(ctx);
  },
};

export const approveCommand: CommandSpec = {
  name: 'approve',
  summary: 'approve task ID in review for merging; it joins the merge queue',
  args: [{ name: 'ID', required: true }],
  options: [{ name: 'message', short: 'm', kind: 'string', value: 'TEXT', help: 'a word for the record' }, NO_LAND],
  async run(ctx, input) {
    const { approveCommandRun } = await import('../run/merge-commands.js');
    return approveCommandRun(ctx, input);
  },
};

export const rejectCommand: CommandSpec = {
  name: 'reject',
  summary: "send task ID in review back to work; the message is its next run's feedback",
  args: [{ name: 'ID', required: true }],
  options: [{ name: 'message', short: 'm', kind: 'string', value: 'TEXT', help: 'why (required): what the next run must change' }],
  async run(ctx, input) {
    const { rejectCommandRun } = await import('../run/merge-commands.js');
    return rejectCommandRun(ctx, input);
  },
};

export const gcCommand: CommandSpec = {
  name: 'gc',
  summary: 'remove the branches and worktrees of landed tasks where nothing would be lost; list what is kept and why',
  args: [],
  options: [],
  async run(ctx) {
    const { gcCommandRun } = await import('../run/merge-commands.js');
    return gcCommandRun(ctx);
  },
};
