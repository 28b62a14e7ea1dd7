import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, symlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeIgnoredWrites, snapshotIgnored } from './ignored-files.js';
import { runGit } from './run-git.js';
import type { GitRunner } from './resolve-commit.js';

const git: GitRunner = (args, cwd) => runGit(args, { cwd, noHooks: true });

describe('files git ignores, around an attempt', () => {
  let dir: string;
  const file = (path: string, text: string): void => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-ignored-'));
    execFileSync('git', ['init', '-q', dir]);
    file('.gitignore', 'node_modules/\ndist/\n.baton/\n');
    file('src/a.js', 'a\n');
    file('node_modules/dep/index.js', 'module.exports = 1;\n');
    file('node_modules/dep/package.json', '{}\n');
    execFileSync('git', ['-C', dir, 'add', '-A']);
    execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'base']);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('removes what was created or changed among them — a change hidden by an old mtime too — and nothing else', async () => {
    const before = await snapshotIgnored(git, dir);
    expect([...before.keys()].sort()).toEqual(['node_modules/dep/index.js', 'node_modules/dep/package.json']);
    const { mtime } = statSync(join(dir, 'node_modules/dep/index.js'));
    // Same size, mtime set back: only the change time tells.
    writeFileSync(join(dir, 'node_modules/dep/index.js'), 'module.exports = 2;\n');
    utimesSync(join(dir, 'node_modules/dep/index.js'), mtime, mtime);
    file('node_modules/.bin/node', '#!/bin/sh\necho ok\n');
    symlinkSync('/bin/true', join(dir, 'node_modules/.bin/npm'));
    file('dist/out.js', 'built\n');
    file('tests/conftest.py', 'planted\n');
    file('tests/.gitignore', 'conftest.py\n');
    file('.baton/report.json', '{}\n');
    file('src/b.js', 'new work\n');

    const removed = await removeIgnoredWrites(git, dir, before);

    expect(removed).toEqual(['dist/out.js', 'node_modules/.bin/node', 'node_modules/.bin/npm', 'node_modules/dep/index.js', 'tests/conftest.py']);
    for (const path of removed) expect(existsSync(join(dir, path))).toBe(false);
    expect(existsSync('/bin/true')).toBe(true);
    expect(readFileSync(join(dir, 'node_modules/dep/package.json'), 'utf8')).toBe('{}\n');
    // Baton's own folder, and work git sees (committed with the attempt), stay.
    expect(readFileSync(join(dir, '.baton/report.json'), 'utf8')).toBe('{}\n');
    expect(readFileSync(join(dir, 'src/b.js'), 'utf8')).toBe('new work\n');
    expect(readFileSync(join(dir, 'tests/.gitignore'), 'utf8')).toBe('conftest.py\n');
  });

  it('removes a git repository nested in an ignored folder, which git lists as one entry, whole', async () => {
    const before = await snapshotIgnored(git, dir);
    execFileSync('git', ['init', '-q', join(dir, 'node_modules', '.bin')]);
    file('node_modules/.bin/node', '#!/bin/sh\necho ok\n');

    const removed = await removeIgnoredWrites(git, dir, before);

    expect(removed).toEqual(['node_modules/.bin/']);
    expect(existsSync(join(dir, 'node_modules', '.bin'))).toBe(false);
    expect(readFileSync(join(dir, 'node_modules/dep/index.js'), 'utf8')).toBe('module.exports = 1;\n');
  });

  it('removes nothing when nothing was written', async () => {
    const before = await snapshotIgnored(git, dir);
    readFileSync(join(dir, 'node_modules/dep/index.js'));
    expect(await removeIgnoredWrites(git, dir, before)).toEqual([]);
  });
});
