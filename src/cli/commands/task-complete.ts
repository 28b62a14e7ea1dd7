import { completeTask } from '../../app/complete-task.js';
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
    const id = idArgument(args[0]);
    const message = stringOption(options, 'message');
    const force = flag(options, 'force');
    const reason = stringOption(options, 'reason')?.trim();
    if (force && !reason) throw new InvalidInputError('--reason', 'say why you force the completion: --force --reason "conflict handled in PR #12"');
    const result = await completeTask(await ctx.deps(), id, {
      message: message === undefined ? null : validateText(message, '--message'),
      force,
      checks: [refuseOnOpenConflicts(force ? { reason: validateText(reason as string, '--reason') } : null), recordCompletionImpact],
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
