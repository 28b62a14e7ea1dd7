import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baton, BATON_BIN, json, makeRepo, type BatonResult } from './helpers/baton.js';

/**
 * The machine contract of every command: `--json` prints exactly one document with
 * `schemaVersion: 1` (errors included), and the exit code says what happened.
 */

const STATUSES = ['open', 'in_progress', 'review', 'done', 'blocked', 'cancelled', 'failed'];
const KINDS = ['task', 'bug', 'feature', 'chore', 'idea'];
const NULLABLE_TASK_FIELDS = ['due', 'parentId', 'closedAt', 'blockReason', 'completionMessage', 'leaseExpiresAt', 'worktree', 'branch'];
const ESC = '\u001b';
const PACKAGE_VERSION = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')) as { version: string }).version;

interface TaskDoc {
  id: number;
  title: string;
  status: string;
  priority: number;
  assignee: string | null;
  kind: string;
  labels: string[];
  resources: { mode: string; kind: string; name: string }[];
  links: ({ kind: 'file'; path: string; startLine?: number; endLine?: number } | { kind: 'url'; url: string })[];
  due: string | null;
  blockReason: string | null;
  leaseExpiresAt: string | null;
  completionMessage: string | null;
}

type Doc = Record<string, unknown>;

function isIsoTime(value: unknown): boolean {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
}

/** The documented task object; extra fields are allowed (adding one does not break consumers). */
function expectTask(value: unknown): TaskDoc {
  expect(value).toEqual(
    expect.objectContaining({
      id: expect.any(Number),
      title: expect.any(String),
      description: expect.any(String),
      status: expect.any(String),
      priority: expect.any(Number),
      labels: expect.any(Array),
      acceptance: expect.any(Array),
      verify: expect.any(Array),
      resources: expect.any(Array),
      links: expect.any(Array),
      createdBy: expect.any(String),
      version: expect.any(Number),
    }),
  );
  const task = value as TaskDoc & Record<string, unknown>;
  expect(task.id).toBeGreaterThan(0);
  expect(STATUSES).toContain(task.status);
  expect(KINDS).toContain(task.kind);
  expect([0, 1, 2, 3, 4]).toContain(task.priority);
  expect(task.assignee === null || typeof task.assignee === 'string').toBe(true);
  for (const field of NULLABLE_TASK_FIELDS) {
    expect(task).toHaveProperty(field);
    expect(task[field] === null || typeof task[field] === 'string').toBe(true);
  }
  expect(isIsoTime(task.createdAt) && isIsoTime(task.updatedAt)).toBe(true);
  for (const label of task.labels) expect(typeof label).toBe('string');
  for (const resource of task.resources) expect(resource).toEqual({ mode: expect.any(String), kind: expect.any(String), name: expect.any(String) });
  for (const link of task.links) expect(link.kind === 'file' ? typeof link.path : typeof link.url).toBe('string');
  return task;
}

function expectEvent(value: unknown): void {
  expect(value).toEqual({
    id: expect.any(Number),
    at: expect.any(String),
    actor: expect.any(String),
    taskId: expect.any(Number),
    type: expect.any(String),
    payload: expect.any(Object),
    recipients: expect.any(Array),
  });
  expect(isIsoTime((value as { at: unknown }).at)).toBe(true);
}

/** Exactly one JSON document with schemaVersion 1, exit 0, and no error inside. */
function okDocument(result: BatonResult): Doc {
  expect(result.code, result.stderr + result.stdout).toBe(0);
  const doc = json<Doc>(result);
  expect(doc.schemaVersion).toBe(1);
  expect(doc).not.toHaveProperty('error');
  return doc;
}

/** The error document: `{schemaVersion, error: {code, message}}` on stdout and nothing on stderr. */
function errorDocument(result: BatonResult, exitCode: number, code: string): { code: string; message: string } {
  const doc = json<{ schemaVersion: number; error: { code: string; message: string } }>(result);
  expect(Object.keys(doc).sort()).toEqual(['error', 'schemaVersion']);
  expect(doc.schemaVersion).toBe(1);
  expect(doc.error).toEqual(expect.objectContaining({ code, message: expect.any(String) }));
  expect(doc.error.message.length).toBeGreaterThan(10);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(exitCode);
  return doc.error;
}

/** One board shared by the per-command cases; each case creates the tasks it needs. */
class Board {
  constructor(readonly dir: string) {}

