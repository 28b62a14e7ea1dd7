import { claimNext, claimTask, type ClaimOptions } from '../../app/claim-task.js';
import { heartbeat, reapExpiredLeases, releaseTask } from '../../app/leases.js';
import { InvalidInputError } from '../../core/errors.js';
import { parseDurationMs } from '../../core/duration.js';
import { DEFAULT_LEASE_TTL_MS } from '../../core/lease.js';
import type { OptionSpec, OptionValues } from '../args.js';
import type { CommandContext } from '../context.js';
import type { CommandSpec } from '../command.js';
import { flag, stringOption } from '../command.js';
import { taskLine } from '../format-task.js';
import { idArgument, idList } from '../input.js';
import { paint } from '../output.js';
import { EXIT } from '../exit-codes.js';
import { refreshQuietly, refreshText } from './impact-sync.js';

const TTL_OPTION: OptionSpec = { name: 'ttl', kind: 'string', value: 'DURATION', help: 'lease length, e.g. 30m (default), 2h, 90s' };
const STRICT_OPTION: OptionSpec = { name: 'strict', kind: 'boolean', help: 'refuse (exit 4) instead of warning when the task collides with running work' };

function claimOptions(ctx: CommandContext, options: OptionValues): ClaimOptions {
  const ttl = stringOption(options, 'ttl');
  return {
    ttlMs: ttl === undefined ? DEFAULT_LEASE_TTL_MS : parseDurationMs(ttl, '--ttl'),
    strict: flag(options, 'strict'),
    ...ctx.worktreeBinding(),
  };
}

export const claimCommand: CommandSpec = {
  name: 'claim',
  summary: 'take a task (ID, or the best ready one with --next) with a lease',
  args: [{ name: 'ID', required: false }],
  options: [
    { name: 'next', kind: 'boolean', help: 'claim the best ready task this agent may take' },
    TTL_OPTION,
    STRICT_OPTION,
  ],
  async run(ctx, { args, options }) {
    const next = flag(options, 'next');
    if (next === (args[0] !== undefined)) {
      throw new InvalidInputError('ID', 'name one task id, or pass --next for the best ready task (not both)');
    }
    const claim = claimOptions(ctx, options);
    const deps = await ctx.deps();
    const result = next ? await claimNext(deps, claim) : await claimTask(deps, idArgument(args[0]), claim);
    const verb = result.renewed ? 'still yours (lease renewed)' : `claimed by ${deps.actor}`;
    for (const collision of result.collisions) ctx.io.stderr(`baton: warning: ${collision.reason}`);
    const refresh = result.task.worktree ? await refreshQuietly(ctx, [result.task.id]) : null;
    return {
      json: { task: result.task, renewed: result.renewed, collisions: result.collisions, findings: refresh?.created ?? [] },
      text: [
        `${verb}: ${taskLine(result.task, paint(ctx.color))}`,
        `lease until ${result.task.leaseExpiresAt ?? '-'}; run \`baton heartbeat\` to keep it`,
        ...(refresh?.created ?? []).map((finding) => `new ${finding.kind} [${finding.id}] for #${finding.taskId}: ${finding.message}`),
      ].join('\n'),
    };
  },
};

/** The `tm` name for claiming a task by id. */
export const startCommand: CommandSpec = {
  ...claimCommand,
  name: 'start',
  summary: 'claim task ID (tm-compatible); refused while it waits on other tasks',
  args: [{ name: 'ID', required: true }],
  options: [TTL_OPTION, STRICT_OPTION],
};

export const heartbeatCommand: CommandSpec = {
  name: 'heartbeat',
  aliases: ['hb'],
  summary: 'renew the lease on tasks you hold (all of them, or the ids given)',
  args: [{ name: 'ID', required: false, variadic: true }],
  options: [TTL_OPTION],
  async run(ctx, { args, options }) {
    const ttl = stringOption(options, 'ttl');
    const ttlMs = ttl === undefined ? DEFAULT_LEASE_TTL_MS : parseDurationMs(ttl, '--ttl');
    const { renewed: tasks, lost } = await heartbeat(await ctx.deps(), idList(args, 'ID'), ttlMs);
    // A heartbeat is the natural moment to notice what the others are changing.
    const refresh = await refreshQuietly(ctx, tasks.filter((task) => task.worktree !== null).map((task) => task.id));
    const lines = [
      ...tasks.map((task) => `#${task.id} lease until ${task.leaseExpiresAt ?? '-'}`),
      ...lost.map((loss) => `LOST #${loss.taskId}: ${loss.reason}; stop working on it (or \`baton claim ${loss.taskId}\` if it is free)`),
    ];
    if (refresh) lines.push(refreshText(refresh));
    // Losing a task is a conflict the agent must act on: its work there no longer counts.
    return {
      json: { tasks, lost, findings: refresh?.created ?? [] },
      text: lines.length === 0 ? 'you hold no tasks' : lines.join('\n'),
      ...(lost.length > 0 && { exitCode: EXIT.conflict }),
    };
  },
};

export const releaseCommand: CommandSpec = {
  name: 'release',
  summary: 'give a claimed task back to the queue',
  args: [{ name: 'ID', required: true }],
  options: [{ name: 'force', kind: 'boolean', help: 'release a task someone else holds' }],
  async run(ctx, { args, options }) {
    const task = await releaseTask(await ctx.deps(), idArgument(args[0]), flag(options, 'force'));
    return { json: { task }, text: `released ${taskLine(task, paint(ctx.color))}` };
  },
};

export const reapCommand: CommandSpec = {
  name: 'reap',
  summary: 'return tasks whose lease expired to the queue',
  args: [],
  options: [],
  async run(ctx) {
    const tasks = await reapExpiredLeases({ store: ctx.openStore(), clock: ctx.clock, actor: 'baton' });
    const text = tasks.length === 0 ? 'no expired leases' : tasks.map((task) => `reopened #${task.id} ${task.title}`).join('\n');
    return { json: { tasks }, text };
  },
};
