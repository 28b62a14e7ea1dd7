import { isAbsolute, relative, resolve } from 'node:path';
import { reservePaths, unreservePaths } from '../../app/reservations.js';
import { InvalidInputError } from '../../core/errors.js';
import { parseDurationMs } from '../../core/duration.js';
import { normaliseFilePath } from '../../core/resource.js';
import type { CommandContext } from '../context.js';
import type { CommandSpec } from '../command.js';
import { flag, stringOption } from '../command.js';
import { idArgument } from '../input.js';
import { quoted } from '../../core/quoted.js';

/** A path or glob as the user typed it, made relative to the repository root; outside it is refused. */
function repositoryPattern(ctx: CommandContext, input: string): string {
  const root = ctx.requireRepo().topLevel;
  const absolute = isAbsolute(input) ? input : resolve(ctx.io.cwd, input);
  const inside = normaliseFilePath(relative(root, absolute));
  if (inside === '' || inside === '..' || inside.startsWith('../') || isAbsolute(inside)) {
    throw new InvalidInputError('PATH', `${quoted(input)} is outside the repository ${root}; reserve paths inside it`);
  }
  return inside;
}

function requiredTask(text: string | undefined): number {
  if (text === undefined) throw new InvalidInputError('--task', 'name the task the paths are for: --task ID');
  return idArgument(text, '--task');
}

export const reserveCommand: CommandSpec = {
  name: 'reserve',
  summary: 'reserve paths or globs for a task; exclusive unless --shared (the pre-commit hook enforces it)',
  args: [{ name: 'PATH', required: true, variadic: true }],
  options: [
    { name: 'task', kind: 'string', value: 'ID', help: 'the task the paths are reserved for' },
    { name: 'shared', kind: 'boolean', help: 'others may reserve them shared too' },
    { name: 'ttl', kind: 'string', value: 'DURATION', help: 'expire after this long (default: while the task is open)' },
  ],
  async run(ctx, { args, options }) {
    const taskId = requiredTask(stringOption(options, 'task'));
    const patterns = [...new Set(args.map((arg) => repositoryPattern(ctx, arg)))];
    const ttl = stringOption(options, 'ttl');
    const reservations = await reservePaths(await ctx.deps(), {
      taskId,
      patterns,
      shared: flag(options, 'shared'),
      ttlMs: ttl === undefined ? null : parseDurationMs(ttl, '--ttl'),
    });
    const kind = flag(options, 'shared') ? 'shared' : 'exclusive';
    return { json: { reservations }, text: reservations.map((r) => `reserved ${r.pattern} for #${taskId} (${kind})`).join('\n') };
  },
};

export const unreserveCommand: CommandSpec = {
  name: 'unreserve',
  summary: "release a task's reservations (the paths given, or --all)",
  args: [{ name: 'PATH', required: false, variadic: true }],
  options: [
    { name: 'task', kind: 'string', value: 'ID', help: 'the task holding them' },
    { name: 'all', kind: 'boolean', help: 'every reservation of the task' },
  ],
  async run(ctx, { args, options }) {
    const taskId = requiredTask(stringOption(options, 'task'));
    if (args.length === 0 && !flag(options, 'all')) throw new InvalidInputError('PATH', 'name the paths to release, or pass --all');
    if (args.length > 0 && flag(options, 'all')) throw new InvalidInputError('PATH', 'name the paths to release, or pass --all for every one (not both)');
    const patterns = flag(options, 'all') ? null : args.map((arg) => repositoryPattern(ctx, arg));
    const removed = await unreservePaths(await ctx.deps(), taskId, patterns);
    return { json: { removed }, text: `released ${removed} reservation${removed === 1 ? '' : 's'} of #${taskId}` };
  },
};
