import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import nodeProcess from 'node:process';
import DatabaseConstructor, { type Database } from 'better-sqlite3';
import { BatonError } from '../../core/errors.js';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';

const SQLITE_HEADER = 'SQLite format 3\0';
/** Long enough to ride out a burst of dozens of writers; a CLI call would rather wait than fail. */
const BUSY_TIMEOUT_MS = 20_000;

export interface OpenOptions {
  /** Create the file (and its folder) when missing; only `init` and tests do. */
  create: boolean;
}

/**
 * Opens a board file, refusing anything that is not a SQLite database before SQLite can touch
 * it, and brings the schema up to date inside one IMMEDIATE transaction.
 */
export function openSqliteBoard(path: string, options: OpenOptions): Database {
  const exists = existsSync(path);
  if (!exists && !options.create) {
    throw new BatonError('NOT_FOUND', `no board at ${path}; run \`baton init\` in this repository first`, { path });
  }
  if (exists) assertSqliteFile(path);
  else mkdirSync(dirname(path), { recursive: true });
  const db = guard(path, () => {
    const binding = nativeBindingPath();
    try {
      return new DatabaseConstructor(path, { timeout: BUSY_TIMEOUT_MS, ...(binding !== undefined && { nativeBinding: binding }) });
    } catch (error) {
      throw nativeModuleError(error) ?? error;
    }
  });
  try {
    guard(path, () => {
      // Refuse a newer board before switching it to WAL, which would rewrite its header.
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SQLITE_SCHEMA_VERSION) throw tooNew(path, version);
      // WAL is a property of the file: set once when the board is new, then only checked.
      if (!exists || (db.pragma('journal_mode', { simple: true }) as string) !== 'wal') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db, path);
    });
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function migrate(db: Database, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
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
    `the board at ${path} has schema version ${version}, newer than this baton understands (${SQLITE_SCHEMA_VERSION}); ` +
      'upgrade baton (npm install -g baton@latest) and run the command again',
    { path, version, supported: SQLITE_SCHEMA_VERSION },
  );
}

function assertSqliteFile(path: string): void {
  if (statSync(path).size === 0) return;
  const header = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) {
    throw new BatonError(
      'BOARD_UNREADABLE',
      `${path} is not a baton board (not a SQLite database); it was left untouched. ` +
        'Move it aside, or point --db / BATON_DB at the right file',
      { path },
    );
  }
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
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
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
    where = dirname(dirname(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'))));
  } catch {
    // Not resolvable at all: the generic wording stands.
  }
  const why = missing ? 'is not built' : `cannot be loaded by this Node.js (${nodeProcess.version}): it was built for another one, or the build is broken`;
  return new BatonError('FAILED', `SQLite's native module (better-sqlite3) ${why}; run \`npm rebuild better-sqlite3\` in ${where} (a source build needs python3, make and a C++ compiler)`);
}

/** Naming the addon directly skips the `bindings` package's directory search on every start. */
function nativeBindingPath(): string | undefined {
  try {
    const packageJson = createRequire(import.meta.url).resolve('better-sqlite3/package.json');
    const addon = `${dirname(packageJson)}/build/Release/better_sqlite3.node`;
    return existsSync(addon) ? addon : undefined;
  } catch {
    return undefined;
  }
}