  run(...args: string[]): BatonResult {
    return baton(args, { cwd: this.dir });
  }

  doc(...args: string[]): Doc {
    return okDocument(this.run(...args, '--json'));
  }

  add(title: string, ...extra: string[]): string {
    return String(expectTask(this.doc('add', title, ...extra).task).id);
  }
}

interface JsonCase {
  /** Builds whatever the command needs and returns its arguments (without --json). */
  args(board: Board): string[];
  check(doc: Doc, board: Board): void;
}

const CASES: Record<string, JsonCase> = {
  init: {
    args: () => ['init'],
    check: (doc, board) => {
      expect(doc.path).toBe(join(board.dir, '.git', 'baton', 'baton.db'));
      expect(doc.tasks).toEqual(expect.any(Number));
    },
  },
  add: {
    args: () => ['add', 'Implement auth', '-d', 'Add login', '-a', 'alice', '-p', 'high', '-k', 'feature', '-l', 'api,auth',
      '--due', '2025-09-01', '--resource', 'modifies:endpoint:POST /api/login', '--link', 'app/auth.py:10-24'],
    check: (doc) => {
      expect(Object.keys(doc).sort()).toEqual(['schemaVersion', 'task']);
      expect(expectTask(doc.task)).toMatchObject({
        title: 'Implement auth', status: 'open', priority: 1, assignee: 'alice', kind: 'feature', labels: ['api', 'auth'], due: '2025-09-01',
        resources: [{ mode: 'modifies', kind: 'endpoint', name: 'POST /api/login' }],
        links: [{ kind: 'file', path: 'app/auth.py', startLine: 10, endLine: 24 }],
      });
    },
  },
  list: {
    args: (board) => {
      board.add('Listed task');
      return ['list', '--all'];
    },
    check: (doc) => {
      const tasks = doc.tasks as unknown[];
      expect(tasks.length).toBeGreaterThan(0);
      tasks.forEach(expectTask);
      expect(doc.count).toBe(tasks.length);
      expect(tasks.map((task) => (task as TaskDoc).title)).toContain('Listed task');
    },
  },
  show: {
    args: (board) => {
      const first = board.add('Shown task');
      const second = board.add('Its dependency');
      board.doc('depend', first, '--on', second);
      board.doc('note', first, 'a note');
      return ['show', first];
    },
    check: (doc) => {
      expect(expectTask(doc.task).title).toBe('Shown task');
      expect(doc.dependsOn).toEqual([expect.objectContaining({ type: 'blocks', other: expect.objectContaining({ title: 'Its dependency', status: 'open' }) })]);
      expect(doc.dependents).toEqual([]);
      expect(doc.notes).toEqual([expect.objectContaining({ author: 'tester', body: 'a note', createdAt: expect.any(String) })]);
    },
  },
  edit: {
    args: (board) => ['edit', board.add('Before edit'), '--title', 'After edit', '-p', '0', '-l', 'edited'],
    check: (doc) => expect(expectTask(doc.task)).toMatchObject({ title: 'After edit', priority: 0, labels: ['edited'] }),
  },
  ready: {
    args: (board) => {
      board.add('Ready task', '-p', 'critical');
      return ['ready', '--explain'];
    },
    check: (doc) => {
      const tasks = doc.tasks as (TaskDoc & { rank: { position: number; unblocks: number; collisions: unknown[]; why: string } })[];
      expect(tasks.length).toBeGreaterThan(0);
      expect(doc.count).toBe(tasks.length);
      tasks.forEach((task, index) => {
        expect(expectTask(task).status).toBe('open');
        expect(task.rank).toEqual({ position: index + 1, unblocks: expect.any(Number), collisions: [], why: expect.any(String) });
      });
    },
  },
  claim: {
    args: (board) => ['claim', board.add('Claimed task')],
    check: (doc) => {
      expect(doc.renewed).toBe(false);
      const task = expectTask(doc.task);
      expect(task).toMatchObject({ status: 'in_progress', assignee: 'tester' });
      expect(isIsoTime(task.leaseExpiresAt)).toBe(true);
    },
  },
  start: {
    args: (board) => ['start', board.add('Started task')],
    check: (doc) => {
      expect(doc.renewed).toBe(false);
      expect(expectTask(doc.task)).toMatchObject({ status: 'in_progress', assignee: 'tester' });
    },
  },
  heartbeat: {
    args: (board) => {
      const id = board.add('Held task');
      board.doc('claim', id);
      return ['heartbeat', id];
    },
    check: (doc) => {
      const tasks = doc.tasks as unknown[];
      expect(tasks).toHaveLength(1);
      expect(expectTask(tasks[0])).toMatchObject({ title: 'Held task', status: 'in_progress' });
    },
  },
  release: {
    args: (board) => {
      const id = board.add('Released task');
      board.doc('claim', id);
      return ['release', id];
    },
    check: (doc) => expect(expectTask(doc.task)).toMatchObject({ title: 'Released task', status: 'open', leaseExpiresAt: null }),
  },
  reap: {
    args: (board) => {
      const id = board.add('Expired lease');
      board.doc('claim', id, '--ttl', '1ms');
      return ['reap'];
    },
    check: (doc) => {
      const tasks = (doc.tasks as unknown[]).map(expectTask);
      expect(tasks.map((task) => [task.title, task.status])).toContainEqual(['Expired lease', 'open']);
    },
  },
  complete: {
    args: (board) => {
      const first = board.add('Finished work');
      const waiting = board.add('Waits on it');
      board.doc('depend', waiting, '--on', first);
      return ['complete', first, '-m', 'Merged PR #1'];
    },
    check: (doc) => {
      expect(expectTask(doc.task)).toMatchObject({ title: 'Finished work', status: 'done', completionMessage: 'Merged PR #1' });
      const unblocked = (doc.unblocked as unknown[]).map(expectTask);
      expect(unblocked.map((task) => [task.title, task.status])).toEqual([['Waits on it', 'open']]);
    },
  },
  depend: {
    args: (board) => ['depend', board.add('Dependent'), '--on', board.add('Dependency'), '--type', 'related'],
    check: (doc) => {
      expect(expectTask(doc.task).title).toBe('Dependent');
      expect(doc.dependsOn).toEqual(expect.any(Number));
      expect(doc.type).toBe('related');
    },
  },
  undepend: {
    args: (board) => {
      const first = board.add('Was waiting');
      const second = board.add('Was needed');
      board.doc('depend', first, '--on', second);
      return ['undepend', first, '--on', second];
    },
    check: (doc) => {
      expect(expectTask(doc.task)).toMatchObject({ title: 'Was waiting', status: 'open' });
      expect(doc.removed).toEqual(expect.any(Number));
    },
  },
  blocked: {
    args: (board) => {
      const first = board.add('Blocked by dependency');
      board.doc('depend', first, '--on', board.add('Blocker'));
      return ['blocked'];
    },
    check: (doc) => {
      const tasks = doc.tasks as (TaskDoc & { blockers: { id: number; title: string; status: string }[] })[];
      expect(doc.count).toBe(tasks.length);
      const entry = tasks.find((task) => task.title === 'Blocked by dependency');
      expect(expectTask(entry).status).toBe('blocked');
      expect(entry?.blockers).toEqual([{ id: expect.any(Number), title: 'Blocker', status: 'open' }]);
    },
  },
  block: {
    args: (board) => ['block', board.add('Manually blocked'), '--reason', 'waiting on keys'],
    check: (doc) => expect(expectTask(doc.task)).toMatchObject({ status: 'blocked', blockReason: 'waiting on keys' }),
  },
  unblock: {
    args: (board) => {
      const id = board.add('Unblocked again');
      board.doc('block', id, '--reason', 'for a moment');
      return ['unblock', id];
    },
    check: (doc) => expect(expectTask(doc.task)).toMatchObject({ status: 'open', blockReason: null }),
  },
  cancel: {
    args: (board) => ['cancel', board.add('Cancelled task'), '-m', 'not needed'],
    check: (doc) => expect(expectTask(doc.task).status).toBe('cancelled'),
  },
  reopen: {
    args: (board) => {
      const id = board.add('Reopened task');
      board.doc('complete', id);
      return ['reopen', id];
    },
    check: (doc) => expect(expectTask(doc.task)).toMatchObject({ status: 'open', completionMessage: null }),
  },
  note: {
    args: (board) => ['note', board.add('Noted task'), 'remember', 'this'],
    check: (doc) =>
      expect(doc.note).toEqual(
        expect.objectContaining({ id: expect.any(Number), taskId: expect.any(Number), author: 'tester', body: 'remember this', createdAt: expect.any(String) }),
      ),
  },
  idea: {
    args: () => ['idea', 'Cache the lookups', '--link', 'src/lookup.ts:3'],
    check: (doc) => expect(expectTask(doc.task)).toMatchObject({ kind: 'idea', links: [{ kind: 'file', path: 'src/lookup.ts', startLine: 3 }] }),
  },
  log: {
    args: (board) => {
      const id = board.add('Logged task');
      board.doc('claim', id);
      return ['log', id];
    },
    check: (doc) => {
      const events = doc.events as { type: string }[];
      events.forEach(expectEvent);
      expect(events.map((event) => event.type)).toEqual(['task_created', 'task_claimed']);
    },
  },
  watch: {
    args: (board) => {
      board.add('Watched task');
      return ['watch', '--limit', '3'];
    },
    check: (doc) => {
      const events = doc.events as { type: string }[];
      expect(events).toHaveLength(3);
      expect(doc.count).toBe(3);
      events.forEach(expectEvent);
      expect(events.at(-1)?.type).toBe('task_created');
    },
  },
  graph: {
    args: (board) => {
      const waiting = board.add('Graph waits');
      board.doc('depend', waiting, '--on', board.add('Graph needed'));
      return ['graph'];
    },
    check: (doc) => {
      const nodes = doc.nodes as { id: number; title: string; status: string; assignee: unknown }[];
      for (const node of nodes) {
        expect(Object.keys(node).sort()).toEqual(['assignee', 'id', 'priority', 'status', 'title']);
        expect(STATUSES).toContain(node.status);
        expect(node.assignee === null || typeof node.assignee === 'string').toBe(true);
      }
      const id = (title: string): number | undefined => nodes.find((node) => node.title === title)?.id;
      expect(doc.edges).toContainEqual({ taskId: id('Graph waits'), dependsOnId: id('Graph needed'), type: 'blocks' });
    },
  },
  export: {
    args: (board) => ['export', '--output', join(board.dir, 'board.jsonl')],
    check: (doc, board) => {
      expect(doc.path).toBe(join(board.dir, 'board.jsonl'));
      expect(doc.counts).toEqual({ tasks: expect.any(Number), dependencies: expect.any(Number), notes: expect.any(Number), events: expect.any(Number) });
      const lines = readFileSync(join(board.dir, 'board.jsonl'), 'utf8').trimEnd().split('\n');
      expect(lines.length).toBe(1 + Object.values(doc.counts as Record<string, number>).reduce((sum, n) => sum + n, 0));
    },
  },
  import: {
    args: (board) => {
      board.doc('export', '--output', join(board.dir, 'for-import.jsonl'));
      return ['import', join(board.dir, 'for-import.jsonl'), '--db', join(board.dir, 'imported.db')];
    },
    check: (doc, board) => {
      expect(doc.path).toBe(join(board.dir, 'imported.db'));
      const exported = readFileSync(join(board.dir, 'for-import.jsonl'), 'utf8').split('\n')[0] as string;
      expect(doc.counts).toEqual((JSON.parse(exported) as { counts: unknown }).counts);
    },
  },
  prime: {
    args: () => ['prime'],
    check: (doc) => {
      expect(doc.block).toEqual(expect.stringContaining('baton claim --next'));
      expect(doc.block).toEqual(expect.stringContaining('--json'));
    },
  },
  demo: {
    // The fleet part's document is demo.test.ts's; the board part's shape is enough here.
    args: () => ['demo', '--agents', '1', '--tasks', '2', '--no-run'],
    check: (doc) => {
      expect(doc).toMatchObject({ ok: true, problems: [] });
      expect(doc.tasks).toEqual([expect.objectContaining({ status: 'done' }), expect.objectContaining({ status: 'done' })]);
      expect(doc.checks).toEqual(expect.arrayContaining([expect.objectContaining({ name: expect.any(String), ok: true })]));
    },
  },
  schema: {
    args: () => ['schema'],
    check: (doc) => {
      expect(doc.path).toEqual(expect.stringMatching(/\/schema\/baton\.config\.schema\.json$/));
      expect(doc.url).toEqual(expect.stringMatching(/^https:\/\/.*baton\.config\.schema\.json$/));
    },
  },
};

