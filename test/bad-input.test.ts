import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { baton, BATON_BIN, boardFingerprint, json, makeRepo, type BatonResult } from './helpers/baton.js';

/**
 * Bad input is refused with the documented exit code, a message that names the field and
 * says what to do, and a board left byte-for-byte as it was.
 */

interface BadInput {
  name: string;
  args: string[];
  exit: number;
  /** Each must appear in the message: the field it is about, the fix, the offending value. */
  says: (string | RegExp)[];
  env?: Record<string, string>;
}

/**
 * The board these cases run against:
 * #1 waits on #2, #2 waits on #5 (both blocked); #3 done; #4 cancelled; #5 open; #1's parent is #2.
 */
const CASES: BadInput[] = [
  { name: 'unknown id', args: ['show', '99'], exit: 3, says: ['#99', 'baton list'] },
  { name: 'unknown id on a write', args: ['complete', '99', '-m', 'x'], exit: 3, says: ['#99', 'baton list'] },
  { name: 'unknown dependency target', args: ['depend', '5', '--on', '99'], exit: 3, says: ['#99', 'baton list'] },
  { name: 'non-numeric id', args: ['show', 'abc'], exit: 2, says: ['ID', "'abc'", 'positive whole numbers like 12'] },
  { name: 'non-numeric --on', args: ['depend', '1', '--on', 'two'], exit: 2, says: ['--on', "'two'", 'positive whole numbers'] },
  { name: 'zero id', args: ['claim', '0'], exit: 2, says: ['ID', "'0'", 'positive whole numbers'] },
  { name: 'empty title', args: ['add', ''], exit: 2, says: ['TITLE', 'empty', 'give the task a short title'] },
  { name: 'blank title', args: ['add', '   '], exit: 2, says: ['TITLE', 'empty'] },
  { name: 'empty title on edit', args: ['edit', '5', '--title', ''], exit: 2, says: ['--title', 'empty'] },
  { name: 'escape sequence in a title', args: ['add', 'Clear \u001b[2J the screen'], exit: 2, says: ['TITLE', 'control character (U+001B)', 'plain text'] },
  { name: 'carriage return in a title on edit', args: ['edit', '5', '--title', 'Looks fine\rEvil'], exit: 2, says: ['--title', 'control character (U+000D)'] },
  { name: 'escape sequence in a note', args: ['note', '5', 'red \u001b[31m text'], exit: 2, says: ['control character (U+001B)', 'only newlines and tabs'] },
  { name: 'bidi override in a description', args: ['edit', '5', '--description', 'reads \u202e backwards'], exit: 2, says: ['--description', 'control character (U+202E)'] },
  { name: 'a parent that is below the task', args: ['edit', '2', '--parent', '1'], exit: 2, says: ['--parent', '#1 is below #2', 'loop of parents'] },
  { name: 'over-long title', args: ['add', 'x'.repeat(201)], exit: 2, says: ['TITLE', '201 characters', 'limit of 200', '--description'] },
  { name: 'impossible date', args: ['add', 'Due soon', '--due', '2025-02-30'], exit: 2, says: ['--due', "'2025-02-30'", 'YYYY-MM-DD'] },
  { name: 'unparseable date', args: ['add', 'Due soon', '--due', 'tomorrowish'], exit: 2, says: ['--due', "'tomorrowish'", 'tomorrow', '+Nd'] },
  { name: 'bad date on edit', args: ['edit', '5', '--due', '2025-13-01'], exit: 2, says: ['--due', "'2025-13-01'", 'YYYY-MM-DD'] },
  { name: 'unknown status', args: ['list', '--status', 'nope'], exit: 2, says: ['--status', "'nope'", 'open, in_progress, review, done'] },
  { name: 'unknown priority', args: ['add', 'Urgent', '-p', 'urgent'], exit: 2, says: ['--priority', "'urgent'", '0-4', 'critical, high'] },
  { name: 'out-of-range priority', args: ['add', 'Urgent', '-p', '7'], exit: 2, says: ['--priority', "'7'", '0-4'] },
  { name: 'unknown kind', args: ['add', 'Epic', '-k', 'epic'], exit: 2, says: ['--kind', "'epic'", 'task, bug, feature, chore, idea'] },
  { name: 'unknown kind filter', args: ['list', '--kind', 'epic'], exit: 2, says: ['--kind', "'epic'"] },
  { name: 'unknown dependency type', args: ['depend', '5', '--on', '3', '--type', 'needs'], exit: 2, says: ['--type', "'needs'", 'blocks, related'] },
  { name: 'unknown dependency type on add', args: ['add', 'Later', '--depends-on', '5', '--type', 'needs'], exit: 2, says: ['--type', "'needs'"] },
  { name: 'resource without NAME', args: ['add', 'API', '--resource', 'modifies:endpoint'], exit: 2, says: ['--resource', "'modifies:endpoint'", 'MODE:KIND:NAME', 'quote'] },
  { name: 'resource with unknown mode', args: ['add', 'API', '--resource', 'bogus:file:x'], exit: 2, says: ['--resource', "'bogus'", 'adds, modifies, removes, reads, touches'] },
  { name: 'endpoint without a path', args: ['add', 'API', '--resource', 'modifies:endpoint:POST'], exit: 2, says: ['--resource', "'modifies:endpoint:POST'", 'METHOD /path', 'quote'] },
  { name: 'resource on edit', args: ['edit', '5', '-r', 'modifies:file:'], exit: 2, says: ['--resource', 'empty NAME'] },
  { name: 'escape sequence in a resource name', args: ['add', 'API', '--resource', 'modifies:file:a\u001b[8m.ts'], exit: 2, says: ['--resource', 'control character (U+001B)', 'plain text'] },
  { name: 'newline in a resource name on edit', args: ['edit', '5', '-r', 'modifies:table:users\nforged line'], exit: 2, says: ['--resource', 'control character (U+000A)'] },
  { name: 'escape sequence in a link', args: ['add', 'Linked', '--link', 'a.py\u001b]0;owned\u0007'], exit: 2, says: ['--link', 'control character (U+001B)', 'plain text'] },
  { name: 'link without a path', args: ['add', 'Linked', '--link', ':12'], exit: 2, says: ['--link', "':12'", 'path:LINE', 'path:START-END'] },
  { name: 'link to line 0', args: ['add', 'Linked', '--link', 'a.py:0'], exit: 2, says: ['--link', "'a.py:0'", 'lines start at 1'] },
  { name: 'link with a reversed range', args: ['add', 'Linked', '--link', 'a.py:9-3'], exit: 2, says: ['--link', "'a.py:9-3'", 'END must not be before START'] },
  { name: 'link outside the repository', args: ['add', 'Linked', '--link', '../secret.py'], exit: 2, says: ['--link', 'inside the repository'] },
  { name: 'dependency on itself', args: ['depend', '5', '--on', '5'], exit: 2, says: ['--on', '#5', 'itself', 'name another task'] },
  { name: 'dependency cycle', args: ['depend', '5', '--on', '1'], exit: 4, says: ['cycle', '#5 → #1 → #2 → #5', 'baton undepend'] },
  { name: 'claim of a done task', args: ['claim', '3'], exit: 4, says: ['#3', 'done', 'baton reopen 3'] },
  { name: 'start of a cancelled task', args: ['start', '4'], exit: 4, says: ['#4', 'cancelled', 'baton reopen 4'] },
  { name: 'claim of a task waiting on others', args: ['claim', '1'], exit: 4, says: ['#1', '#2', 'finish those first'] },
  { name: 'claim with neither id nor --next', args: ['claim'], exit: 2, says: ['ID', '--next'] },
  { name: 'unknown command', args: ['lsit'], exit: 2, says: ["unknown command 'lsit'", "did you mean 'list'", 'baton --help'] },
  { name: 'unknown option', args: ['list', '--stauts', 'open'], exit: 2, says: ["'--stauts'", 'did you mean --status', 'baton list --help'] },
  { name: 'unknown option without a near name', args: ['add', 'Task', '--frobnicate'], exit: 2, says: ["'--frobnicate'", 'baton add --help'] },
  { name: 'missing argument', args: ['show'], exit: 2, says: ['missing ID', 'usage: baton show ID'] },
  { name: 'missing option value', args: ['add', 'Due', '--due'], exit: 2, says: ['--due needs a value'] },
  { name: 'bad lease length', args: ['claim', '5', '--ttl', 'forever'], exit: 2, says: ['--ttl', "'forever'", '30m'] },
  { name: 'empty note', args: ['note', '5', ' '], exit: 2, says: ['TEXT', 'empty'] },
  { name: 'block without a reason', args: ['block', '5'], exit: 2, says: ['--reason', 'say why'] },
  { name: 'unknown graph format', args: ['graph', '--format', 'svg'], exit: 2, says: ['--format', "'svg'", 'mermaid, dot, json'] },
  { name: 'import of a missing file', args: ['import', 'nope.jsonl'], exit: 3, says: ['nope.jsonl', 'baton export'] },
  { name: 'edit with nothing to change', args: ['edit', '5'], exit: 2, says: ['nothing to change', 'baton edit --help'] },
  { name: 'empty --as', args: ['add', 'Whose?', '--as', ''], exit: 2, says: ['--as', 'is empty', 'name the agent', 'leave --as out'] },
  { name: 'empty --as on a read', args: ['list', '--as', ''], exit: 2, says: ['--as', 'is empty'] },
  { name: 'bidi override in --as', args: ['add', 'Whose?', '--as', 'alice\u202eecila'], exit: 2, says: ['--as', 'is not an agent name'] },
  { name: 'line separator in an assignee', args: ['add', 'Whose?', '-a', 'bob\u2028carol'], exit: 2, says: ['--assignee', 'is not an agent name'] },
  { name: 'empty BATON_AGENT', args: ['add', 'Whose?'], env: { BATON_AGENT: '' }, exit: 2, says: ['BATON_AGENT', 'is empty', 'unset it'] },
  { name: 'empty --db', args: ['add', 'Where?', '--db', ''], exit: 2, says: ['--db', 'is empty', 'leave --db out'] },
  { name: 'priority given twice', args: ['add', 'Which?', '-p', '9', '-p', '1'], exit: 2, says: ['--priority is given twice', "'9', then '1'", 'keep the one you mean', '-p is the same option'] },
  { name: 'priority given twice by both names', args: ['add', 'Which?', '-p', '1', '--priority', '3'], exit: 2, says: ['--priority is given twice', "'1', then '3'"] },
  { name: 'due date given twice', args: ['edit', '5', '--due', '+1d', '--due', '+2d'], exit: 2, says: ['--due is given twice', "'+1d', then '+2d'"] },
  { name: 'title given twice', args: ['edit', '5', '--title', 'One', '--title', 'Two'], exit: 2, says: ['--title is given twice', "'One', then 'Two'"] },
  { name: 'a global option given twice', args: ['add', 'Who?', '--as', 'alice', '--as', 'bob'], exit: 2, says: ['--as is given twice', "'alice', then 'bob'"] },
  { name: '--unassign with --assignee', args: ['edit', '2', '--unassign', '-a', 'bob'], exit: 2, says: ['--unassign and --assignee cannot go together', 'give one of them'] },
  { name: '--clear-due with --due', args: ['edit', '5', '--clear-due', '--due', '+1d'], exit: 2, says: ['--clear-due and --due cannot go together'] },
  { name: '--clear-parent with --parent', args: ['edit', '5', '--parent', '3', '--clear-parent'], exit: 2, says: ['--clear-parent and --parent cannot go together'] },
  { name: 'list --me with --assignee', args: ['list', '--me', '-a', 'bob'], exit: 2, says: ['--me and --assignee cannot go together'] },
  { name: 'list --all with --status', args: ['list', '--all', '--status', 'open'], exit: 2, says: ['--all and --status cannot go together'] },
  { name: 'inbox --me with --all', args: ['inbox', '--me', '--all'], exit: 2, says: ['--me and --all cannot go together'] },
  { name: 'watch --limit with --follow', args: ['watch', '--follow', '--limit', '3'], exit: 2, says: ['--limit and --follow cannot go together'] },
  { name: 'complete --reason without --force', args: ['complete', '5', '--reason', 'because'], exit: 2, says: ['--reason only goes with --force', 'add --force'] },
  { name: 'add --type without --depends-on', args: ['add', 'Later', '--type', 'related'], exit: 2, says: ['--type only goes with --depends-on'] },
  { name: 'a label added and removed at once', args: ['edit', '5', '-l', 'api', '--remove-label', 'API'], exit: 2, says: ['--label and --remove-label both name', "'api'", 'one of them'] },
  { name: 'a link added and removed at once', args: ['edit', '5', '--link', 'a.py:3', '--remove-link', 'a.py:3'], exit: 2, says: ['--link and --remove-link both name', "'a.py:3'"] },
  { name: 'a resource added and removed at once', args: ['edit', '5', '-r', 'modifies:file:a.ts', '--remove-resource', 'modifies:file:a.ts'], exit: 2, says: ['--resource and --remove-resource both name'] },
  { name: 'unreserve of paths with --all', args: ['unreserve', 'src/a.ts', '--all', '--task', '5'], exit: 2, says: ['PATH', '--all', 'not both'] },
  { name: 'hooks install with a hook name', args: ['hooks', 'install', 'pre-commit'], exit: 2, says: ['HOOK', "'pre-commit'", 'takes no hook name'] },
];

