import { bindTask } from '../../app/bind-task.js';
import { refreshFootprints, type RefreshResult } from '../../app/refresh-footprints.js';
import { InvalidInputError } from '../../core/errors.js';
import type { CommandContext } from '../context.js';
import type { CommandSpec } from '../command.js';
import { flag } from '../command.js';
import { idArgument, idList } from '../input.js';
import { currentBranch } from '../../adapters/git/repository.js';

export function refreshText(result: RefreshResult): string {
  const lines = result.footprints.map((footprint) => `#${footprint.taskId} ${footprint.branch ?? '(detached)'}: ${footprint.paths.length} changed file(s) against ${result.base}`);
  lines.push(...result.created.map((finding) => `new ${finding.kind} [${finding.id}] for #${finding.taskId}: ${finding.message}`));
  lines.push(...result.updated.map((finding) => `updated ${finding.kind} [${finding.id}] for #${finding.taskId}: ${finding.message}`));
  lines.push(...result.resolved.map((finding) => `resolved [${finding.id}] (no longer detected): ${finding.message}`));
  return lines.length === 0 ? 'no in-flight task is bound to a worktree' : lines.join('\n');
}

/**
 * Refreshes footprints where it is cheap to do so as a side effect (heartbeat, claim, hooks):
 * a failure there must not fail the command that asked, so it becomes a warning on stderr.
 */
export async function refreshQuietly(ctx: CommandContext, ids: readonly number[]): Promise<RefreshResult | null> {
  if (ids.length === 0 || !ctx.repo()) return null;
  try {
    return await refreshFootprints(await ctx.impactDeps(), ids);
  } catch (error) {
    ctx.io.stderr(`baton: warning: could not refresh footprints: ${(error as Error).message}`);
    return null;
  }
}

export const syncCommand: CommandSpec = {
  name: 'sync',
  summary: 'refresh footprints of in-flight tasks and predict merge conflicts (all, or the ids given)',
  args: [{ name: 'ID', required: false, variadic: true }],
  options: [],
  async run(ctx, { args }) {
    const ids = idList(args, 'ID');
    const result = await refreshFootprints(await ctx.impactDeps(), ids.length > 0 ? ids : null);
    return { json: { ...result }, text: refreshText(result) };
  },
};

export const bindCommand: CommandSpec = {
  name: 'bind',
  summary: 'bind an in-flight task to the linked worktree you are in (claim does this by itself)',
  args: [{ name: 'ID', required: true }],
  options: [{ name: 'force', kind: 'boolean', help: 'bind a task someone else holds' }],
  async run(ctx, { args, options }) {
    const id = idArgument(args[0]);
    const repo = ctx.requireRepo();
    if (!repo.linked) {
      throw new InvalidInputError(
        'bind',
        `${repo.topLevel} is the main checkout, not a linked worktree; run bind inside the worktree of the task (git worktree add ../task-${id} -b task-${id})`,
      );
    }
    const task = await bindTask(await ctx.deps(), id, { worktree: repo.topLevel, branch: currentBranch(repo) }, flag(options, 'force'));
    const refreshed = await refreshQuietly(ctx, [id]);
    const text = `#${id} bound to ${repo.topLevel}${task.branch ? ` (${task.branch})` : ''}` + (refreshed ? `\n${refreshText(refreshed)}` : '');
    return { json: { task, refresh: refreshed }, text };
  },
};
