import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { importBoard } from '../../app/import-board.js';
import { parseBoardJsonl } from '../../core/board-jsonl.js';
import { BatonError, InvalidInputError } from '../../core/errors.js';
import type { CommandSpec } from '../command.js';
import { describeCounts } from './export.js';

export const importCommand: CommandSpec = {
  name: 'import',
  summary: 'load a `baton export` file (or - for stdin) into an empty board',
  args: [{ name: 'FILE', required: true }],
  options: [],
  async run(ctx, { args }) {
    const source = args[0] as string;
    // The whole file is checked before the board is even opened: a bad line writes nothing.
    const snapshot = parseBoardJsonl(source === '-' ? await readStdin() : readSource(resolve(ctx.io.cwd, source)));
    const path = ctx.boardPath();
    const counts = await importBoard({ store: ctx.openStore(true) }, snapshot);
    return { json: { path, counts }, text: `imported ${describeCounts(counts)} into ${path}` };
  },
};

function readSource(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BatonError('NOT_FOUND', `no file at ${path}; name a file written by \`baton export\`, or - for stdin`, { path });
    if (code === 'EISDIR') throw new InvalidInputError('FILE', `${path} is a folder; name a file written by \`baton export\``);
    throw new BatonError('FAILED', `cannot read ${path} (${(error as Error).message})`, { path });
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