function says(text: string, expected: (string | RegExp)[]): void {
  for (const part of expected) {
    if (typeof part === 'string') expect(text).toContain(part);
    else expect(text).toMatch(part);
  }
}

describe('bad input is refused and changes nothing', () => {
  let repo: ReturnType<typeof makeRepo>;
  const run = (...args: string[]): BatonResult => baton(args, { cwd: repo.dir });
  const runWith = (env: Record<string, string> | undefined, args: string[]): BatonResult => baton(args, { cwd: repo.dir, ...(env && { env }) });

  beforeAll(() => {
    repo = makeRepo();
    const steps = [
      ['init'],
      ['add', 'Write login'],
      ['add', 'Design schema'],
      ['add', 'Already done'],
      ['add', 'Dropped'],
      ['add', 'Pick a library'],
      ['depend', '1', '--on', '2'],
      ['depend', '2', '--on', '5'],
      ['complete', '3'],
      ['cancel', '4'],
      ['edit', '1', '--parent', '2'],
    ];
    for (const step of steps) expect(run(...step).code, step.join(' ')).toBe(0);
  });
  afterAll(() => repo.cleanup());

  for (const bad of CASES) {
    it(`${bad.name}: exit ${bad.exit}`, () => {
      const before = boardFingerprint(repo.db);
      const plain = runWith(bad.env, bad.args);
      expect(plain.code, plain.stderr).toBe(bad.exit);
      expect(plain.stdout).toBe('');
      expect(plain.stderr).toMatch(/^baton: /);
      says(plain.stderr, bad.says);

      const doc = runWith(bad.env, [...bad.args, '--json']);
      expect(doc.code).toBe(bad.exit);
      const error = json<{ schemaVersion: number; error: { code: string; message: string } }>(doc);
      expect(error.schemaVersion).toBe(1);
      says(error.error.message, bad.says);
      expect(boardFingerprint(repo.db)).toBe(before);
    });
  }

  it('prints the cycle in --json details too', () => {
    const result = run('depend', '5', '--on', '1', '--json');
    expect(json<{ error: { code: string; details: unknown } }>(result).error).toMatchObject({ code: 'DEPENDENCY_CYCLE', details: { cycle: [5, 1, 2, 5] } });
  });

  it('refuses the whole command when one of several values is bad', () => {
    const before = boardFingerprint(repo.db);
    const result = run('add', 'Half good', '--resource', 'modifies:file:src/a.ts', '--resource', 'modifies:endpoint:POST', '--link', 'a.py:2');
    expect(result.code).toBe(2);
    expect(boardFingerprint(repo.db)).toBe(before);
    expect(json<{ count: number }>(run('list', '--all', '--json')).count).toBe(5);
  });

  it('echoes a huge bad value only by its start and its length', () => {
    const huge = 'x'.repeat(100_000);
    const before = boardFingerprint(repo.db);
    const cases = [
      { args: ['add', 'Due', '--due', huge], field: '--due' },
      { args: ['add', 'Urgent', '-p', huge], field: '--priority' },
      { args: ['show', huge], field: 'ID' },
      { args: ['add', 'Who', '--as', huge], field: '--as' },
      { args: ['add', 'Where', '--resource', huge], field: '--resource' },
      { args: ['list', `--${huge}`], field: 'unknown option' },
      { args: ['show', '5', huge], field: 'unexpected argument' },
      { args: [huge], field: 'unknown command' },
    ];
    for (const { args, field } of cases) {
      const result = run(...args);
      expect(result.code, field).toBe(2);
      expect(result.stderr, field).toContain(field);
      expect(result.stderr, field).toMatch(/'(--)?x{78,80}…' \(10000[02] characters\)/);
      expect(result.stderr.length, field).toBeLessThan(600);
      const doc = json<{ error: { message: string } }>(run(...args, '--json'));
      expect(doc.error.message.length, field).toBeLessThan(600);
    }
    expect(boardFingerprint(repo.db)).toBe(before);
  });
});

