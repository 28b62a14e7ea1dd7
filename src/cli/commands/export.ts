import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { exportBoard, type BoardExport } from '../../app/export-board.js';
import type { Clock } from '../../app/ports.js';
import { salvageBoard } from '../../adapters/db/sqlite-salvage.js';
import { boardToJsonl, countBoard, type BoardCounts } from '../../core/board-jsonl.js';
import { BatonError } from '../../core/errors.js';
import type { CommandSpec } from '../command.js';
import { flag, stringOption } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { assertOutputTarget } from '../output-target.js';

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'write the whole board as JSONL, losslessly (stdout, or --output FILE)',
  board: 'read',
  args: [],
  options: [
    { name: 'output', short: 'o', kind: 'string', value: 'FILE', help: 'write to FILE instead of stdout' },
    { name: 'salvage', kind: 'boolean', help: 'a damaged board: export what still reads, row by row; what was lost goes to stderr (exit 1 if anything)' },
  ],
  async run(ctx, { options }) {
    const output = stringOption(options, 'output');
    const path = output === undefined ? undefined : resolve(ctx.io.cwd, output);
    if (path !== undefined) assertOutputTarget(ctx, path, '--output');
    const salvage = flag(options, 'salvage');
    const { lines, counts, lost } = salvage ? salvageExport(ctx.boardPath(), ctx.clock) : { ...(await exportBoard({ store: ctx.openStore(), clock: ctx.clock })), lost: null };
    if (lost !== null && lost.text !== '') ctx.io.stderr(`baton: ${lost.text}`);
    const exitCode = lost !== null && lost.text !== '' ? EXIT.failed : EXIT.ok;
    // Without --output the JSONL itself is the machine format, with or without --json.
    if (path === undefined) {
      ctx.io.stdout(lines.join('\n'));
      return exitCode === EXIT.ok ? undefined : { json: {}, text: '', exitCode, streamed: true };
    }
    writeWhole(path, `${lines.join('\n')}\n`);
    return {
      json: { path, counts, ...(lost !== null && { lost: lost.counts, uncounted: lost.uncounted }) },
      text: `exported ${describeCounts(counts)} to ${path}`,
      exitCode,
    };
  },
};

/** The salvaged board as JSONL, and a line saying what it lost ('' when nothing was). */
function salvageExport(boardPath: string, clock: Clock): BoardExport & { lost: { counts: BoardCounts; uncounted: string[]; text: string } } {
  const { snapshot, lost, uncounted } = salvageBoard(boardPath);
  const total = lost.tasks + lost.dependencies + lost.notes + lost.events;
  const text = [
    ...(total > 0 ? [`salvage lost ${describeCounts(lost)} that could not be read`] : []),
    ...(uncounted.length > 0 ? [`some ${uncounted.join(', ')} could not be read and may be lost beyond that count`] : []),
  ].join('; ');
  return { lines: boardToJsonl(snapshot, clock.now().toISOString()), counts: countBoard(snapshot), lost: { counts: lost, uncounted, text } };
}

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
