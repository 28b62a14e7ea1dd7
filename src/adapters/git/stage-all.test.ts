import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitWorkspace } from './git-workspace.js';

describe('staging what the checks will judge', () => {
  let dir: string;
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-stage-'));
    git('init', '-q', '-b', 'main');
    for (const name of ['a.test.js', 'b.test.js', 'c.js']) writeFileSync(join(dir, name), `${name} at the base\n`);
    git('add', '-A');
    git('commit', '-qm', 'base');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds what the files hold, whatever flags the index was given: skip-worktree, assume-unchanged', async () => {
    writeFileSync(join(dir, 'a.test.js'), 'weakened\n');
    writeFileSync(join(dir, 'b.test.js'), 'weakened too\n');
    writeFileSync(join(dir, 'c.js'), 'the work\n');
    git('update-index', '--skip-worktree', 'a.test.js');
    git('update-index', '--assume-unchanged', 'b.test.js');
    // What git add alone would stage: the flagged files' old content.
    expect(execFileSync('git', ['add', '--all', '--dry-run'], { cwd: dir, encoding: 'utf8' }).trim()).toBe("add 'c.js'");

    const tree = await new GitWorkspace({ env: nodeProcess.env }).snapshotTree(dir);

    const show = (path: string): string => git('cat-file', 'blob', `${tree}:${path}`);
    expect([show('a.test.js'), show('b.test.js'), show('c.js')]).toEqual(['weakened', 'weakened too', 'the work']);
    // The worktree's index is baton's now: no flags left, and it matches the tree.
    expect(git('ls-files', '-v').split('\n').map((line) => line[0])).toEqual(['H', 'H', 'H']);
    expect(git('write-tree')).toBe(tree);
  });
});
