import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteBoard } from './sqlite-open.js';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-open-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The tables, indexes and their SQL, as SQLite itself reports them. */
function schemaOf(db: Database.Database): unknown[] {
  return db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all();
}

function refusal(work: () => unknown): { code?: string; message: string } {
  try {
    work();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('the board was opened');
}

/** A database written by some other program (or a future baton) with the given user_version. */
function foreignDatabase(path: string, userVersion: number, journalMode: 'delete' | 'wal'): void {
  const db = new Database(path);
  db.pragma(`journal_mode = ${journalMode}`);
  db.exec('CREATE TABLE future (x INTEGER); INSERT INTO future VALUES (1), (2);');
  db.pragma(`user_version = ${userVersion}`);
  db.close();
}

describe('openSqliteBoard', () => {
  it('gives a fresh file the current schema in WAL mode, creating its folder', () => {
    const path = join(dir, 'nested', 'baton', 'baton.db');
    const db = openSqliteBoard(path, { create: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).toEqual(expect.arrayContaining(['dependencies', 'events', 'notes', 'tasks']));
      expect(db.prepare('SELECT count(*) FROM tasks').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
    expect(existsSync(path)).toBe(true);
  });

  it('gives an empty file the schema when asked to create the board, and refuses it otherwise, left empty', () => {
    const path = join(dir, 'baton.db');
    writeFileSync(path, '');
    for (const readOnly of [false, true]) {
      const error = refusal(() => openSqliteBoard(path, { create: false, readOnly }));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain('empty file');
      expect(readFileSync(path).length).toBe(0);
    }
    const db = openSqliteBoard(path, { create: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it('reopens a current board without changing its schema, data or bytes', () => {
    const path = join(dir, 'baton.db');
    const first = openSqliteBoard(path, { create: true });
    first
      .prepare(
        `INSERT INTO tasks (title, kind, status, priority, created_by, created_at, updated_at)
         VALUES ('kept', 'task', 'open', 2, 'alice', '2025-01-01', '2025-01-01')`,
      )
      .run();
    const schema = schemaOf(first);
    first.close();
    const bytes = readFileSync(path);

    for (const create of [false, true]) {
      const again = openSqliteBoard(path, { create });
      try {
        expect(again.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
        expect(schemaOf(again)).toEqual(schema);
        expect(again.prepare('SELECT title FROM tasks').pluck().all()).toEqual(['kept']);
      } finally {
        again.close();
      }
    }
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it.each(['wal', 'delete'] as const)('refuses a board from a newer baton (%s journal) with BOARD_TOO_NEW and leaves its bytes alone', (journalMode) => {
    const path = join(dir, 'baton.db');
    foreignDatabase(path, SQLITE_SCHEMA_VERSION + 1, journalMode);
    const bytes = readFileSync(path);
    const error = refusal(() => openSqliteBoard(path, { create: false }));
    expect(error.code).toBe('BOARD_TOO_NEW');
    expect(error.message).toContain(`schema version ${SQLITE_SCHEMA_VERSION + 1}, newer than this baton understands`);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(readdirSync(dir)).toEqual(['baton.db']);
  });

  it.each([
    ['a text file', 'hello, this is not a database\n'],
    ['a two-byte file', 'hi'],
    ['a file that starts like SQLite but is not', 'SQLite format 2\0' + 'x'.repeat(200)],
  ])('refuses %s with BOARD_UNREADABLE and leaves it byte-for-byte untouched', (_what, content) => {
    const path = join(dir, 'baton.db');
    writeFileSync(path, content, 'latin1');
    const bytes = readFileSync(path);
    for (const create of [false, true]) {
      const error = refusal(() => openSqliteBoard(path, { create }));
      expect(error.code).toBe('BOARD_UNREADABLE');
      expect(error.message).toContain('not a baton board');
      expect(error.message).toContain('left untouched');
    }
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(readdirSync(dir)).toEqual(['baton.db']);
  });

  it('refuses a damaged SQLite file with BOARD_UNREADABLE and leaves it byte-for-byte untouched', () => {
    const path = join(dir, 'baton.db');
    writeFileSync(path, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(4080, 0xab)]));
    const bytes = readFileSync(path);
    const error = refusal(() => openSqliteBoard(path, { create: false }));
    expect(error.code).toBe('BOARD_UNREADABLE');
    expect(error.message).toContain('is damaged');
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('refuses a missing board with NOT_FOUND unless asked to create it, and creates nothing', () => {
    const path = join(dir, 'baton', 'baton.db');
    const error = refusal(() => openSqliteBoard(path, { create: false }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('baton init');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('migration 4 -> 5: findings of kind merge_returned', () => {
  it('rebuilds the findings table keeping every finding, every column and both indexes', () => {
    const path = join(dir, 'v4.db');
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    for (let step = 0; step < 4; step++) old.exec(SQLITE_MIGRATIONS[step] as string);
    old.exec("INSERT INTO tasks (title, kind, status, priority, created_by, created_at, updated_at) VALUES ('a', 'task', 'open', 2, 'alice', '2025-01-01', '2025-01-01')");
    old.exec(`INSERT INTO findings (kind, severity, task_id, recipient, subject, paths, message, key, status, created_at, event_id, acked_at, acked_by, ack_message)
      VALUES ('overlap', 'medium', 1, 'bob', 'src/a.ts', '["src/a.ts"]', 'both change src/a.ts', 'k1', 'acknowledged', '2025-01-02', 7, '2025-01-03', 'bob', 'seen')`);
    old.pragma('user_version = 4');
    const before = old.prepare('SELECT * FROM findings').all();
    expect(() => old.exec("UPDATE findings SET kind = 'merge_returned'")).toThrow(/CHECK constraint/);
    old.close();

    const db = openSqliteBoard(path, { create: false });
    expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    expect(db.prepare('SELECT * FROM findings').all()).toEqual(before);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'findings' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
    expect(indexes).toEqual(['findings_by_recipient', 'findings_by_task']);
    db.exec("INSERT INTO findings (kind, severity, task_id, subject, message, key, created_at) VALUES ('merge_returned', 'high', 1, 'merge:conflict', 'came back', 'k2', '2025-01-04')");
    expect(() => db.exec("INSERT INTO findings (kind, severity, task_id, subject, message, key, created_at) VALUES ('nonsense', 'high', 1, 's', 'm', 'k3', '2025-01-04')")).toThrow(/CHECK constraint/);
    // A fresh board has the very same table as a migrated one.
    const fresh = openSqliteBoard(join(dir, 'fresh.db'), { create: true });
    const tableSql = (handle: Database.Database) => handle.prepare("SELECT sql FROM sqlite_master WHERE name = 'findings'").pluck().get();
    expect(tableSql(db)).toEqual(tableSql(fresh));
    db.close();
    fresh.close();
  });
});
