import { existsSync } from 'node:fs';
import { reservationViolations } from '../../app/reservations.js';
import type { HookChange } from '../../adapters/git/hooks.js';
import { stagedPaths } from '../../adapters/git/staged-paths.js';
import { BatonError, InvalidInputError } from '../../core/errors.js';
import type { CommandContext } from '../context.js';
import type { CommandSpec } from '../command.js';
import { refreshQuietly } from './impact-sync.js';
import { quoted } from '../../core/quoted.js';

const ACTIONS = ['install', 'uninstall', 'run'] as const;

function changesText(changes: readonly HookChange[]): string {
  return changes.map((change) => `${change.hook}: ${change.action} ${change.path}${change.reason ? ` (${change.reason})` : ''}`).join('\n');
}

export const hooksCommand: CommandSpec = {
  name: 'hooks',
  summary: 'install | uninstall the git hooks (pre-commit reservation guard, post-commit footprint refresh)',
  args: [{ name: 'ACTION', required: true }, { name: 'HOOK', required: false }],
  options: [],
  async run(ctx, { args }) {
    const action = args[0] as string;
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new InvalidInputError('ACTION', `${quoted(action)} is not a hooks action; use install or uninstall`);
    }
    if (action === 'run') return runHook(ctx, args[1]);
    if (args[1] !== undefined) throw new InvalidInputError('HOOK', `${quoted(args[1])}: \`hooks ${action}\` takes no hook name; it ${action}s both hooks`);
    const repo = ctx.requireRepo();
    // Loaded on demand: the hook installer pulls in fs/promises, which no other command needs.
    const { installHooks, shellCommand, uninstallHooks } = await import('../../adapters/git/hooks.js');
    if (action === 'install') {
      const hookCommand = shellCommand([process.execPath, process.argv[1] as string]);
      const changes = await installHooks(repo, hookCommand, { env: ctx.io.env });
      return { json: { hooks: changes }, text: changesText(changes) };
    }
    const changes = await uninstallHooks(repo, { env: ctx.io.env });
    return { json: { hooks: changes }, text: changesText(changes) };
  },
};

/** What the installed hooks call. The pre-commit guard refuses with exit 4; post-commit never fails a commit. */
async function runHook(ctx: CommandContext, hook: string | undefined): Promise<{ json: Record<string, unknown>; text: string }> {
  if (hook !== 'pre-commit' && hook !== 'post-commit') {
    throw new InvalidInputError('HOOK', `${quoted(hook ?? '')} is not a hook baton runs; use pre-commit or post-commit`);
  }
  const repo = ctx.requireRepo();
  // Hooks installed before `baton init` (or a board since removed): nothing is reserved and
  // nothing is tracked, so the commit goes through untouched instead of failing on every commit.
  if (!existsSync(ctx.boardPath())) return { json: { hook, board: null }, text: '' };
  const bound = repo.linked ? await ctx.openStore().read((tx) => tx.taskBoundTo(repo.topLevel)) : null;
  if (hook === 'pre-commit') {
    const paths = await stagedPaths(repo.topLevel, ctx.io.env);
    const violations = await reservationViolations({ store: ctx.openStore(), clock: ctx.clock }, paths, bound?.id ?? null);
    if (violations.length > 0) {
      const list = violations.map((v) => `${v.path} (reserved for #${v.reservation.taskId} by ${v.reservation.holder})`).join(', ');
      throw new BatonError(
        'CONFLICT',
        `commit refused: ${list}. Ask the holder to \`baton unreserve\`, leave these paths out of the commit, or override with \`git commit --no-verify\``,
        { violations },
      );
    }
    return { json: { hook, paths: paths.length }, text: '' };
  }
  const refreshed = bound ? await refreshQuietly(ctx, [bound.id]) : null;
  return { json: { hook, refreshed }, text: '' };
}
