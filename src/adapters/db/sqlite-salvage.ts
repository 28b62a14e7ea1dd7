import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { getBuiltinModule } from 'node:process';
import type { Database } from 'better-sqlite3';
import type { BoardCounts, BoardSnapshot, ExportedDependency, ExportedTask } from '../../core/board-jsonl.js';
import { BatonError } from '../../core/errors.js';
import type { BoardEvent } from '../../core/event.js';
import type { Note, Task } from '../../core/task.js';
import { assertSqliteHeader, inspectBoardPath } from './board-file.js';
import { connectSqlite } from './sqlite-open.js';
import { eventFromRow, noteFromRow, taskFromRow, type EventRow, type NoteRow, type TaskRow } from './sqlite-rows.js';

/** What a damaged board still gave, and what it lost. */
export interface Salvage {
  snapshot: BoardSnapshot;
  /** Rows known lost: gaps in the ids, rows that could not be decoded, ids past the last readable one. */
  lost: BoardCounts;
  /** Tables whose losses cannot be counted (no id sequence, or an end that could not be read). */
  uncounted: (keyof BoardCounts)[];
}

/** How far ahead a skip over unreadable pages may look for rows again (ids are far below this). */
const MAX_SKIP = 2 ** 48;

/**
 * Reads a board as far as it reads, row by row: a page SQLite reports damaged loses the rows on
 * it, not the export. The board itself is never opened: a copy is.
 */