/** Servers that would run until stopped; they get their own tests. */
const LONG_RUNNING = new Set(['serve', 'mcp']);

const scratch = mkdtempSync(join(tmpdir(), 'baton-json-'));
const REGISTERED = json<{ commands: string[] }>(baton(['--help', '--json'], { cwd: scratch })).commands;
rmSync(scratch, { recursive: true, force: true });

describe('--json: one document per command', () => {
  let repo: ReturnType<typeof makeRepo>;
  let board: Board;
  beforeAll(() => {
    repo = makeRepo();
    board = new Board(repo.dir);
    expect(board.run('init').code).toBe(0);
  });
  afterAll(() => repo.cleanup());

  it('lists the commands it covers in --help --json', () => {
    expect(REGISTERED).toEqual(expect.arrayContaining(Object.keys(CASES)));
  });

  it('export without --output streams JSONL, one record a line, even with --json', () => {
    const result = board.run('export', '--json');
    expect(result.code).toBe(0);
    const records = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string; schemaVersion?: number });
    expect(records[0]).toMatchObject({ type: 'header', schemaVersion: 1 });
    expect(records.slice(1).every((record) => ['task', 'dependency', 'note', 'event'].includes(record.type))).toBe(true);
  });

  it('graph --format json prints the same document with or without --json', () => {
    const plain = board.run('graph', '--format', 'json');
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout)).toEqual(board.doc('graph'));
  });

  for (const name of REGISTERED) {
    const known = CASES[name];
    if (known) {
      it(`${name} --json prints its documented shape`, () => {
        const args = known.args(board);
        known.check(board.doc(...args), board);
      });
    } else if (!LONG_RUNNING.has(name)) {
      it(`${name} --json prints one document even without arguments`, () => {
        const result = board.run(name, '--json');
        const doc = json<Doc>(result);
        expect(doc.schemaVersion).toBe(1);
        if (result.code === 0) expect(doc).not.toHaveProperty('error');
        else {
          expect([1, 2, 3, 4]).toContain(result.code);
          expect(doc.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
        }
      });
    }
  }
});

