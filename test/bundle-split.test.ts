import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATON_BIN, json, makeRepo, nodeScriptAsync } from './helpers/baton.js';

// The board commands live in dist/baton.cjs; the runner, the ACP client and the demo in chunks
// of their own (scripts/bundles.mjs). Here the built package runs with dist/baton.cjs alone: a
// board command that loaded a chunk would fail.

const SOURCE = resolve(dirname(BATON_BIN), '..');
let root: string;
let bin: string;
let repo: ReturnType<typeof makeRepo>;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'baton-split-'));
  const pkg = join(root, 'pkg');
  for (const dir of ['bin', 'dist', 'node_modules']) mkdirSync(join(pkg, dir), { recursive: true });
  copyFileSync(BATON_BIN, join(pkg, 'bin', 'baton.cjs'));
  copyFileSync(join(SOURCE, 'dist', 'baton.cjs'), join(pkg, 'dist', 'baton.cjs'));
  writeFileSync(join(pkg, 'package.json'), '{ "name": "baton", "version": "0.0.0" }\n');
  symlinkSync(join(SOURCE, 'node_modules', 'better-sqlite3'), join(pkg, 'node_modules', 'better-sqlite3'));
  bin = join(pkg, 'bin', 'baton.cjs');
  repo = makeRepo('baton-split-repo-');
});

afterAll(() => {
  repo.cleanup();
  rmSync(root, { recursive: true, force: true });
});

const run = (args: string[], env: Record<string, string | undefined> = {}) => nodeScriptAsync(bin, args, { cwd: repo.dir, env });

describe('a board command with only the main bundle installed', () => {
  it('the checkout builds chunks beside the main bundle (so the test below removes something)', () => {
    expect(readdirSync(join(SOURCE, 'dist')).filter((name) => name.endsWith('.cjs')).sort()).toEqual(['baton-acp.cjs', 'baton-demo.cjs', 'baton-mcp.cjs', 'baton-run.cjs', 'baton-serve.cjs', 'baton.cjs']);
  });

  it('init, add, list, show, ready, claim --next, heartbeat, note and complete run, as an agent and as the git user', async () => {
    for (const [index, env] of [{}, { BATON_AGENT: undefined }].entries()) {
      const id = String(index + 1);
      for (const args of [['init'], ['add', 'one', '--json'], ['list', '--json'], ['show', id], ['ready', '--json'], ['claim', '--next', '--json'], ['heartbeat'], ['note', id, 'a note'], ['complete', id, '-m', 'done']]) {
        const result = await run(args, env);
        expect(result, args.join(' ')).toMatchObject({ code: 0, stderr: '' });
      }
    }
    const list = json<{ tasks: { createdBy: string }[] }>(await run(['list', '--json', '--all']));
    expect(list.tasks.map((task) => task.createdBy).sort()).toEqual(['Test User', 'tester']);
  });

  it('`runs` and the merge queue need the run chunk, and say which file is missing', async () => {
    for (const args of [['runs'], ['queue'], ['review']]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr).toContain(`baton's run bundle cannot be read (${join(root, 'pkg', 'dist', 'baton-run.cjs')}: ENOENT)`);
    }
  });

  it('`mcp` needs the mcp chunk (the MCP SDK lives there), and says which file is missing', async () => {
    const result = await run(['mcp']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`baton's mcp bundle cannot be read (${join(root, 'pkg', 'dist', 'baton-mcp.cjs')}: ENOENT)`);
  });

  it('`serve` needs the serve chunk (hono is not in the main bundle), and says which file is missing', async () => {
    const result = await run(['serve', '--port', '0']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`baton's serve bundle cannot be read (${join(root, 'pkg', 'dist', 'baton-serve.cjs')}: ENOENT)`);
  });
});
