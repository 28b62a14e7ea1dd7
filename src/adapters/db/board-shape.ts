/** The tables each schema version has; migration N adds the tables of version N+1. */
const TABLES_BY_VERSION: readonly (readonly string[])[] = [
  [],
  ['tasks', 'dependencies', 'notes', 'events'],
  ['footprints', 'findings', 'reservations'],
  ['board_meta', 'run_locks'],
  [],
  [],
];

/** What a SQLite file is to baton, judged from its user_version and table names alone. */
export type BoardShape =
  | { kind: 'current'; version: number }
  | { kind: 'older'; version: number }
  | { kind: 'newer'; version: number }
  /** A SQLite database with no tables at all (a board whose `init` is still running, say). */
  | { kind: 'blank' }
  /** A SQLite database with none of baton's tables: someone else's, never to be touched. */
  | { kind: 'foreign'; version: number }
  /** Some of baton's tables, or an impossible version: damaged, or not baton's. */
  | { kind: 'invalid'; version: number; why: string };

export function classifyBoard(version: number, tables: readonly string[], current: number): BoardShape {
  if (!Number.isInteger(version) || version < 0) return { kind: 'invalid', version, why: `its schema version is ${version}` };
  if (version > current) return { kind: 'newer', version };
  if (version === 0 && tables.length === 0) return { kind: 'blank' };
  const known = new Set(TABLES_BY_VERSION.slice(0, current + 1).flat());
  const present = new Set(tables);
  if (![...known].some((table) => present.has(table))) return { kind: 'foreign', version };
  const expected = TABLES_BY_VERSION.slice(0, version + 1).flat();
  const missing = expected.filter((table) => !present.has(table));
  if (version === 0) return { kind: 'invalid', version, why: 'it has some of baton\'s tables but schema version 0' };
  if (missing.length > 0) return { kind: 'invalid', version, why: `schema version ${version} but no ${missing.join(', ')} table${missing.length === 1 ? '' : 's'}` };
  return version === current ? { kind: 'current', version } : { kind: 'older', version };
}
