import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { getBuiltinModule, version as nodeVersion } from 'node:process';
import DatabaseConstructor, { type Database } from 'better-sqlite3';
import { BatonError } from '../../core/errors.js';
import { assertSqliteHeader, inspectBoardPath } from './board-file.js';
import { classifyBoard } from './board-shape.js';
import { sqliteAddon } from './sqlite-addon.js';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';

/** Long enough to ride out a burst of dozens of writers; a CLI call would rather wait than fail. */
const BUSY_TIMEOUT_MS = 20_000;

export interface OpenOptions {
  /** Create the file (and its folder) when missing or empty; only `init`, `import` and tests do. */
  create: boolean;
  /** A reading command: it neither migrates an older board nor changes its journal mode. */
  readOnly?: boolean;
}

/**
 * Opens a board file, refusing anything that is not a baton board before SQLite writes to it,
 * and brings the schema up to date inside one IMMEDIATE transaction (unless `readOnly`).
 */
export function openSqliteBoard(path: string, options: OpenOptions): Database {
  const state = inspectBoardPath(path);
  if (state.kind !== 'file' && !options.create) {
    const what = state.kind === 'empty' ? `${path} is an empty file, not a board yet` : `no board at ${path}`;
    throw new BatonError('NOT_FOUND', `${what}; run \`baton init\` in this repository first`, { path });
  }
  if (state.kind === 'file') assertSqliteHeader(path);
  else mkdirSync(dirname(path), { recursive: true });
  const db = guard(path, () => connectSqlite(path));
  try {
    guard(path, () => {
      // Judge the file by reading only: a newer board or someone else's database keeps its bytes
      // (switching to WAL would rewrite its header; a migration would add our tables).
      const version = state.kind === 'file' ? assertBatonBoard(db, path, options) : undefined;
      // WAL is a property of the file: set once when the board is new, then only checked.
      if (state.kind !== 'file' || (!options.readOnly && (db.pragma('journal_mode', { simple: true }) as string) !== 'wal')) db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      if (!options.readOnly) migrate(db, path, version);
    });
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** A connection through the native module this installation built, or the error that says how to build it. */
export function connectSqlite(path: string, readonly = false): Database {
  try {
    // better-sqlite3 takes the loaded addon as its nativeBinding too (its types say only a path).
    const addon = sqliteAddon() as string | undefined;
    return new DatabaseConstructor(path, { timeout: BUSY_TIMEOUT_MS, readonly, fileMustExist: readonly, ...(addon !== undefined && { nativeBinding: addon }) });
  } catch (error) {
    throw nativeModuleError(error) ?? error;
  }
}

/** Refuses what is not a board this baton may use; returns its schema version. */
function assertBatonBoard(db: Database, path: string, options: OpenOptions): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  const shape = classifyBoard(version, tables, SQLITE_SCHEMA_VERSION);
  switch (shape.kind) {
    case 'current':
      return version;
    case 'blank':
      // Nothing to lose: `init` makes it a board (or finishes another init that is under way).
      if (options.create) return version;
      throw new BatonError('NOT_FOUND', `${path} is an empty SQLite database, not a board yet; run \`baton init\` in this repository first`, { path });
    case 'older':
      if (options.readOnly !== true) return version;
      throw new BatonError(
        'BOARD_OUTDATED',
        `the board at ${path} has schema version ${shape.version}, older than this baton's (${SQLITE_SCHEMA_VERSION}); ` +
          'reading commands leave it as it is: run `baton init` to upgrade it (any writing command does too), then run the command again',
        { path, version: shape.version, supported: SQLITE_SCHEMA_VERSION },
      );
    case 'newer':
      throw tooNew(path, shape.version);
    case 'foreign':
      throw new BatonError(
        'BOARD_UNREADABLE',
        `${path} is a SQLite database but not a baton board (it has none of baton's tables); it was left untouched. ` +
          'Point --db / BATON_DB at the board, or at a path where `baton init` may create one',
        { path, version: shape.version },
      );
    case 'invalid':
      throw new BatonError(
        'BOARD_UNREADABLE',
        `${path} is not a baton board or is damaged (${shape.why}); it was left untouched. ` +
          'Restore it from a backup or `baton export` output (`baton export --salvage` reads what it can), or point --db / BATON_DB at the right file',
        { path, version: shape.version },
      );
  }
}

/** `known`: the version just read on this connection, if any; checked again under the write lock. */
function migrate(db: Database, path: string, known: number | undefined): void {
  const current = known ?? (db.pragma('user_version', { simple: true }) as number);
  if (current === SQLITE_SCHEMA_VERSION) return;
  if (current > SQLITE_SCHEMA_VERSION) throw tooNew(path, current);
  db.exec('BEGIN IMMEDIATE');
  try {
    // Another process may have migrated while we waited for the write lock.
    const locked = db.pragma('user_version', { simple: true }) as number;
    if (locked > SQLITE_SCHEMA_VERSION) throw tooNew(path, locked);
    for (let version = locked; version < SQLITE_SCHEMA_VERSION; version++) {
      db.exec(SQLITE_MIGRATIONS[version] as string);
    }
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function tooNew(path: string, version: number): BatonError {
  return new BatonError(
    'BOARD_TOO_NEW',
    `the board at ${path} has schema version ${version}, newer than this baton understands (${SQLITE_SCHEMA_VERSION}): it was made by a newer baton; ` +
      'upgrade baton (npm install -g baton@latest) and run the command again',
    { path, version, supported: SQLITE_SCHEMA_VERSION },
  );
}

/** Runs `work`, turning SQLite's low-level failures into errors that say what to do. */
export function guard<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw translateSqliteError(path, error);
  }
}

export function translateSqliteError(path: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  const detail = (error as Error).message;
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM')) {
    return new BatonError(
      'BOARD_READ_ONLY',
      `cannot write the board at ${path} (${detail}); make the file and its folder writable, or point --db at a writable board`,
      { path },
    );
  }
  // A table or column of baton's missing from a board whose version says it is there: edited around baton.
  const schemaMissing = code === 'SQLITE_ERROR' && /no such (table|column)|has no column named/.test(detail);
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || schemaMissing) {
    return new BatonError(
      'BOARD_UNREADABLE',
      `the board at ${path} is damaged (${detail}); restore it from \`baton export\` output or a backup`,
      { path },
    );
  }
  if (code.startsWith('SQLITE_BUSY')) {
    return new BatonError('FAILED', `the board at ${path} stayed locked for ${BUSY_TIMEOUT_MS / 1000}s; try again`, { path });
  }
  return error;
}

/**
 * SQLite's native module missing (its install script never ran: npm's opt-in install scripts)
 * or built for another Node.js: one line with the fix, not the loader's search list or stack.
 */
export function nativeModuleError(error: unknown): BatonError | null {
  const message = error instanceof Error ? error.message : '';
  const missing = /Could not locate the bindings file|Cannot find module .*better_sqlite3\.node/.test(message);
  const mismatched = (error as { code?: unknown }).code === 'ERR_DLOPEN_FAILED' || /NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(message);
  if (!missing && !mismatched) return null;
  let where = 'your baton installation';
  try {
    // <root>/node_modules/better-sqlite3/package.json: npm rebuilds from <root>.
    where = dirname(dirname(dirname(getBuiltinModule('node:module').createRequire(import.meta.url).resolve('better-sqlite3/package.json'))));
  } catch {
    // Not resolvable at all: the generic wording stands.
  }
  const why = missing ? 'is not built' : `cannot be loaded by this Node.js (${nodeVersion}): it was built for another one, or the build is broken`;
  return new BatonError('FAILED', `SQLite's native module (better-sqlite3) ${why}; run \`npm rebuild better-sqlite3\` in ${where} (a source build needs python3, make and a C++ compiler)`);
}
