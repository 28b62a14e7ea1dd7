import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env } from 'node:process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../../../test/helpers/baton.js';
import { GitWorkspace } from './git-workspace.js';

const workspace = new GitWorkspace({ env });
const ref = 'refs/baton/runs/1/2/quarantine';

function write(dir: string, path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

describe('quarantine', () => {
  let repo: ReturnType<typeof makeRepo>;
  let wt: string;
  let head: string;

  beforeEach(async () => {
    repo = makeRepo('baton-quarantine-');
    write(repo.dir, '.gitignore', 'ignored.log\n');
    write(repo.dir, 'a.txt', 'base\n');
    write(repo.dir, 'b.txt', 'base\n');
    git(repo.dir, ['add', '-A']);
    git(repo.dir, ['commit', '-q', '-m', 'base']);
    wt = join(repo.dir, '.baton', 'worktrees', '1-task');
    head = (await workspace.prepareWorktree(repo.dir, { path: wt, branch: 'baton/1-task', base: 'main' })).head;
  });
  afterEach(() => repo.cleanup());

  it('is null, and makes no ref, when nothing is uncommitted', async () => {
    write(wt, 'ignored.log', 'noise\n');
    write(wt, '.baton/report.json', '{}\n');
    expect(await workspace.quarantine(wt, ref)).toBeNull();
    expect(git(wt, ['for-each-ref', ref])).toBe('');
  });

  it('saves tracked changes, deletions and untracked files on the ref, with HEAD as parent, changing nothing else', async () => {
    write(wt, 'a.txt', 'changed and staged\n');
    git(wt, ['add', 'a.txt']);
    write(wt, 'a.txt', 'changed again, not staged\n');
    git(wt, ['rm', '-q', '--cached', 'b.txt']);
    write(wt, 'new/untracked.txt', 'untracked\n');
    write(wt, 'ignored.log', 'noise\n');
    const statusBefore = git(wt, ['status', '--porcelain=v2', '--untracked-files=all']);
    const indexBefore = readFileSync(join(repo.dir, '.git', 'worktrees', '1-task', 'index'));

    const commit = (await workspace.quarantine(wt, ref)) as string;
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(git(wt, ['rev-parse', ref]).trim()).toBe(commit);
    expect(git(wt, ['rev-parse', `${commit}^`]).trim()).toBe(head);
    expect(git(wt, ['show', `${commit}:a.txt`])).toBe('changed again, not staged\n');
    expect(git(wt, ['show', `${commit}:new/untracked.txt`])).toBe('untracked\n');
    // b.txt is still in the files, so the commit keeps it; ignored files are not saved.
    expect(git(wt, ['ls-tree', '-r', '--name-only', commit]).split('\n').filter(Boolean).sort()).toEqual(['.gitignore', 'a.txt', 'b.txt', 'new/untracked.txt']);

    expect(git(wt, ['rev-parse', 'HEAD']).trim()).toBe(head);
    expect(git(wt, ['status', '--porcelain=v2', '--untracked-files=all'])).toBe(statusBefore);
    expect(readFileSync(join(repo.dir, '.git', 'worktrees', '1-task', 'index')).equals(indexBefore)).toBe(true);
    expect(readFileSync(join(wt, 'a.txt'), 'utf8')).toBe('changed again, not staged\n');
  });

  it('saves a deleted file as deleted, and keeps an earlier save under the same ref in its reflog', async () => {
    write(wt, 'a.txt', 'first save\n');
    const first = (await workspace.quarantine(wt, ref)) as string;
    git(wt, ['checkout', '-q', '--', 'a.txt']);
    git(wt, ['rm', '-q', 'b.txt']);
    const second = (await workspace.quarantine(wt, ref)) as string;
    expect(git(wt, ['ls-tree', '-r', '--name-only', second]).split('\n').filter(Boolean).sort()).toEqual(['.gitignore', 'a.txt']);
    expect(git(wt, ['reflog', '--format=%H', ref]).split('\n').filter(Boolean)).toEqual([second, first]);
  });
});
