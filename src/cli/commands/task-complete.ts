import { completeTask, type CompleteResult } from '../../app/complete-task.js';
import type { BoardDeps } from '../../app/deps.js';
import { recordCompletionImpact, refuseOnOpenConflicts } from '../../app/impact-at-completion.js';
import { InvalidInputError } from '../../core/errors.js';
import { validateText } from '../../core/task.js';
import type { CommandSpec } from '../command.js';
import { flag, stringOption } from '../command.js';
import { taskLine } from '../format-task.js';
import { idArgument } from '../input.js';
import { paint } from '../output.js';

export const completeCommand: CommandSpec = {
  name: 'complete',
  aliases: ['done'],
  summary: 'mark a task done; its dependents are unblocked and their assignees told',
  args: [{ name: 'ID', required: true }],
  options: [
    { name: 'message', short: 'm', kind: 'string', value: 'TEXT', help: 'what was done (e.g. "Merged PR #123")' },
    { name: 'force', kind: 'boolean', help: 'complete despite unresolved conflicts, or a task someone else holds (needs --reason)' },
    { name: 'reason', kind: 'string', value: 'TEXT', help: 'why --force is right; recorded in the feed', requires: 'force' },
  ],
  async run(ctx, { args, options }) {
    const result = await completeWithChecks(await ctx.deps(), idArgument(args[0]), {
      message: stringOption(options, 'message'),
      force: flag(options, 'force'),
      reason: stringOption(options, 'reason'),
    });
    const p = paint(ctx.color);
    const lines = [
      `completed ${taskLine(result.task, p)}`,
      ...result.unblocked.map((task) => `unblocked ${taskLine(task, p)}`),
      ...result.findings.map((finding) => `told ${finding.recipient ?? `#${finding.taskId} (unassigned)`}: ${finding.message}`),
    ];
    return { json: { task: result.task, unblocked: result.unblocked, findings: result.findings }, text: lines.join('\n') };
  },
};

/**
 * Completes a task as `baton complete` does: refused while conflicts are open unless forced with a
 * reason, the impact on other tasks recorded. `baton serve` completes through it too.
 */
export async function completeWithChecks(deps: BoardDeps, id: number, given: { message: string | undefined; force: boolean; reason: string | undefined }): Promise<CompleteResult> {
  const reason = given.reason?.trim();
  if (given.force && !reason) throw new InvalidInputError('--reason', 'say why you force the completion: --force --reason "conflict handled in PR #12"');
  return completeTask(deps, id, {
    message: given.message === undefined ? null : validateText(given.message, '--message'),
    force: given.force,
    checks: [refuseOnOpenConflicts(given.force ? { reason: validateText(reason as string, '--reason') } : null), recordCompletionImpact],
  });
}
