import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, openSync, closeSync, writeSync, truncateSync, renameSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from '../src/adapters/db/sqlite-schema.js';
import { baton, json, makeRepo, spawnBaton, type BatonResult, type RunningBaton } from './helpers/baton.js';

/**
 * Board paths baton must not trust: anything but a regular file, SQLite files that are not
 * boards, boards of other schema versions. Each is refused in one line, and left as it was.
 */

const READING: string[][] = [['list'], ['show', '1'], ['log', '1'], ['ready'], ['blocked'], ['export'], ['watch'], ['graph'], ['inbox']];
const WRITING: string[][] = [['add', 'Anything'], ['claim', '--next'], ['init']];

/** Size, modification time and bytes of the file and its SQLite siblings: equal means untouched. */
function snapshot(path: string): string[] {
  return ['', '-wal', '-shm', '-journal'].map((suffix) => {
    const file = `${path}${suffix}`;
    if (!existsSync(file)) return `${suffix}: absent`;
    const stats = statSync(file);
    return `${suffix}: ${stats.size} bytes, mtime ${stats.mtimeMs}, ${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
  });
}

/** One line on stderr, no stack trace, no "unexpected failure". */
function expectOneLine(result: BatonResult, ...says: string[]): void {
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
  expect(result.stderr).toMatch(/^baton: /);
  expect(result.stderr).not.toContain('unexpected failure');
  for (const text of says) expect(result.stderr).toContain(text);
}

/** A database some other program made: a table of its own, rollback journal or WAL. */
function foreignDatabase(path: string, journal: 'delete' | 'wal', userVersion = 0): void {
  const db = new Database(path);
  db.pragma(`journal_mode = ${journal}`);
  db.exec("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('bread');");
  db.pragma(`user_version = ${userVersion}`);
  db.close();
}

/** A board as an older baton left it: the migrations up to `version`, in WAL mode. */
function boardOfVersion(path: string, version: number): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  for (let step = 0; step < version; step++) db.exec(SQLITE_MIGRATIONS[step] as string);
  db.exec("INSERT INTO tasks (title, kind, status, priority, created_by, created_at, updated_at) VALUES ('old task', 'task', 'open', 2, 'alice', '2025-01-01', '2025-01-01')");
  db.pragma(`user_version = ${version}`);
  db.close();
}

describe('a board path that is not a regular file', () => {
  let repo: ReturnType<typeof makeRepo>;
  let server: Server | undefined;
  beforeEach(() => (repo = makeRepo('baton-files-')));
  afterEach(() => {
    server?.close();
    server = undefined;
    repo.cleanup();
  });

  const kinds: { name: string; make: (path: string) => Promise<void> | void; says: string }[] = [
    { name: 'a folder', make: (path) => mkdirSync(path), says: 'is a folder' },
    { name: 'a FIFO', make: (path) => execFileSync('mkfifo', [path]), says: 'is a FIFO' },
    {
      name: 'a socket',
      make: (path) => new Promise<void>((resolve) => (server = createServer().listen(path, resolve))),
      says: 'is a socket',
    },
    { name: 'a symlink to a folder', make: (path) => (mkdirSync(`${path}.target`), symlinkSync(`${path}.target`, path)), says: 'which is a folder' },
    { name: 'a symlink to a FIFO', make: (path) => (execFileSync('mkfifo', [`${path}.target`]), symlinkSync(`${path}.target`, path)), says: 'which is a FIFO' },
    { name: 'a dangling symlink', make: (path) => symlinkSync(`${path}.nowhere`, path), says: 'which is missing' },
  ];

  for (const kind of kinds) {
    it(`refuses ${kind.name} for every command, in one line, exit 1, creating nothing`, async () => {
      const folder = join(repo.dir, 'boards');
      mkdirSync(folder);
      const path = join(folder, 'board.db');
      await kind.make(path);
      const before = readdirSync(folder).sort();
      for (const args of [...READING, ...WRITING]) {
        const result = baton([...args, '--db', path], { cwd: repo.dir });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
        expectOneLine(result, path, kind.says, 'not a board file', '--db');
        expect(readdirSync(folder).sort()).toEqual(before);
      }
      const viaEnv = baton(['list', '--json'], { cwd: repo.dir, env: { BATON_DB: path } });
      expect(json<{ error: { code: string } }>(viaEnv).error.code).toBe('BOARD_UNREADABLE');
    });
  }

  it('refuses /dev/null and leaves it a device', () => {
    for (const args of [['list'], ['add', 'Anything'], ['init']]) {
      const result = baton([...args, '--db', '/dev/null'], { cwd: repo.dir });
      expect(result.code, result.stderr).toBe(1);
      expectOneLine(result, '/dev/null is a character device');
    }
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(existsSync('/dev/null-wal')).toBe(false);
  });

  it('refuses a -wal sibling that is a folder instead of letting SQLite fail on it', () => {
    expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
    mkdirSync(`${repo.db}-wal`);
    const result = baton(['list'], { cwd: repo.dir });
    expect(result.code).toBe(1);
    expectOneLine(result, `${repo.db}-wal is a folder`, 'remove');
  });
});

describe("the board's clock file beside it", () => {
  let repo: ReturnType<typeof makeRepo>;
  beforeEach(() => {
    repo = makeRepo('baton-clock-file-');
    expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
    expect(baton(['add', 'Keep me'], { cwd: repo.dir }).code).toBe(0);
  });
  afterEach(() => repo.cleanup());

  const kinds: { name: string; make: (clock: string, db: string, other: string) => void }[] = [
    { name: 'a symlink to the board', make: (clock) => symlinkSync('baton.db', clock) },
    { name: 'a hard link to the board', make: (clock, db) => linkSync(db, clock) },
    { name: 'a symlink to a file of the user', make: (clock, _db, other) => symlinkSync(other, clock) },
    { name: 'a FIFO', make: (clock) => execFileSync('mkfifo', [clock]) },
  ];
  for (const kind of kinds) {
    it(`is never written through when it is ${kind.name}: the board and the file stay whole, nothing hangs`, () => {
      const clock = `${repo.db}-clock`;
      const other = join(repo.dir, 'notes.txt');
      writeFileSync(other, 'mine\n');
      rmSync(clock, { force: true });
      kind.make(clock, repo.db, other);
      for (const args of [['list'], ['claim', '1'], ['heartbeat']]) {
        const result = baton(args, { cwd: repo.dir });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      }
      expect(readFileSync(other, 'utf8')).toBe('mine\n');
      expect(json<{ task: { title: string; status: string } }>(baton(['show', '1', '--json'], { cwd: repo.dir })).task).toMatchObject({ title: 'Keep me', status: 'in_progress' });
    });
  }
});

describe('a SQLite file that is not a baton board', () => {
  let repo: ReturnType<typeof makeRepo>;
  beforeEach(() => {
    repo = makeRepo('baton-files-');
    mkdirSync(join(repo.dir, '.git', 'baton'));
  });
  afterEach(() => repo.cleanup());

  for (const journal of ['delete', 'wal'] as const) {
    it(`is refused untouched by every command (${journal} journal): bytes, mtime, siblings`, () => {
      foreignDatabase(repo.db, journal);
      const before = snapshot(repo.db);
      for (const args of [...READING, ...WRITING, ['import', 'nothing.jsonl']]) {
        const result = baton(args, { cwd: repo.dir });
        if (args[0] === 'import') {
          expect(result.code).not.toBe(0);
          continue;
        }
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
        expectOneLine(result, repo.db, 'not a baton board', "none of baton's tables", 'left untouched');
        expect(snapshot(repo.db), args.join(' ')).toEqual(before);
      }
      const db = new Database(repo.db, { readonly: true });
      expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['recipes']);
      db.close();
    });
  }

  it('an empty (0-byte) file is no board for reading or writing commands and stays empty; init makes it one', () => {
    writeFileSync(repo.db, '');
    for (const args of [...READING, ['add', 'Anything']]) {
      const result = baton(args, { cwd: repo.dir });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(3);
      expectOneLine(result, repo.db, 'empty file', 'baton init');
      expect(statSync(repo.db).size).toBe(0);
      expect(readdirSync(join(repo.dir, '.git', 'baton'))).toEqual(['baton.db']);
    }
    expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
    expect(baton(['add', 'First'], { cwd: repo.dir }).code).toBe(0);
  });
});

describe('reading commands create and migrate nothing', () => {
  let repo: ReturnType<typeof makeRepo>;
  beforeEach(() => (repo = makeRepo('baton-files-')));
  afterEach(() => repo.cleanup());

  it('on a missing board they say so and how to make one, and create nothing', () => {
    for (const args of READING) {
      const result = baton(args, { cwd: repo.dir });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(3);
      expectOneLine(result, `no board at ${repo.db}`, 'baton init');
      expect(existsSync(join(repo.dir, '.git', 'baton'))).toBe(false);
    }
  });

  it('on a board of an older schema they refuse with the command that upgrades it, and leave it as it was', () => {
    mkdirSync(join(repo.dir, '.git', 'baton'));
    boardOfVersion(repo.db, SQLITE_SCHEMA_VERSION - 1);
    const before = snapshot(repo.db);
    for (const args of READING) {
      const result = baton(args, { cwd: repo.dir });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
      expectOneLine(result, repo.db, `schema version ${SQLITE_SCHEMA_VERSION - 1}, older than`, 'baton init');
      expect(snapshot(repo.db), args.join(' ')).toEqual(before);
    }
    expect(json<{ error: { code: string } }>(baton(['list', '--json'], { cwd: repo.dir })).error.code).toBe('BOARD_OUTDATED');
    expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
    const listed = json<{ tasks: { title: string }[] }>(baton(['list', '--json'], { cwd: repo.dir }));
    expect(listed.tasks.map((task) => task.title)).toEqual(['old task']);
  });
});

describe('odd schema versions', () => {
  let repo: ReturnType<typeof makeRepo>;
  beforeEach(() => {
    repo = makeRepo('baton-files-');
    mkdirSync(join(repo.dir, '.git', 'baton'));
  });
  afterEach(() => repo.cleanup());

  /** A current board whose user_version was then set to `version` by something else. */
  function boardWithVersion(version: number): void {
    boardOfVersion(repo.db, SQLITE_SCHEMA_VERSION);
    const db = new Database(repo.db);
    db.pragma(`user_version = ${version}`);
    db.close();
  }

  const cases: { name: string; make: () => void; code: string; says: string[] }[] = [
    { name: 'version -1', make: () => boardWithVersion(-1), code: 'BOARD_UNREADABLE', says: ['not a baton board or is damaged', 'schema version is -1'] },
    { name: 'version 0 with baton tables', make: () => boardWithVersion(0), code: 'BOARD_UNREADABLE', says: ['not a baton board or is damaged', 'schema version 0'] },
    { name: 'a newer version', make: () => boardWithVersion(SQLITE_SCHEMA_VERSION + 1), code: 'BOARD_TOO_NEW', says: ['made by a newer baton', 'upgrade baton'] },
    { name: 'the largest version', make: () => boardWithVersion(2 ** 31 - 1), code: 'BOARD_TOO_NEW', says: ['made by a newer baton', 'upgrade baton'] },
    {
      name: 'a version its tables do not match',
      make: () => {
        boardOfVersion(repo.db, 1);
        const db = new Database(repo.db);
        db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
        db.close();
      },
      code: 'BOARD_UNREADABLE',
      says: ['not a baton board or is damaged', 'no footprints'],
    },
    { name: 'a version on someone else\'s database', make: () => foreignDatabase(repo.db, 'wal', 2), code: 'BOARD_UNREADABLE', says: ["none of baton's tables"] },
  ];

  for (const odd of cases) {
    it(`${odd.name}: a clear message for reading and writing commands, no stack, board untouched`, () => {
      odd.make();
      const before = snapshot(repo.db);
      for (const args of [['list'], ['export'], ['add', 'Anything'], ['init']]) {
        const result = baton(args, { cwd: repo.dir });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
        expectOneLine(result, repo.db, ...odd.says);
        expect(snapshot(repo.db), args.join(' ')).toEqual(before);
      }
      expect(json<{ error: { code: string } }>(baton(['list', '--json'], { cwd: repo.dir })).error.code).toBe(odd.code);
    });
  }
});

describe('a board of the current version with a column missing', () => {
  it('is refused as damaged in one line, exit 1, by the commands that write that column', () => {
    const repo = makeRepo('baton-files-');
    try {
      expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
      expect(baton(['add', 'Keep me'], { cwd: repo.dir }).code).toBe(0);
      const db = new Database(repo.db);
      db.exec('ALTER TABLE tasks DROP COLUMN branch');
      db.close();
      for (const args of [['add', 'Another'], ['claim', '1']]) {
        const result = baton(args, { cwd: repo.dir });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
        expectOneLine(result, repo.db, 'is damaged', 'branch');
      }
    } finally {
      repo.cleanup();
    }
  });
});

describe('output options never write onto a database', () => {
  let repo: ReturnType<typeof makeRepo>;
  beforeEach(() => {
    repo = makeRepo('baton-files-');
    expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
    expect(baton(['add', 'Keep me'], { cwd: repo.dir }).code).toBe(0);
  });
  afterEach(() => repo.cleanup());

  const OUTPUTS = [['export', '-o'], ['export', '--output'], ['prime', '--write']];

  it('refuses the board itself, its -wal and -shm (by name, through a symlink, or a hard link), board unchanged', () => {
    // A follower holds the board open, so its -wal and -shm exist as they do while agents work.
    const holder = new Database(repo.db);
    try {
      const link = join(repo.dir, 'looks-harmless.jsonl');
      symlinkSync(repo.db, link);
      const hardLink = join(repo.dir, 'hard-link.db');
      execFileSync('ln', [repo.db, hardLink]);
      const targets = [repo.db, `${repo.db}-wal`, `${repo.db}-shm`, link, hardLink];
      for (const target of targets) {
        for (const option of OUTPUTS) {
          const before = snapshot(repo.db);
          const result = baton([...option, target], { cwd: repo.dir });
          expect(result.code, `${option.join(' ')} ${target}: ${result.stderr}`).toBe(2);
          expectOneLine(result, option.at(-1) === '-o' ? '--output' : (option.at(-1) as string), target);
          expect(result.stderr).toMatch(/is the board|is a SQLite database/);
          expect(snapshot(repo.db), `${option.join(' ')} ${target}`).toEqual(before);
        }
      }
    } finally {
      holder.close();
    }
    expect(json<{ count: number }>(baton(['list', '--json'], { cwd: repo.dir })).count).toBe(1);
  });

  it("refuses the board's clock file: every command writes it, so output there would be overwritten", () => {
    const clock = `${repo.db}-clock`;
    expect(existsSync(clock)).toBe(true);
    const before = readFileSync(clock);
    for (const option of OUTPUTS) {
      const result = baton([...option, clock], { cwd: repo.dir });
      expect(result.code, `${option.join(' ')}: ${result.stderr}`).toBe(2);
      expectOneLine(result, clock, "is the board's clock file");
      expect(readFileSync(clock)).toEqual(before);
    }
  });

  it('refuses any other SQLite database, and a FIFO without hanging', () => {
    const other = join(repo.dir, 'someone-elses.db');
    foreignDatabase(other, 'delete');
    const fifo = join(repo.dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    for (const option of OUTPUTS) {
      const before = snapshot(other);
      const result = baton([...option, other], { cwd: repo.dir });
      expect(result.code, result.stderr).toBe(2);
      expectOneLine(result, other, 'is a SQLite database');
      expect(snapshot(other)).toEqual(before);
      const piped = baton([...option, fifo], { cwd: repo.dir });
      expect(piped.code, piped.stderr).toBe(2);
      expectOneLine(piped, fifo, 'FIFO', 'regular file');
    }
  });

  it('still writes an ordinary file', () => {
    const out = join(repo.dir, 'board.jsonl');
    expect(baton(['export', '-o', out], { cwd: repo.dir }).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('Keep me');
    expect(baton(['prime', '--write', join(repo.dir, 'AGENTS.md')], { cwd: repo.dir }).code).toBe(0);
  });
});

describe('a follower whose board is replaced', () => {
  let repo: ReturnType<typeof makeRepo>;
  let follower: RunningBaton | undefined;
  beforeEach(() => {
    repo = makeRepo('baton-files-');
    expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
  });
  afterEach(() => {
    follower?.stop();
    follower = undefined;
    repo.cleanup();
  });

  const add = (title: string, cwd = repo.dir): number => {
    const result = baton(['add', title, '--json'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    return json<{ task: { id: number } }>(result).task.id;
  };
  const titles = (lines: readonly string[]): string[] =>
    lines.map((line) => JSON.parse(line) as { event: { type: string; payload?: { title?: string } } }).flatMap(({ event }) => (event.payload?.title ? [event.payload.title] : []));
  /** Folds the WAL into the file and empties it, as it is when nothing is writing. */
  const checkpoint = (path: string): void => {
    const db = new Database(path);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  };
  const startFollowing = async (): Promise<RunningBaton> => {
    const running = spawnBaton(['watch', '--follow', '--json'], { cwd: repo.dir });
    await running.waitFor((line) => line.includes('"task_created"'), 10_000);
    return running;
  };
  const exitWithin = (running: RunningBaton, ms: number): Promise<{ code: number | null; stderr: string } | 'still running'> =>
    Promise.race([running.exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), ms))]);

  /**
   * A follower that has shown one event from before a backup was taken and one written after
   * it (which restoring the backup loses); returns the backup's path.
   */
  const followPastABackup = async (): Promise<{ backup: string; following: RunningBaton }> => {
    add('before backup');
    const following = await startFollowing();
    follower = following;
    checkpoint(repo.db);
    const backup = join(repo.dir, 'backup.db');
    copyFileSync(repo.db, backup);
    add('after backup, lost by the restore');
    await following.waitFor((line) => line.includes('lost by the restore'), 10_000);
    checkpoint(repo.db);
    return { backup, following };
  };

  it('re-opens the same board restored from a backup (mv) and shows the events written to it', { timeout: 60_000 }, async () => {
    const { backup, following } = await followPastABackup();
    renameSync(backup, repo.db);
    add('after restore');
    const lines = await following.waitFor((line) => line.includes('after restore'), 10_000);
    expect(titles(lines)).toEqual(['before backup', 'after backup, lost by the restore', 'after restore']);
    expect(await exitWithin(following, 500)).toBe('still running');
  });

  it('shows what was written to a restored board before it looked again (it was stopped meanwhile), though the ids are the same', { timeout: 60_000 }, async () => {
    const { backup, following } = await followPastABackup();
    // The restore and the next write both land while the follower cannot look: event 2 is another event now.
    process.kill(following.pid as number, 'SIGSTOP');
    try {
      renameSync(backup, repo.db);
      add('after restore');
    } finally {
      process.kill(following.pid as number, 'SIGCONT');
    }
    const lines = await following.waitFor((line) => line.includes('after restore'), 10_000);
    expect(titles(lines)).toEqual(['before backup', 'after backup, lost by the restore', 'after restore']);
  });

  for (const how of ['mv', 'cp'] as const) {
    it(`exits 1 saying so when another board takes its place (${how}), instead of going silently stale`, { timeout: 60_000 }, async () => {
      add('on the first board');
      follower = await startFollowing();
      const otherRepo = makeRepo('baton-files-other-');
      try {
        expect(baton(['init'], { cwd: otherRepo.dir }).code).toBe(0);
        add('on the other board', otherRepo.dir);
        checkpoint(otherRepo.db);
        checkpoint(repo.db);
        if (how === 'mv') renameSync(otherRepo.db, repo.db);
        else copyFileSync(otherRepo.db, repo.db);
      } finally {
        otherRepo.cleanup();
      }
      const exit = await exitWithin(follower, 10_000);
      expect(exit).not.toBe('still running');
      expect(exit).toMatchObject({ code: 1 });
      const last = JSON.parse(follower.lines.at(-1) as string) as { error?: { code: string; message: string } };
      expect(last.error).toMatchObject({ code: 'BOARD_REPLACED', message: expect.stringContaining('replaced by another board') });
    });
  }
});

describe('export --salvage on a damaged board', () => {
  let repo: ReturnType<typeof makeRepo>;
  const TASKS = 300;
  beforeEach(() => {
    repo = makeRepo('baton-files-');
    expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
    // Long descriptions spread the tasks over many pages, so damage to some loses only some.
    const db = new Database(repo.db);
    const task = db.prepare("INSERT INTO tasks (title, description, kind, status, priority, created_by, created_at, updated_at) VALUES (?, ?, 'task', 'open', 2, 'alice', '2025-01-01', '2025-01-01')");
    const event = db.prepare("INSERT INTO events (at, actor, task_id, type, payload) VALUES ('2025-01-01', 'alice', ?, 'task_created', '{}')");
    db.transaction(() => {
      for (let id = 1; id <= TASKS; id++) {
        task.run(`task ${id}`, 'x'.repeat(500));
        event.run(id);
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  });
  afterEach(() => repo.cleanup());

  const header = (path: string): { counts: { tasks: number; events: number } } => JSON.parse(readFileSync(path, 'utf8').split('\n')[0] as string) as { counts: { tasks: number; events: number } };

  it('reads around pages overwritten with garbage, writes what it can, counts what was lost, exit 1, board untouched', () => {
    const pageSize = 4096;
    const pages = statSync(repo.db).size / pageSize;
    const fd = openSync(repo.db, 'r+');
    for (let page = Math.floor(pages / 2); page < Math.floor(pages / 2) + 3; page++) writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, page * pageSize);
    closeSync(fd);
    const before = snapshot(repo.db);
    expect(baton(['export'], { cwd: repo.dir }).code).toBe(1);

    const out = join(repo.dir, 'salvaged.jsonl');
    const result = baton(['export', '--salvage', '-o', out], { cwd: repo.dir });
    expect(result.code, result.stderr).toBe(1);
    const lost = /salvage lost (\d+) tasks, 0 dependencies, 0 notes, (\d+) events/.exec(result.stderr);
    expect(lost, result.stderr).not.toBeNull();
    const { counts } = header(out);
    const [lostTasks, lostEvents] = [Number(lost?.[1]), Number(lost?.[2])];
    expect(lostTasks + lostEvents).toBeGreaterThan(0);
    expect(counts.tasks + lostTasks).toBe(TASKS);
    expect(counts.events + lostEvents).toBe(TASKS);
    expect(snapshot(repo.db)).toEqual(before);
  });

  it('reads a truncated board up to where it ends and says more may be lost', () => {
    truncateSync(repo.db, Math.floor(statSync(repo.db).size * 0.6));
    const result = baton(['export', '--salvage'], { cwd: repo.dir });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/salvage lost \d+ tasks, 0 dependencies, 0 notes, \d+ events/);
    expect(result.stderr).toContain('may be lost beyond that count');
    const lines = result.stdout.split('\n');
    const counts = (JSON.parse(lines[0] as string) as { counts: { tasks: number } }).counts;
    expect(counts.tasks).toBeGreaterThan(0);
    expect(lines.filter((line) => line.includes('"type":"task"'))).toHaveLength(counts.tasks);
  });

  it('on a sound board gives what export gives, exit 0, nothing on stderr', () => {
    const plain = baton(['export'], { cwd: repo.dir });
    const salvaged = baton(['export', '--salvage'], { cwd: repo.dir });
    expect(salvaged.code, salvaged.stderr).toBe(0);
    expect(salvaged.stderr).toBe('');
    const withoutTime = (text: string): string => text.replace(/"exportedAt":"[^"]+"/, '');
    expect(withoutTime(salvaged.stdout)).toBe(withoutTime(plain.stdout));
  });
});