describe('--json error documents and exit codes', () => {
  let repo: ReturnType<typeof makeRepo>;
  let board: Board;
  beforeAll(() => {
    repo = makeRepo();
    board = new Board(repo.dir);
    expect(board.run('init').code).toBe(0);
  });
  afterAll(() => repo.cleanup());

  it('not found: exit 3 with TASK_NOT_FOUND naming the id', () => {
    const error = errorDocument(board.run('show', '999', '--json'), 3, 'TASK_NOT_FOUND');
    expect(error.message).toContain('#999');
    expect(error.message).toContain('baton list');
  });

  it('not found: exit 3 for a dependency that does not exist, and NOTHING_READY for an empty queue', () => {
    const first = board.add('Lonely');
    const second = board.add('Unrelated');
    errorDocument(board.run('undepend', first, '--on', second, '--json'), 3, 'NOT_FOUND');
    board.doc('cancel', first);
    board.doc('cancel', second);
    errorDocument(board.run('claim', '--next', '--json'), 3, 'NOTHING_READY');
  });

  it('conflict: exit 4 when another agent holds the task', () => {
    const id = board.add('Contested');
    board.doc('claim', id);
    const error = errorDocument(board.run('claim', id, '--as', 'agent-2', '--json'), 4, 'ALREADY_CLAIMED');
    expect(error.message).toContain('tester');
  });

  it('conflict: exit 4 for an illegal transition, with the legal ones in details', () => {
    const id = board.add('Closed');
    board.doc('complete', id);
    const result = board.run('block', id, '--reason', 'late', '--json');
    errorDocument(result, 4, 'ILLEGAL_TRANSITION');
    expect(json<{ error: { details: unknown } }>(result).error.details).toEqual(expect.objectContaining({ from: 'done', to: 'blocked', legal: ['open'] }));
  });

  it('usage: exit 2 for a missing argument, an unknown option and a bad value', () => {
    expect(errorDocument(board.run('add', '--json'), 2, 'USAGE').message).toContain('TITLE');
    expect(errorDocument(board.run('list', '--colour', '--json'), 2, 'USAGE').message).toContain('--colour');
    const invalid = board.run('list', '--status', 'nope', '--json');
    expect(errorDocument(invalid, 2, 'INVALID_INPUT').message).toContain('--status');
    expect(json<{ error: { details: unknown } }>(invalid).error.details).toEqual({ field: '--status' });
  });

  it('usage: exit 2 for an unknown command, as a document too', () => {
    expect(errorDocument(board.run('frobnicate', '--json'), 2, 'USAGE').message).toContain("'frobnicate'");
  });
});

