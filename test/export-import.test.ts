import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baton, boardFingerprint, json, makeRepo, type BatonResult } from './helpers/baton.js';

interface Counts {
  tasks: number;
  dependencies: number;
  notes: number;
  events: number;
}
type Line = Record<string, unknown> & { type: string };

/** The lines of an export, with the header's export time (the one field allowed to differ) removed. */
function comparable(jsonl: string): string[] {
  const lines = jsonl.trimEnd().split('\n');
  const header = JSON.parse(lines[0] as string) as Record<string, unknown>;
  expect(typeof header.exportedAt).toBe('string');
  delete header.exportedAt;
  return [JSON.stringify(header), ...lines.slice(1)];
}

function records(jsonl: string): Line[] {
  return jsonl.trimEnd().split('\n').map((line) => JSON.parse(line) as Line);
}

const ok = (result: BatonResult): BatonResult => {
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stdout}${result.stderr}`);
  return result;
};

describe('export and import', () => {
  let repo: ReturnType<typeof makeRepo>;
  let exported: string;
  const run = (...args: string[]): BatonResult => baton(args, { cwd: repo.dir });
  const as = (agent: string, ...args: string[]): BatonResult => baton(args, { cwd: repo.dir, env: { BATON_AGENT: agent } });

  /** A board with every dependency type, notes, parents, and open, blocked, claimed, done, cancelled and reopened tasks. */
  beforeAll(() => {
    repo = makeRepo();
    ok(run('init'));
    ok(run('add', 'Create schema', '-p', '1', '-l', 'db,backend', '--verify', 'npm test', '--acceptance', 'tables exist', '-r', 'modifies:table:users'));
    ok(run('add', 'Login endpoint', '-d', 'Add login\nand "signup"', '-a', 'agent-2', '--due', '2025-09-01',
      '--link', 'app/auth.py:10-20', '--link', 'https://example.com/spec', '-r', 'modifies:endpoint:POST /api/login', '--depends-on', '1'));
    ok(run('add', 'Auth epic', '-k', 'feature', '-p', 'high'));
    ok(run('add', 'Session store', '--parent', '3'));
    ok(run('depend', '4', '--on', '3', '--type', 'parent-child'));
    ok(run('add', 'Write docs [v2] ✓'));
    ok(run('depend', '5', '--on', '2', '--type', 'related'));
    ok(run('idea', 'Cache tokens', '--link', 'app/auth.py:12', '--from', '2'));
    ok(run('add', 'Dropped work'));
    ok(run('cancel', '7'));
    ok(run('add', 'Parent added later'));
    // A parent with a higher id than its child: the import has to insert it first.
    ok(run('edit', '1', '--parent', '8'));
    for (let index = 1; index <= 8; index++) ok(run('note', String(1 + (index % 3)), `note ${index}: "quoted" \\ and ünïcode`));
    ok(as('alice', 'claim', '1'));
    ok(as('alice', 'heartbeat'));
    ok(as('alice', 'complete', '1', '-m', 'Merged PR #123'));
    ok(as('agent-2', 'claim', '2'));
    ok(run('block', '5', '--reason', 'waiting on API keys'));
    ok(run('add', 'Reopened'));
    ok(run('complete', '9', '-m', 'too early'));
    ok(run('reopen', '9'));
    exported = join(repo.dir, 'board.jsonl');
    ok(run('export', '--output', exported));
  });
  afterAll(() => repo.cleanup());

  it('exports every task, dependency, note and event with their ids', () => {
    const lines = records(readFileSync(exported, 'utf8'));
    const header = lines[0] as { type: string; schemaVersion: number; counts: Counts };
    expect(header).toMatchObject({ type: 'header', schemaVersion: 1 });
    const tasks = lines.filter((line) => line.type === 'task').map((line) => line.task as { id: number; status: string; parentId: number | null });
    expect(tasks.map((task) => task.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(tasks.map((task) => task.status))).toEqual(new Set(['done', 'in_progress', 'open', 'blocked', 'cancelled']));
    expect(tasks[0]?.parentId).toBe(8);
    const dependencies = lines.filter((line) => line.type === 'dependency').map((line) => line.dependency as { type: string; createdAt: string });
    expect(new Set(dependencies.map((dependency) => dependency.type))).toEqual(new Set(['blocks', 'related', 'discovered-from', 'parent-child']));
    expect(dependencies.every((dependency) => typeof dependency.createdAt === 'string')).toBe(true);
    const events = lines.filter((line) => line.type === 'event').map((line) => line.event as { id: number });
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    expect(header.counts).toEqual({ tasks: 9, dependencies: 4, notes: 8, events: events.length });
    expect(events.length).toBeGreaterThan(25);
  });

  it('round-trips losslessly: export → import into a new board → export gives the same lines', () => {
    const imported = json<{ path: string; counts: Counts }>(ok(run('import', exported, '--db', 'copy.db', '--json')));
    expect(imported.path).toBe(join(repo.dir, 'copy.db'));
    expect(imported.counts).toEqual(records(readFileSync(exported, 'utf8'))[0]?.counts);
    const again = ok(run('export', '--db', 'copy.db')).stdout;
    expect(comparable(again)).toEqual(comparable(readFileSync(exported, 'utf8')));

    // The derived views agree too: what is ready, what is blocked and why, a task's whole detail.
    // Only `version`, the store's write counter, starts again on the new board (it is not exported).
    const withoutVersions = (result: BatonResult): string => JSON.stringify(json(ok(result)), (key, value: unknown) => (key === 'version' ? undefined : value));
    for (const view of [['ready'], ['blocked'], ['list', '--all'], ['show', '2'], ['log', '1']]) {
      expect(withoutVersions(run(...view, '--db', 'copy.db', '--json'))).toBe(withoutVersions(run(...view, '--json')));
    }
  });

  it('leaves the imported board ready for work: ids and event ids carry on after the imported ones', () => {
    ok(run('import', exported, '--db', 'work.db'));
    const lastEvent = records(readFileSync(exported, 'utf8')).filter((line) => line.type === 'event').length;
    const added = json<{ task: { id: number } }>(ok(run('add', 'After import', '--db', 'work.db', '--json')));
    expect(added.task.id).toBe(10);
    const events = json<{ events: { id: number; type: string }[] }>(ok(run('watch', '--db', 'work.db', '--since', String(lastEvent), '--json')));
    expect(events.events).toEqual([expect.objectContaining({ id: lastEvent + 1, type: 'task_created' })]);
  });

  it('writes the same JSONL to stdout as to --output, and reads it back from stdin', () => {
    const stdout = ok(run('export', '--json')).stdout;
    expect(comparable(stdout)).toEqual(comparable(readFileSync(exported, 'utf8')));
    const written = json<{ schemaVersion: number; path: string; counts: Counts }>(ok(run('export', '-o', 'again.jsonl', '--json')));
    expect(written).toMatchObject({ schemaVersion: 1, path: join(repo.dir, 'again.jsonl'), counts: { tasks: 9 } });
    expect(readFileSync(join(repo.dir, 'again.jsonl'), 'utf8').endsWith('}\n')).toBe(true);

    const piped = baton(['import', '-', '--db', 'piped.db'], { cwd: repo.dir, input: stdout });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/imported 9 tasks, 4 dependencies, 8 notes, \d+ events into /);
    expect(comparable(ok(run('export', '--db', 'piped.db')).stdout)).toEqual(comparable(stdout));
  });

  it('refuses to import into a board that is not empty and leaves it unchanged', () => {
    const before = boardFingerprint(repo.db);
    const refused = run('import', exported);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('--db');
    const asJson = json<{ error: { code: string } }>(run('import', exported, '--json'));
    expect(asJson.error.code).toBe('BOARD_NOT_EMPTY');
    expect(boardFingerprint(repo.db)).toBe(before);
  });

  it('refuses a file with a bad line, naming the line and the field, and writes nothing', () => {
    const lines = readFileSync(exported, 'utf8').trimEnd().split('\n');
    const broken = [...lines];
    const record = JSON.parse(broken[4] as string) as { task: Record<string, unknown> };
    delete record.task.status;
    broken[4] = JSON.stringify(record);
    writeFileSync(join(repo.dir, 'broken.jsonl'), `${broken.join('\n')}\n`);

    const result = run('import', 'broken.jsonl', '--db', 'never.db');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('line 5: task.status is missing');
    expect(existsSync(join(repo.dir, 'never.db'))).toBe(false);

    // Into an existing empty board: still nothing written, even when the bad line is the last one.
    ok(run('init', '--db', 'empty.db'));
    const emptyDb = join(repo.dir, 'empty.db');
    const before = boardFingerprint(emptyDb);
    const lastBroken = [...lines.slice(0, -1), '{"type":"event","event":{'];
    writeFileSync(join(repo.dir, 'truncated.jsonl'), lastBroken.join('\n'));
    const refused = json<{ error: { code: string; message: string; details: { line: number; field: string } } }>(
      run('import', 'truncated.jsonl', '--db', 'empty.db', '--json'),
    );
    expect(refused.error.code).toBe('INVALID_INPUT');
    expect(refused.error.details).toEqual({ line: lines.length, field: 'JSON' });
    expect(boardFingerprint(emptyDb)).toBe(before);
    expect(json<{ count: number }>(run('list', '--all', '--db', 'empty.db', '--json')).count).toBe(0);
  });

  it('says when the file is missing', () => {
    const result = run('import', 'nowhere.jsonl', '--db', 'x.db');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('no file at');
  });
});