export function salvageBoard(path: string): Salvage {
  const state = inspectBoardPath(path);
  if (state.kind !== 'file') throw new BatonError('NOT_FOUND', `no board at ${path} to salvage`, { path });
  assertSqliteHeader(path);
  const scratch = mkdtempSync(join(tmpdir(), 'baton-salvage-'));
  try {
    const copy = join(scratch, 'board.db');
    copyForReading(path, copy);
    let db: Database;
    try {
      db = connectSqlite(copy);
    } catch (error) {
      if (error instanceof BatonError) throw error;
      throw new BatonError('BOARD_UNREADABLE', `${path} cannot be opened at all (${(error as Error).message}); nothing to salvage`, { path });
    }
    try {
      return salvageFrom(db, path);
    } finally {
      db.close();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Salvage reads a copy (with its -wal), never the board: SQLite may write while it recovers,
 * and a truncated file needs its header's page count cut to the pages that are there.
 */
function copyForReading(path: string, copy: string): void {
  copyFileSync(path, copy);
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
  const header = readFileSync(copy).subarray(0, 100);
  const pageSizeField = header.readUInt16BE(16);
  const pageSize = pageSizeField === 1 ? 65_536 : pageSizeField;
  if (pageSize < 512 || header.length < 100) return;
  const pages = Math.floor(statSync(copy).size / pageSize);
  if (pages * pageSize !== statSync(copy).size) truncateSync(copy, pages * pageSize);
  if (header.readUInt32BE(28) > pages) {
    const fd = openSync(copy, 'r+');
    try {
      const field = Buffer.alloc(4);
      field.writeUInt32BE(pages);
      writeSync(fd, field, 0, 4, 28);
    } finally {
      closeSync(fd);
    }
  }
}

function salvageFrom(db: Database, path: string): Salvage {
  const notes = readById<NoteRow, Note>(db, 'notes', (row) => {
    if (typeof row.body !== 'string') throw new Error('not a note');
    return noteFromRow(row);
  });
  const events = readById<EventRow, BoardEvent>(db, 'events', (row) => {
    if (typeof row.type !== 'string') throw new Error('not an event');
    return eventFromRow(row);
  }, sequenceOf(db, 'events'));
  const dependencies = readDependencies(db);
  // Events and notes name tasks: the highest such id bounds the tasks when their end is lost.
  const namedTasks = Math.max(0, ...events.rows.map((event) => event.taskId ?? 0), ...notes.rows.map((note) => note.taskId));
  const tasks = readById<TaskRow, ExportedTask>(db, 'tasks', (row) => {
    const task = withoutVersion(taskFromRow(row));
    if (typeof task.title !== 'string' || typeof task.status !== 'string') throw new Error('not a task');
    return task;
  }, namedTasks);
  if ([tasks, notes, events].every((table) => table.unreachable) && dependencies.unreachable) {
    throw new BatonError('BOARD_UNREADABLE', `nothing of the board at ${path} could be read; restore it from a backup`, { path });
  }
  const uncounted: (keyof BoardCounts)[] = [];
  for (const [name, table] of [['tasks', tasks], ['notes', notes], ['events', events]] as const) if (table.endUnknown) uncounted.push(name);
  if (dependencies.damaged) uncounted.push('dependencies');
  return {
    snapshot: { tasks: tasks.rows, dependencies: dependencies.rows, notes: notes.rows, events: events.rows },
    lost: { tasks: tasks.lost, dependencies: dependencies.lost, notes: notes.lost, events: events.lost },
    uncounted,
  };
}

interface TableRead<T> {
  rows: T[];
  lost: number;
  /** The last ids could not be read: more may be lost than counted. */
  endUnknown: boolean;
  unreachable: boolean;
}

/** Rows of a table keyed by `id` (ids count up from 1), skipping what cannot be read. */
function readById<Row extends { id: number }, T>(db: Database, table: string, decode: (row: Row) => T, knownMax = 0): TableRead<T> {
  const rows: T[] = [];
  const seen: number[] = [];
  let undecodable = 0;
  let after = 0;
  let endUnknown = false;
  let unreachable = false;
  for (;;) {
    try {
      for (const row of db.prepare(`SELECT * FROM ${table} WHERE id > ? ORDER BY id`).iterate(after) as Iterable<Row>) {
        after = row.id;
        seen.push(row.id);
        try {
          rows.push(decode(row));
        } catch {
          undecodable++;
        }
      }
      break;
    } catch {
      const next = nextReadableStart(db, table, after);
      if (next === null) {
        endUnknown = true;
        unreachable = seen.length === 0;
        break;
      }
      after = next;
    }
  }
  const stored = maxId(db, table);
  const max = Math.max(knownMax, stored ?? 0, ...seen.slice(-1));
  if (stored === null && knownMax === 0) endUnknown = true;
  const gaps = max - new Set(seen).size;
  return { rows, lost: gaps + undecodable, endUnknown, unreachable };
}

/**
 * After a failure past `after`: the first row there may be unreadable itself (skip just it), or
 * its page is (look further ahead, doubling, then back to the first id that reads again).
 */
function nextReadableStart(db: Database, table: string, after: number): number | null {
  const probe = (from: number): 'fails' | 'end' | number => {
    try {
      const id = db.prepare(`SELECT id FROM ${table} WHERE id > ? ORDER BY id LIMIT 1`).pluck().get(from) as number | undefined;
      return id === undefined ? 'end' : id;
    } catch {
      return 'fails';
    }
  };
  const first = probe(after);
  if (typeof first === 'number') return first; // that row is unreadable: resume after it
  if (first === 'end') return null;
  let step = 1;
  while (step < MAX_SKIP && probe(after + step) === 'fails') step *= 2;
  if (step >= MAX_SKIP) return null;
  // Narrow down to the first start that reads again, so rows on the next page are not skipped.
  let bad = after + step / 2;
  let good = after + step;
  while (good - bad > 1) {
    const middle = Math.floor((bad + good) / 2);
    if (probe(middle) === 'fails') bad = middle;
    else good = middle;
  }
  return good;
}

function withoutVersion({ version: _version, ...task }: Task): ExportedTask {
  return task;
}

function maxId(db: Database, table: string): number | null {
  try {
    return (db.prepare(`SELECT coalesce(max(id), 0) FROM ${table}`).pluck().get() as number) ?? 0;
  } catch {
    return null;
  }
}

function sequenceOf(db: Database, table: string): number {
  try {
    return (db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck().get(table) as number | undefined) ?? 0;
  } catch {
    return 0;
  }
}

/** Dependencies have no id: what cannot be read is skipped by task, and its count is unknown. */
function readDependencies(db: Database): { rows: ExportedDependency[]; lost: number; damaged: boolean; unreachable: boolean } {
  const rows: ExportedDependency[] = [];
  let damaged = false;
  let afterTask = 0;
  let afterTarget = 0;
  for (let attempts = 0; attempts < 10_000; attempts++) {
    try {
      const query = db.prepare(
        'SELECT task_id AS taskId, depends_on_id AS dependsOnId, type, created_at AS createdAt FROM dependencies WHERE (task_id, depends_on_id) > (?, ?) ORDER BY task_id, depends_on_id',
      );
      for (const row of query.iterate(afterTask, afterTarget) as Iterable<ExportedDependency>) {
        afterTask = row.taskId;
        afterTarget = row.dependsOnId;
        rows.push(row);
      }
      return { rows, lost: 0, damaged, unreachable: false };
    } catch {
      damaged = true;
      afterTask += 1;
      afterTarget = 0;
      if (afterTask > 1_000_000_000) break;
    }
  }
  return { rows, lost: 0, damaged, unreachable: rows.length === 0 };
}

/** `os.tmpdir()`, with `node:os` loaded only by a salvage, not on every start of the CLI this file is bundled into. */
function tmpdir(): string {
  return getBuiltinModule('node:os').tmpdir();
}
