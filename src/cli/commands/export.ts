import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { exportBoard } from '../../app/export-board.js';
import type { BoardCounts } from '../../core/board-jsonl.js';
import { BatonError } from '../../core/errors.js';
import type { CommandSpec } from '../command.js';
import { stringOption } from '../command.js';
import { assertOutputTarget } from '../output-target.js';

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'write the whole board as JSONL, losslessly (stdout, or --output FILE)',
  board: 'read',
  args: [],
  options: [{ name: 'output', short: 'o', kind: 'string', value: 'FILE', help: 'write to FILE instead of stdout' }],
  async run(ctx, { options }) {
    const output = stringOption(options, 'output');
    const path = output === undefined ? undefined : resolve(ctx.io.cwd, output);
    if (path !== undefined) assertOutputTarget(ctx, path, '--output');
    const { lines, counts } = await exportBoard({ store: ctx.openStore(), clock: ctx.clock });
    // Without --output the JSONL itself is the machine format, with or without --json.
    if (path === undefined) {
      ctx.io.stdout(lines.join('\n'));
      return;
    }
    writeWhole(path, `${lines.join('\n')}\n`);
    return { json: { path, counts }, text: `exported ${describeCounts(counts)} to ${path}` };
  },
};

/** Writes beside the target and renames, so an interrupted export never leaves half a file. */
function writeWhole(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new BatonError('FAILED', `cannot write ${path} (${(error as Error).message}); choose a writable path for --output`, { path });
  }
}

export function describeCounts(counts: BoardCounts): string {
  const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  return [
    count(counts.tasks, 'task', 'tasks'),
    count(counts.dependencies, 'dependency', 'dependencies'),
    count(counts.notes, 'note', 'notes'),
    count(counts.events, 'event', 'events'),
  ].join(', ');
}