describe('options that take many values stay repeatable', () => {
  it('collects repeated labels, links and dependencies', () => {
    const repo = makeRepo();
    try {
      for (const args of [['init'], ['add', 'First'], ['add', 'Second']]) expect(baton(args, { cwd: repo.dir }).code).toBe(0);
      const result = baton(['add', 'Third', '-l', 'a', '-l', 'b', '--link', 'a.py', '--link', 'b.py', '--depends-on', '1', '--depends-on', '2', '--json'], { cwd: repo.dir });
      expect(result.code, result.stderr).toBe(0);
      const { task } = json<{ task: { labels: string[]; links: unknown[] } }>(result);
      expect(task.labels).toEqual(['a', 'b']);
      expect(task.links).toHaveLength(2);
    } finally {
      repo.cleanup();
    }
  });
});

describe('in a bare repository', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-bare-'));
    spawnSync('git', ['init', '-q', '--bare', dir]);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('says it is bare and how to get a work tree, exit 1, and creates nothing', () => {
    const before = readdirSync(dir).sort();
    for (const [args, cwd] of [[['init'], dir], [['add', 'Task'], dir], [['list'], join(dir, 'refs')], [['hooks', 'install'], dir], [['run', '1'], dir]] as const) {
      const result = baton(args, { cwd, env: { BATON_DB: undefined } });
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain(`${dir} is a bare repository`);
      expect(result.stderr).toContain(`git clone ${dir}`);
      expect(result.stderr).toContain('worktree add');
      expect(result.stderr).not.toContain('not inside a git repository');
    }
    expect(json<{ error: { code: string } }>(baton(['init', '--json'], { cwd: dir, env: { BATON_DB: undefined } })).error.code).toBe('NOT_IN_REPOSITORY');
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});

describe('list with names that hold spaces', () => {
  it('keeps the titles in one column and two spaces after every name', () => {
    const repo = makeRepo();
    try {
      const cli = (...args: string[]): BatonResult => baton(args, { cwd: repo.dir, env: { BATON_AGENT: undefined } });
      spawnSync('git', ['config', 'user.name', 'Mary Ann Smith'], { cwd: repo.dir });
      const long = 'Bartholomew Fitzgerald-Smithington the Third';
      for (const args of [['init'], ['add', 'Mine'], ['claim', '1'], ['add', 'Short', '-a', 'bo'], ['add', 'Nobody'], ['add', 'Long', '-a', long]]) {
        expect(cli(...args).code, args.join(' ')).toBe(0);
      }
      expect(json<{ task: { assignee: string } }>(cli('show', '1', '--json')).task.assignee).toBe('Mary Ann Smith');
      const lines = cli('list').stdout.trimEnd().split('\n');
      const titles = ['Mine', 'Short', 'Nobody', 'Long'];
      const columns = titles.map((title) => lines.find((line) => line.endsWith(` ${title}`))?.lastIndexOf(title));
      expect(new Set(columns).size, lines.join('\n')).toBe(1);
      expect(lines.find((line) => line.endsWith('Mine'))).toContain('Mary Ann Smith  ');
      // A name too long for the column is cut, visibly, rather than pushing its title along.
      expect(lines.find((line) => line.endsWith('Long'))).toMatch(/Bartholomew Fitzgerald-… {2}Long$/);
    } finally {
      repo.cleanup();
    }
  });
});

describe('a board file baton must not touch', () => {
  let repo: ReturnType<typeof makeRepo>;
  beforeEach(() => (repo = makeRepo()));
  afterEach(() => repo.cleanup());

  const garbage = [
    { name: 'a text file', bytes: Buffer.from('these are my notes, not a database\n') },
    { name: 'a damaged SQLite file', bytes: Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(4080, 0xa5)]) },
  ];

  for (const { name, bytes } of garbage) {
    it(`refuses ${name} at the board path, exit 1, and leaves it byte-for-byte`, () => {
      mkdirSync(dirname(repo.db), { recursive: true });
      writeFileSync(repo.db, bytes);
      for (const args of [['list'], ['add', 'Anything'], ['init']]) {
        const result = baton(args, { cwd: repo.dir });
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr).toContain(repo.db);
        expect(result.stderr).toMatch(/left untouched|restore it/);
        expect(readFileSync(repo.db).equals(bytes)).toBe(true);
        expect(existsSync(`${repo.db}-wal`)).toBe(false);
      }
      const doc = json<{ error: { code: string } }>(baton(['list', '--json'], { cwd: repo.dir }));
      expect(doc.error.code).toBe('BOARD_UNREADABLE');
    });
  }

  it('refuses a non-SQLite file named by --db the same way', () => {
    const other = join(repo.dir, 'notes.txt');
    writeFileSync(other, 'hello');
    const result = baton(['add', 'Anything', '--db', other], { cwd: repo.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(other);
    expect(result.stderr).toContain('--db');
    expect(readFileSync(other, 'utf8')).toBe('hello');
  });

  const NOBODY = 65534;
  const isRoot = process.getuid?.() === 0;

  /**
   * Root writes any file, so root tests the refusal as nobody; another user tests it as itself.
   * Nobody may not be able to reach the checkout at all (a clone in a 0700 folder, root's home):
   * then there is nobody to test it with, and the test says so.
   */
  function asBoardReader(argv: string[]): SpawnSyncReturns<string> {
    return spawnSync(process.execPath, argv, {
      cwd: repo.dir,
      ...(isRoot ? { uid: NOBODY, gid: NOBODY } : {}),
      env: { PATH: process.env.PATH, HOME: '/nonexistent', NO_COLOR: '1', BATON_AGENT: 'tester' },
      encoding: 'utf8',
      timeout: 60_000,
    });
  }

  it('refuses a read-only board with the path and the fix, exit 1, file unchanged', (context) => {
    expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
    expect(baton(['add', 'Existing task'], { cwd: repo.dir }).code).toBe(0);
    boardFingerprint(repo.db); // folds the WAL in, so the file alone is the board
    const bytes = readFileSync(repo.db);
    chmodSync(repo.dir, 0o755); // mkdtemp makes it 0700; nobody must be able to reach the board
    const reachable = asBoardReader(['-e', `for (const path of ${JSON.stringify([BATON_BIN, repo.db])}) require('node:fs').accessSync(path)`]);
    if (isRoot && reachable.status !== 0) context.skip(`nobody cannot run baton from this checkout (a private folder above it): ${/Error: .*/.exec(reachable.stderr)?.[0] ?? reachable.error?.message}`);
    chmodSync(repo.db, 0o444);
    chmodSync(dirname(repo.db), 0o555);
    try {
      for (const args of [['add', 'New task'], ['list']]) {
        const result = asBoardReader([BATON_BIN, ...args]);
        expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(1);
        expect(result.stderr).toContain(repo.db);
        expect(result.stderr).toMatch(/make the file and its folder writable/);
        expect(readFileSync(repo.db).equals(bytes)).toBe(true);
        expect(existsSync(`${repo.db}-wal`)).toBe(false);
      }
    } finally {
      chmodSync(dirname(repo.db), 0o755);
      chmodSync(repo.db, 0o644);
    }
  });
});

describe('outside a git repository', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'baton-norepo-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('says so and how to name a board, exit 1, and creates nothing', () => {
    for (const args of [['list'], ['add', 'Homeless task'], ['init']]) {
      const result = baton(args, { cwd: dir, env: { BATON_DB: undefined } });
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain(dir);
      expect(result.stderr).toContain('not inside a git repository');
      expect(result.stderr).toContain('--db');
    }
    const doc = json<{ error: { code: string } }>(baton(['list', '--json'], { cwd: dir, env: { BATON_DB: undefined } }));
    expect(doc.error.code).toBe('NOT_IN_REPOSITORY');
    expect(readdirSync(dir)).toEqual([]);
  });
});
