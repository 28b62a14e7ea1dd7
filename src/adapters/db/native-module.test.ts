import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { nativeModuleError } from './sqlite-open.js';

describe("SQLite's native module, missing or built for another Node.js", () => {
  /** The error better-sqlite3 really throws when its addon is `binding`. */
  function loadError(binding: string): unknown {
    try {
      new Database(':memory:', { nativeBinding: binding }).close();
    } catch (error) {
      return error;
    }
    throw new Error(`${binding} loaded`);
  }

  it('says so in one line that names `npm rebuild better-sqlite3`, for a file that is no addon and for one that is not there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-native-'));
    try {
      const notAnAddon = join(dir, 'better_sqlite3.node');
      writeFileSync(notAnAddon, 'not an ELF file');
      const mismatched = nativeModuleError(loadError(notAnAddon));
      expect(mismatched?.message).toMatch(/^SQLite's native module \(better-sqlite3\) cannot be loaded by this Node\.js \(v[\d.]+\).*; run `npm rebuild better-sqlite3` in \//);
      expect(mismatched?.message).not.toContain('\n');
      const missing = nativeModuleError(loadError(join(dir, 'missing', 'better_sqlite3.node')));
      expect(missing?.message).toMatch(/is not built; run `npm rebuild better-sqlite3`/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves any other error alone', () => {
    expect(nativeModuleError(new Error('SQLITE_BUSY: database is locked'))).toBeNull();
  });
});