/** Runs baton under a pseudo-terminal (util-linux `script`), so stdout is a TTY. */
function batonOnTty(cwd: string, args: readonly string[], env: Record<string, string>): string {
  const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, BATON_BIN, ...args].map(quote).join(' ');
  const base: NodeJS.ProcessEnv = { ...process.env, BATON_AGENT: 'tester', ...env };
  if (env.NO_COLOR === undefined) delete base.NO_COLOR;
  const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd, env: base, encoding: 'utf8', timeout: 60_000 });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe('plain output', () => {
  let repo: ReturnType<typeof makeRepo>;
  beforeAll(() => {
    repo = makeRepo();
    const run = (...args: string[]) => baton(args, { cwd: repo.dir });
    run('init');
    run('add', 'Coloured task', '-l', 'ui', '--due', '2025-09-01');
    run('add', 'Waiting task');
    run('depend', '2', '--on', '1');
  });
  afterAll(() => repo.cleanup());

  const plainCommands = [['list'], ['show', '1'], ['ready', '--explain'], ['blocked'], ['watch'], ['log', '1']];

  it('has no ANSI escapes when stdout is a pipe, even without NO_COLOR', () => {
    for (const args of plainCommands) {
      const result = baton(args, { cwd: repo.dir, env: { NO_COLOR: undefined } });
      expect(result.code).toBe(0);
      expect(result.stdout.length).toBeGreaterThan(0);
      expect(result.stdout).not.toContain(ESC);
    }
  });

  it.skipIf(!hasScript)('colours a terminal, but not with NO_COLOR, --no-color or --json', () => {
    // The positive control: without these the same command does colour a terminal.
    expect(batonOnTty(repo.dir, ['list'], {})).toContain(`${ESC}[`);
    for (const args of plainCommands) {
      const noColor = batonOnTty(repo.dir, args, { NO_COLOR: '1' });
      expect(noColor).toContain(args[0] === 'watch' || args[0] === 'log' ? 'task_created' : '#1');
      expect(noColor).not.toContain(ESC);
      expect(batonOnTty(repo.dir, [...args, '--no-color'], {})).not.toContain(ESC);
    }
    const doc = batonOnTty(repo.dir, ['list', '--json'], {});
    expect(doc).not.toContain(ESC);
    expect(JSON.parse(doc)).toMatchObject({ schemaVersion: 1, count: 2 });
  });
});

