import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baton, json, makeRepo, type BatonResult } from './helpers/baton.js';

const ok = (result: BatonResult): BatonResult => {
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stdout}${result.stderr}`);
  return result;
};

describe('graph', () => {
  let repo: ReturnType<typeof makeRepo>;
  const run = (...args: string[]): BatonResult => baton(args, { cwd: repo.dir });

  /** #1 done; #2 waits on #1 (met); #3 waits on #2; #4 is related to #3 and a child of #2. */
  beforeAll(() => {
    repo = makeRepo();
    ok(run('init'));
    ok(run('add', 'Schema'));
    ok(run('add', 'Login "v2" [api]', '--depends-on', '1'));
    ok(run('add', 'Signup', '--depends-on', '2'));
    ok(run('add', 'Docs'));
    ok(run('depend', '4', '--on', '3', '--type', 'related'));
    ok(run('depend', '4', '--on', '2', '--type', 'parent-child'));
    ok(run('complete', '1', '-m', 'done'));
  });
  afterAll(() => repo.cleanup());

  it('prints a mermaid flowchart of the open tasks by default', () => {
    const lines = ok(run('graph')).stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      'flowchart TD',
      '  t2["#35;2 Login #34;v2#34; #91;api#93; #91;open#93;"]',
      '  t3["#35;3 Signup #91;blocked#93;"]',
      '  t4["#35;4 Docs #91;blocked#93;"]',
      '  t3 --> t2',
      '  t4 -->|parent-child| t2',
      '  t4 -.->|related| t3',
    ]);
  });

  it('includes closed tasks and their edges with --all', () => {
    const text = ok(run('graph', '--all', '--format', 'mermaid')).stdout;
    expect(text).toContain('  t1["#35;1 Schema #91;done#93;"]');
    expect(text).toContain('  t2 --> t1');
  });

  it('prints a well-formed DOT digraph', () => {
    const lines = ok(run('graph', '--format', 'dot')).stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('digraph baton {');
    expect(lines.at(-1)).toBe('}');
    expect(lines).toContain('  t2 [label="#2 Login \\"v2\\" [api] [open]"];');
    expect(lines).toContain('  t4 -> t3 [label="related", style=dashed];');
    expect(lines).toContain('  t3 -> t2;');
    for (const line of lines.slice(1, -1)) expect(line).toMatch(/^ {2}\S.*;$/);
    // Every quote inside a label is escaped: the unescaped quotes pair up on each line.
    for (const line of lines) expect((line.replace(/\\"/g, '').match(/"/g) ?? []).length % 2).toBe(0);
  });

  it('prints nodes and edges as one JSON document with --format json or --json', () => {
    type Graph = { schemaVersion: number; nodes: { id: number; title: string; status: string }[]; edges: { taskId: number; dependsOnId: number; type: string }[] };
    const viaFormat = json<Graph>(ok(run('graph', '--format', 'json')));
    const viaFlag = json<Graph>(ok(run('graph', '--json')));
    expect(viaFlag).toEqual(viaFormat);
    expect(viaFormat.schemaVersion).toBe(1);
    expect(viaFormat.nodes.map((node) => [node.id, node.status])).toEqual([[2, 'open'], [3, 'blocked'], [4, 'blocked']]);
    expect(viaFormat.nodes[0]?.title).toBe('Login "v2" [api]');
    expect(viaFormat.edges).toEqual([
      { taskId: 3, dependsOnId: 2, type: 'blocks' },
      { taskId: 4, dependsOnId: 2, type: 'parent-child' },
      { taskId: 4, dependsOnId: 3, type: 'related' },
    ]);
    expect(json<Graph>(ok(run('graph', '--all', '--json'))).nodes).toHaveLength(4);
  });

  it('refuses an unknown format with exit 2', () => {
    const result = run('graph', '--format', 'svg');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('mermaid, dot, json');
    expect(json<{ error: { code: string } }>(run('graph', '--format', 'svg', '--json')).error.code).toBe('INVALID_INPUT');
  });
});

describe('prime', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'baton-prime-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (cwd: string, ...args: string[]): BatonResult => baton(args, { cwd });

  it('prints the marked block, without needing a repository or a board', () => {
    const text = ok(run(dir, 'prime')).stdout.trimEnd();
    const lines = text.split('\n');
    expect(lines[0]).toBe('<!-- baton:prime:start -->');
    expect(lines.at(-1)).toBe('<!-- baton:prime:end -->');
    expect(lines.length).toBeGreaterThanOrEqual(15);
    expect(lines.length).toBeLessThanOrEqual(25);
    expect(text).toContain('baton claim --next');
    expect(json<{ block: string }>(ok(run(dir, 'prime', '--json'))).block).toBe(text);
  });

  it('creates AGENTS.md, then leaves it byte-identical on a second run', () => {
    const sub = join(dir, 'fresh');
    mkdirSync(sub);
    const first = json<{ path: string; changed: boolean }>(ok(run(sub, 'prime', '--write', 'AGENTS.md', '--json')));
    expect(first).toMatchObject({ path: join(sub, 'AGENTS.md'), changed: true });
    const written = readFileSync(join(sub, 'AGENTS.md'), 'utf8');
    expect(written).toBe(`${ok(run(dir, 'prime')).stdout.trimEnd()}\n`);
    const modified = statSync(join(sub, 'AGENTS.md')).mtimeMs;
    const second = json<{ changed: boolean }>(ok(run(sub, 'prime', '--write', 'AGENTS.md', '--json')));
    expect(second.changed).toBe(false);
    expect(readFileSync(join(sub, 'AGENTS.md'), 'utf8')).toBe(written);
    expect(statSync(join(sub, 'AGENTS.md')).mtimeMs).toBe(modified);
  });

  it('appends to an existing file and later replaces only its own block', () => {
    const file = join(dir, 'AGENTS.md');
    const intro = '# Agents\n\nRun `npm test` before you commit.';
    writeFileSync(file, intro);
    ok(run(dir, 'prime', '--write', 'AGENTS.md'));
    const once = readFileSync(file, 'utf8');
    expect(once.startsWith(`${intro}\n\n<!-- baton:prime:start -->\n`)).toBe(true);
    expect(once.endsWith('<!-- baton:prime:end -->\n')).toBe(true);

    // Someone adds a section after the block and the block goes stale: only the block changes.
    const outro = '\n\n## Style\n\nTwo spaces.\n';
    const stale = once.replace(/<!-- baton:prime:start -->[\s\S]*<!-- baton:prime:end -->\n$/, '<!-- baton:prime:start -->\nold\n<!-- baton:prime:end -->') + outro;
    writeFileSync(file, stale);
    expect(ok(run(dir, 'prime', '--write', 'AGENTS.md')).stdout).toContain('wrote the baton block');
    const updated = readFileSync(file, 'utf8');
    expect(updated).toBe(`${once.trimEnd()}${outro}`);
    ok(run(dir, 'prime', '--write', 'AGENTS.md'));
    expect(readFileSync(file, 'utf8')).toBe(updated);
  });

  it('refuses a file whose markers do not pair up, leaving it as it was', () => {
    const file = join(dir, 'BROKEN.md');
    const text = '# Notes\n<!-- baton:prime:start -->\nhalf a block\n';
    writeFileSync(file, text);
    const result = run(dir, 'prime', '--write', 'BROKEN.md');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('1 start and 0 end');
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
