import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baton, BATON_BIN, json } from './helpers/baton.js';

const PACKAGE_SCHEMA = resolve(dirname(BATON_BIN), '..', 'schema', 'baton.config.schema.json');

let dir: string;
beforeEach(() => {
  // Outside any git repository: the command needs no board.
  dir = mkdtempSync(join(tmpdir(), 'baton-schema-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('baton schema', () => {
  it("prints the absolute path of the package's JSON Schema of baton.config.json", () => {
    const result = baton(['schema'], { cwd: dir });
    expect(result.code).toBe(0);
    const path = result.stdout.trim();
    expect(isAbsolute(path)).toBe(true);
    expect(path).toBe(PACKAGE_SCHEMA);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ title: 'baton.config.json' });
  });

  it('finds the package through a symlinked bin, as npm links it into a prefix', () => {
    const link = join(dir, 'baton');
    symlinkSync(BATON_BIN, link);
    const result = spawnSync(process.execPath, [link, 'schema'], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(PACKAGE_SCHEMA);
  });

  it('--print prints the schema itself; --json gives the path, the published URL and, with --print, the schema', () => {
    const printed = baton(['schema', '--print'], { cwd: dir });
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(JSON.parse(readFileSync(PACKAGE_SCHEMA, 'utf8')));
    const document = json<{ path: string; url: string; schema?: unknown }>(baton(['schema', '--json'], { cwd: dir }));
    expect(document).toEqual({ schemaVersion: 1, path: PACKAGE_SCHEMA, url: 'https://unpkg.com/baton-agents/schema/baton.config.schema.json' });
    const full = json<{ schema: unknown }>(baton(['schema', '--print', '--json'], { cwd: dir }));
    expect(full.schema).toEqual(JSON.parse(readFileSync(PACKAGE_SCHEMA, 'utf8')));
  });

  it('refuses an argument (exit 2)', () => {
    const result = baton(['schema', 'extra'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unexpected argument 'extra'/);
  });
});