describe('help and version', () => {
  const cwd = tmpdir();
  const run = (...args: string[]) => baton(args, { cwd, env: { BATON_DB: undefined } });

  it('--help lists every registered command and the exit codes, outside a repository too', () => {
    const result = run('--help');
    expect(result.code).toBe(0);
    for (const name of REGISTERED) expect(result.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(result.stdout).toContain('exit codes: 0 ok, 1 failed, 2 usage, 3 not found, 4 conflict');
  });

  it('`baton help add` and `baton add --help` print the same command help', () => {
    const help = run('help', 'add');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: baton add TITLE \[options\]/);
    for (const option of ['--description', '--priority', '--resource', '--link', '--due', '--json']) expect(help.stdout).toContain(option);
    expect(run('add', '--help').stdout).toBe(help.stdout);
    expect(run('help', 'create').stdout).toBe(help.stdout);
    expect(okDocument(run('help', 'add', '--json'))).toEqual({ schemaVersion: 1, help: 'add' });
  });

  it('`baton help` with an unknown topic is a usage error with a hint', () => {
    const result = run('help', 'lsit');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("did you mean 'list'");
  });

  it('--version, -V and -v print the package version', () => {
    const result = run('--version');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(PACKAGE_VERSION);
    expect(run('-V').stdout.trim()).toBe(PACKAGE_VERSION);
    expect(run('-v').stdout.trim()).toBe(PACKAGE_VERSION);
    expect(okDocument(run('--version', '--json'))).toEqual({ schemaVersion: 1, version: PACKAGE_VERSION });
  });
});
