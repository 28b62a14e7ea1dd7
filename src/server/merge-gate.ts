import { SYSTEM_ACTOR } from '../app/leases.js';
import { CommandContext, type CliEnvironment } from '../cli/context.js';
import type { CommandInput } from '../cli/command.js';
import type { CommandOutput } from '../cli/output.js';
import type { MergeGate } from './server-deps.js';

type GateRun = (ctx: CommandContext, input: CommandInput) => Promise<CommandOutput>;

/**
 * The merge queue through the very functions `baton queue`, `approve` and `reject` run (the run
 * chunk, loaded on first use), each call in a context of its own that acts as the request's actor.
 * Approving only queues: landing runs the project's checks, which is `baton queue --land`'s
 * (or `baton run --ready`'s) work, not a request's.
 */
export function mergeGate(io: CliEnvironment, boardPath: string): MergeGate {
  const call = async (actor: string, pick: (commands: typeof import('../cli/run/merge-commands.js')) => GateRun, input: CommandInput): Promise<Record<string, unknown>> => {
    const commands = await import('../cli/run/merge-commands.js');
    const ctx = new CommandContext(io, { json: true, noColor: true, db: boardPath, as: actor });
    try {
      return (await pick(commands)(ctx, input)).json;
    } finally {
      await ctx.close();
    }
  };
  return {
    queue: () => call(SYSTEM_ACTOR, (commands) => commands.queueCommandRun, { args: [], options: {} }),
    approve: (actor, id, message) => call(actor, (commands) => commands.approveCommandRun, { args: [id], options: { message, 'no-land': true } }),
    reject: (actor, id, message) => call(actor, (commands) => commands.rejectCommandRun, { args: [id], options: { message } }),
  };
}
