import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BatonError, InvalidInputError } from '../../core/errors.js';
import { mcpRegistration, primeBlock, upsertPrimeBlock } from '../../core/prime.js';
import type { CommandSpec } from '../command.js';
import { flag, stringOption } from '../command.js';
import { assertOutputTarget } from '../output-target.js';

export const primeCommand: CommandSpec = {
  name: 'prime',
  summary: 'print how an agent works with baton (--write AGENTS.md keeps it there; --mcp: how to register `baton mcp`)',
  args: [],
  options: [
    { name: 'write', kind: 'string', value: 'FILE', help: 'put the block into FILE (created if missing; an existing block is replaced)', conflicts: ['mcp'] },
    { name: 'mcp', kind: 'boolean', help: 'how to register `baton mcp` with Claude Code, Codex and Gemini CLI' },
  ],
  async run(ctx, { options }) {
    if (flag(options, 'mcp')) {
      const registration = mcpRegistration();
      return { json: { mcp: registration }, text: registration };
    }
    const block = primeBlock();
    const target = stringOption(options, 'write');
    if (target === undefined) return { json: { block }, text: block };
    const path = resolve(ctx.io.cwd, target);
    assertOutputTarget(ctx, path, '--write');
    const before = readIfPresent(path);
    const after = upsertPrimeBlock(before ?? '');
    const changed = after !== before;
    // Untouched when already current: no rewrite, no new modification time for tools that watch it.
    if (changed) write(path, after);
    return {
      json: { path, changed, block },
      text: changed ? `wrote the baton block to ${path}` : `${path} already has the current baton block`,
    };
  },
};

function readIfPresent(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'EISDIR') throw new InvalidInputError('--write', `${path} is a folder; name a file such as AGENTS.md`);
    throw new BatonError('FAILED', `cannot read ${path} (${(error as Error).message})`, { path });
  }
}

function write(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new BatonError('FAILED', `cannot write ${path} (${(error as Error).message}); choose a writable file for --write`, { path });
  }
}
