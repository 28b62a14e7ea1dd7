import { reapExpiredLeases } from '../../app/leases.js';
import { readyWithCollisions } from '../../app/ready-with-collisions.js';
import { explainRank } from '../../core/ranking.js';
import type { CommandSpec } from '../command.js';
import { flag, stringOption } from '../command.js';
import { assigneeWidth, taskLine } from '../format-task.js';
import { paint } from '../output.js';
import { parseLimit } from './task-list.js';

export const readyCommand: CommandSpec = {
  name: 'ready',
  summary: 'tasks ready to start, best first (priority, then work unblocked, then age)',
  board: 'read',
  args: [],
  options: [
    { name: 'limit', short: 'n', kind: 'string', value: 'N', help: 'at most N tasks (default 20)' },
    { name: 'explain', kind: 'boolean', help: 'say why each task sits where it does' },
    { name: 'me', kind: 'boolean', help: 'only tasks I may claim (unassigned or assigned to me)' },
  ],
  async run(ctx, { options }) {
    const limitText = stringOption(options, 'limit');
    const limit = limitText === undefined ? 20 : parseLimit(limitText);
    const store = ctx.openStore();
    await reapExpiredLeases({ store, clock: ctx.clock, actor: 'baton' });
    const claimableBy = flag(options, 'me') ? await ctx.actor() : undefined;
    const ranked = await store.read((tx) => readyWithCollisions(tx, { limit, ...(claimableBy !== undefined && { claimableBy }) }));
    const explain = flag(options, 'explain');
    const entries = ranked.map((entry, index) => {
      const why = explain ? { why: [explainRank(entry, index + 1), ...entry.collisions.map((collision) => `ranked later: ${collision.reason}`)].join('; ') } : {};
      return { ...entry.task, rank: { position: index + 1, unblocks: entry.unblocks, collisions: entry.collisions, ...why } };
    });
    const text = (): string => {
      if (entries.length === 0) return 'nothing ready';
      const p = paint(ctx.color);
      const width = assigneeWidth(entries);
      return entries.map((entry) => taskLine(entry, p, width) + (explain ? `\n       ${p.dim(entry.rank.why ?? '')}` : '')).join('\n');
    };
    return { json: { tasks: entries, count: entries.length }, text };
  },
};
