import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from 'node:process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../../../test/helpers/baton.js';
import { BatonError } from '../../core/errors.js';
import { GitWorkspace } from './git-workspace.js';

const workspace = new GitWorkspace({ env });

function write(dir: string, path: string, text: string | Buffer): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

function commit(dir: string, message: string): string {
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', message]);
  return git(dir, ['rev-parse', 'HEAD']).trim();
}

const lines = (...values: string[]) => `${values.join('\n')}\n`;
/** Long enough that a rename with a small edit is still found as one. */
const LONG_TEXT = lines(...Array.from({ length: 20 }, (_, index) => `line ${index + 1} of a file that moves`));

async function rejection(promise: Promise<unknown>): Promise<BatonError> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (reason: unknown) => reason,
  );
  if (!(error instanceof BatonError)) throw error;
  return error;
}

describe('GitWorkspace', () => {
  let repo: ReturnType<typeof makeRepo>;
  let base: string;
  let wt: string;
  const branch = 'baton/1-task';

  beforeEach(() => {
    repo = makeRepo('baton-workspace-');
    write(repo.dir, '.gitignore', 'ignored.log\nnode_modules/\n');
    for (const name of ['a', 'b', 'c']) write(repo.dir, `${name}.txt`, lines(name, 'two', 'three'));
    write(repo.dir, 'old.txt', LONG_TEXT);
    base = commit(repo.dir, 'base');
    wt = join(repo.dir, '.baton', 'worktrees', '1-task');
  });
  afterEach(() => repo.cleanup());

  describe('prepareWorktree', () => {
    it("waits out another worktree being made at that moment (its admin folder half written), and makes its own", async () => {
      // What another process's `git worktree add` leaves for an instant: commondir not yet written.
      const admin = join(repo.dir, '.git', 'worktrees', 'being-made');
      mkdirSync(admin, { recursive: true });
      writeFileSync(join(admin, 'gitdir'), `${join(repo.dir, '.baton', 'worktrees', 'being-made')}/.git\n`);
      writeFileSync(join(admin, 'HEAD'), 'ref: refs/heads/main\n');
      writeFileSync(join(admin, 'commondir'), '');
      setTimeout(() => writeFileSync(join(admin, 'commondir'), '../..\n'), 100);
      const result = await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' });
      expect(result).toEqual({ created: true, head: base });
      expect(git(wt, ['symbolic-ref', '--short', 'HEAD']).trim()).toBe(branch);
    });

    it('creates the branch from base in a new worktree, parent folders included, and keeps .baton/ out of status', async () => {
      const result = await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' });
      expect(result).toEqual({ created: true, head: base });
      expect(git(wt, ['symbolic-ref', '--short', 'HEAD']).trim()).toBe(branch);
      const exclude = readFileSync(join(repo.dir, '.git', 'info', 'exclude'), 'utf8');
      expect(exclude.split('\n').filter((line) => line === '.baton/')).toHaveLength(1);
      // The worktree sits inside the main checkout, yet the main checkout shows nothing new.
      expect(git(repo.dir, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    });

    it('reuses the worktree of the same branch, and adds .baton/ to info/exclude only once', async () => {
      await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' });
      write(wt, 'work.txt', 'in progress\n');
      const again = await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' });
      expect(again).toEqual({ created: false, head: base });
      expect(readFileSync(join(wt, 'work.txt'), 'utf8')).toBe('in progress\n');
      const exclude = readFileSync(join(repo.dir, '.git', 'info', 'exclude'), 'utf8');
      expect(exclude.split('\n').filter((line) => line === '.baton/')).toHaveLength(1);
    });

    it('adds a worktree for a branch that exists without one', async () => {
      git(repo.dir, ['checkout', '-q', '-b', branch]);
      write(repo.dir, 'a.txt', 'on the branch\n');
      const tip = commit(repo.dir, 'branch work');
      git(repo.dir, ['checkout', '-q', 'main']);
      const result = await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' });
      expect(result).toEqual({ created: true, head: tip });
      expect(readFileSync(join(wt, 'a.txt'), 'utf8')).toBe('on the branch\n');
    });

    it('refuses a path that holds a plain directory, naming it, and changes nothing in the repository', async () => {
      write(wt, 'notes.txt', 'mine\n');
      const excludePath = join(repo.dir, '.git', 'info', 'exclude');
      const excludeBefore = existsSync(excludePath) ? readFileSync(excludePath, 'utf8') : null;
      const error = await rejection(workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' }));
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toContain(wt);
      expect(error.message).toContain('move or delete it');
      expect(git(repo.dir, ['branch', '--list', branch])).toBe('');
      expect(existsSync(excludePath) ? readFileSync(excludePath, 'utf8') : null).toBe(excludeBefore);
    });

    it("refuses a path that is another branch's worktree, and a branch checked out elsewhere", async () => {
      const other = join(repo.dir, '.baton', 'worktrees', 'other');
      git(repo.dir, ['worktree', 'add', '-q', '-b', 'other', other]);
      const taken = await rejection(workspace.prepareWorktree(repo.dir, { path: other, branch, base: 'main' }));
      expect(taken.code).toBe('CONFLICT');
      expect(taken.message).toContain('a worktree of branch other');

      const busy = await rejection(workspace.prepareWorktree(repo.dir, { path: wt, branch: 'other', base: 'main' }));
      expect(busy.code).toBe('CONFLICT');
      expect(busy.message).toContain(`checked out in ${other}`);
      expect(existsSync(wt)).toBe(false);
    });

    it('says NOT_FOUND for a base that is not a commit', async () => {
      const error = await rejection(workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'no-such-branch' }));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain('no-such-branch');
    });

    it('recreates a worktree whose directory was deleted by hand', async () => {
      await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' });
      rmSync(wt, { recursive: true, force: true });
      const result = await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' });
      expect(result).toEqual({ created: true, head: base });
      expect(existsSync(join(wt, 'a.txt'))).toBe(true);
    });
  });

  describe('in a task worktree', () => {
    beforeEach(async () => {
      await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' });
    });

    it('lists every change since a commit, untracked included, ignored and .baton/ excluded', async () => {
      write(wt, 'a.txt', lines('a', 'changed', 'three'));
      rmSync(join(wt, 'b.txt'));
      write(wt, 'c.txt', ' \n\t\n');
      rmSync(join(wt, 'old.txt'));
      write(wt, 'moved.txt', `${LONG_TEXT}one more line\n`);
      write(wt, 'new/deep.txt', 'new\n');
      write(wt, 'blank.txt', '');
      write(wt, 'ignored.log', 'noise\n');
      write(wt, 'node_modules/pkg/index.js', 'x\n');
      write(wt, '.baton/report.json', '{}\n');
      await workspace.stageAll(wt);
      const changes = await workspace.changes(wt, base);
      expect([...changes].sort((x, y) => x.path.localeCompare(y.path))).toEqual([
        { path: 'a.txt', change: 'modified', fromPath: null, emptied: false },
        { path: 'b.txt', change: 'deleted', fromPath: null, emptied: false },
        { path: 'blank.txt', change: 'added', fromPath: null, emptied: true },
        { path: 'c.txt', change: 'modified', fromPath: null, emptied: true },
        { path: 'moved.txt', change: 'renamed', fromPath: 'old.txt', emptied: false },
        { path: 'new/deep.txt', change: 'added', fromPath: null, emptied: false },
      ]);
      // Only the task worktree's index was used.
      expect(git(repo.dir, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    });

    it('reads the worktree as the last stageAll took it', async () => {
      write(wt, 'a.txt', 'staged\n');
      await workspace.stageAll(wt);
      write(wt, 'later.txt', 'after the snapshot\n');
      expect((await workspace.changes(wt, base)).map((change) => change.path)).toEqual(['a.txt']);
      await workspace.stageAll(wt);
      expect((await workspace.changes(wt, base)).map((change) => change.path).sort()).toEqual(['a.txt', 'later.txt']);
    });

    it('diffs untracked and binary files', async () => {
      write(wt, 'new.txt', 'fresh line\n');
      write(wt, 'image.bin', Buffer.from([0, 1, 2, 0, 255, 0]));
      await workspace.stageAll(wt);
      const patch = await workspace.diff(wt, base);
      expect(patch).toContain('diff --git a/new.txt b/new.txt');
      expect(patch).toContain('+fresh line');
      expect(patch).toMatch(/Binary files \/dev\/null and b\/image\.bin differ/);
    });

    it('lists added lines with their line numbers, for awkward paths too', async () => {
      write(wt, 'a.txt', lines('first', 'a', 'two', 'inserted', 'three', 'last'));
      write(wt, 'dir with space/my file.txt', lines('hello', '++ looks like a header'));
      write(wt, 'quo"te é.txt', lines('quoted'));
      rmSync(join(wt, 'b.txt'));
      write(wt, 'data.bin', Buffer.from([0, 0, 0, 10, 65, 10]));
      await workspace.stageAll(wt);
      const added = await workspace.addedLines(wt, base);
      expect([...added].sort((x, y) => x.path.localeCompare(y.path) || x.line - y.line)).toEqual([
        { path: 'a.txt', line: 1, text: 'first' },
        { path: 'a.txt', line: 4, text: 'inserted' },
        { path: 'a.txt', line: 6, text: 'last' },
        { path: 'dir with space/my file.txt', line: 1, text: 'hello' },
        { path: 'dir with space/my file.txt', line: 2, text: '++ looks like a header' },
        { path: 'quo"te é.txt', line: 1, text: 'quoted' },
      ]);
    });

    it('commits everything but ignored files and .baton/, with the message as given; null when clean', async () => {
      expect(await workspace.commitAll(wt, 'nothing yet')).toBeNull();
      // A failing pre-commit hook must not stop baton's commit.
      const hook = join(repo.dir, '.git', 'hooks', 'pre-commit');
      write(repo.dir, '.git/hooks/pre-commit', '#!/bin/sh\nexit 1\n');
      chmodSync(hook, 0o755);
      write(wt, 'a.txt', 'changed\n');
      write(wt, 'added.txt', 'added\n');
      write(wt, 'ignored.log', 'noise\n');
      write(wt, '.baton/report.json', '{}\n');
      const sha = await workspace.commitAll(wt, '#1 Add the thing\n\nBody line.');
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      expect(git(wt, ['rev-parse', 'HEAD']).trim()).toBe(sha);
      expect(git(wt, ['log', '-1', '--format=%B']).trim()).toBe('#1 Add the thing\n\nBody line.');
      expect(git(wt, ['show', '--name-only', '--format=', 'HEAD']).trim().split('\n').sort()).toEqual(['a.txt', 'added.txt']);
      expect(await workspace.commitAll(wt, 'again')).toBeNull();
    });

    it('commits as baton when git has no identity configured', async () => {
      const home = mkdtempSync(join(tmpdir(), 'baton-home-'));
      try {
        git(repo.dir, ['config', '--unset', 'user.name']);
        git(repo.dir, ['config', '--unset', 'user.email']);
        const bare: Record<string, string | undefined> = { ...env, HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: '1' };
        for (const name of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'EMAIL']) delete bare[name];
        write(wt, 'a.txt', 'changed\n');
        const sha = await new GitWorkspace({ env: bare }).commitAll(wt, 'no identity');
        expect(git(wt, ['log', '-1', '--format=%an <%ae>', sha as string]).trim()).toBe('baton <baton@localhost>');
        // Only what is missing is filled in; an empty value counts as missing.
        git(repo.dir, ['config', 'user.name', 'Ada Lovelace']);
        git(repo.dir, ['config', 'user.email', '']);
        write(wt, 'a.txt', 'changed again\n');
        const named = await new GitWorkspace({ env: bare }).commitAll(wt, 'half an identity');
        expect(git(wt, ['log', '-1', '--format=%an <%ae>', named as string]).trim()).toBe('Ada Lovelace <baton@localhost>');
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });

    it('brings the base in, conflicts kept with their markers, when git has no identity configured', async () => {
      const home = mkdtempSync(join(tmpdir(), 'baton-home-'));
      try {
        write(wt, 'a.txt', lines('a', 'TWO', 'three'));
        await workspace.commitAll(wt, 'task');
        write(repo.dir, 'a.txt', lines('a', '2', 'three'));
        const moved = commit(repo.dir, 'base moves');
        git(repo.dir, ['config', '--unset', 'user.name']);
        git(repo.dir, ['config', '--unset', 'user.email']);
        const bare: Record<string, string | undefined> = { ...env, HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: '1' };
        for (const name of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'EMAIL']) delete bare[name];
        const brought = await new GitWorkspace({ env: bare }).bringIn(wt, { branch, base: 'main', message: 'bring main in' });
        expect(brought).toMatchObject({ base: moved, conflicts: ['a.txt'] });
        expect(readFileSync(join(wt, 'a.txt'), 'utf8')).toContain('<<<<<<<');
        expect(git(wt, ['log', '-1', '--format=%an <%ae> %P']).trim()).toMatch(new RegExp(`^baton <baton@localhost> [0-9a-f]{40} ${moved}$`));
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });

    it('resets to a commit: changes and untracked files gone, ignored files and .baton/ kept', async () => {
      write(wt, 'a.txt', 'committed change\n');
      const first = (await workspace.commitAll(wt, 'first')) as string;
      write(wt, 'a.txt', 'later change\n');
      rmSync(join(wt, 'c.txt'));
      write(wt, 'untracked.txt', 'x\n');
      write(wt, 'scratch/deep/file.txt', 'x\n');
      write(wt, 'node_modules/pkg/index.js', 'kept\n');
      write(wt, '.baton/report.json', '{}\n');
      await workspace.commitAll(wt, 'second');
      write(wt, 'b.txt', 'uncommitted\n');

      await workspace.resetTo(wt, first);
      expect(git(wt, ['rev-parse', 'HEAD']).trim()).toBe(first);
      expect(readFileSync(join(wt, 'a.txt'), 'utf8')).toBe('committed change\n');
      expect(readFileSync(join(wt, 'b.txt'), 'utf8')).toBe(lines('b', 'two', 'three'));
      expect(existsSync(join(wt, 'c.txt'))).toBe(true);
      expect(existsSync(join(wt, 'untracked.txt'))).toBe(false);
      expect(existsSync(join(wt, 'scratch'))).toBe(false);
      expect(readFileSync(join(wt, 'node_modules/pkg/index.js'), 'utf8')).toBe('kept\n');
      expect(existsSync(join(wt, '.baton/report.json'))).toBe(true);
      expect(git(wt, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    });

    it('squashes the commits after onto into one with the same tree', async () => {
      for (const step of ['one', 'two', 'three']) {
        write(wt, `${step}.txt`, `${step}\n`);
        await workspace.commitAll(wt, step);
      }
      const tree = git(wt, ['rev-parse', 'HEAD^{tree}']).trim();
      write(wt, 'a.txt', 'not committed\n');
      const sha = await workspace.squash(wt, base, 'Task #1: all steps');
      expect(git(wt, ['rev-parse', 'HEAD']).trim()).toBe(sha);
      expect(git(wt, ['rev-list', '--count', `${base}..HEAD`]).trim()).toBe('1');
      expect(git(wt, ['rev-parse', 'HEAD^']).trim()).toBe(base);
      expect(git(wt, ['rev-parse', 'HEAD^{tree}']).trim()).toBe(tree);
      expect(git(wt, ['log', '-1', '--format=%B']).trim()).toBe('Task #1: all steps');
      expect(git(wt, ['rev-parse', '--abbrev-ref', 'HEAD']).trim()).toBe(branch);
      // What was not committed is left alone.
      expect(git(wt, ['status', '--porcelain'])).toBe(' M a.txt\n');
    });

    it('squashes commits that undo each other to onto itself, and refuses an onto HEAD does not descend from', async () => {
      write(wt, 'a.txt', 'changed\n');
      await workspace.commitAll(wt, 'change');
      write(wt, 'a.txt', lines('a', 'two', 'three'));
      await workspace.commitAll(wt, 'undo');
      expect(await workspace.squash(wt, base, 'nothing')).toBe(base);
      expect(git(wt, ['rev-parse', 'HEAD']).trim()).toBe(base);

      git(repo.dir, ['checkout', '-q', '-b', 'elsewhere']);
      write(repo.dir, 'x.txt', 'x\n');
      const unrelated = commit(repo.dir, 'elsewhere');
      const error = await rejection(workspace.squash(wt, unrelated, 'no'));
      expect(error.code).toBe('CONFLICT');
    });

    it('tells missing, empty and present files apart, and refuses paths outside the worktree', async () => {
      write(wt, 'zero.txt', '');
      write(wt, 'spaces.txt', '  \n\t\r\n');
      mkdirSync(join(wt, 'empty-dir'));
      expect(await workspace.fileState(wt, 'nope.txt')).toBe('missing');
      expect(await workspace.fileState(wt, 'a.txt/below')).toBe('missing');
      expect(await workspace.fileState(wt, 'zero.txt')).toBe('empty');
      expect(await workspace.fileState(wt, 'spaces.txt')).toBe('empty');
      expect(await workspace.fileState(wt, 'empty-dir')).toBe('empty');
      expect(await workspace.fileState(wt, 'a.txt')).toBe('present');
      expect(await workspace.fileState(wt, join(wt, 'a.txt'))).toBe('present');
      expect((await rejection(workspace.fileState(wt, '../../../.gitignore'))).code).toBe('INVALID_INPUT');
      symlinkSync(join(repo.dir, '.gitignore'), join(wt, 'link-out'));
      expect((await rejection(workspace.fileState(wt, 'link-out'))).code).toBe('INVALID_INPUT');
    });
  });

  describe('with code planted in the repository', () => {
    const ran = (): string => join(repo.dir, 'ran.txt');
    const plant = (path: string, script: string): void => {
      write(repo.dir, path, `#!/bin/sh\n${script}\n`);
      chmodSync(join(repo.dir, path), 0o755);
    };

    it('runs no post-checkout hook when adding the worktree, none from core.hooksPath, and no fsmonitor', async () => {
      plant('.git/hooks/post-checkout', `echo post-checkout >> '${ran()}'`);
      plant('hooks-elsewhere/post-checkout', `echo hooksPath >> '${ran()}'`);
      plant('fsmonitor.sh', `echo fsmonitor >> '${ran()}'`);
      git(repo.dir, ['config', 'core.fsmonitor', join(repo.dir, 'fsmonitor.sh')]);
      await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' });
      write(wt, 'a.txt', 'changed\n');
      await workspace.stageAll(wt);
      await workspace.changes(wt, base);
      git(repo.dir, ['config', 'core.hooksPath', join(repo.dir, 'hooks-elsewhere')]);
      await workspace.prepareWorktree(repo.dir, { path: join(repo.dir, '.baton', 'worktrees', '2-task'), branch: 'baton/2-task', base: 'main' });
      expect(existsSync(ran())).toBe(false);
      // The same hooks do run for a person's git: the test would pass without planting anything otherwise.
      git(repo.dir, ['-c', 'core.fsmonitor=false', 'worktree', 'add', '-q', join(repo.dir, '.baton', 'worktrees', '3-task')]);
      expect(readFileSync(ran(), 'utf8')).toBe('hooksPath\n');
    });

    it('commits exactly what it staged although a post-commit hook would amend the commit', async () => {
      await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' });
      plant('.git/hooks/post-commit', 'echo planted > planted.txt && git add planted.txt && git commit -q --amend --no-edit --no-verify');
      plant('.git/hooks/reference-transaction', `echo "$1" >> '${ran()}'`);
      write(wt, 'a.txt', 'checked\n');
      const sha = (await workspace.commitAll(wt, 'for review')) as string;
      expect(git(wt, ['rev-parse', 'HEAD']).trim()).toBe(sha);
      expect(git(wt, ['show', '--name-only', '--format=', sha]).trim()).toBe('a.txt');
      expect(existsSync(join(wt, 'planted.txt'))).toBe(false);
      expect(existsSync(ran())).toBe(false);
    });
  });

  describe('snapshotTree and commitTree', () => {
    beforeEach(async () => {
      await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' });
    });

    it('commits the tree that was snapshot, not what the files hold later, on the branch guarded by its parent', async () => {
      write(wt, 'a.txt', 'checked\n');
      write(wt, 'new.txt', 'new\n');
      write(wt, 'ignored.log', 'noise\n');
      const tree = await workspace.snapshotTree(wt);
      expect(git(wt, ['ls-tree', '--name-only', tree]).split('\n')).toContain('new.txt');
      write(wt, 'a.txt', 'changed after the checks\n');
      const sha = await workspace.commitTree(wt, { tree, parent: base, message: '#1 For review  \n\n\n\nBody\n\n', branch });
      expect(git(wt, ['rev-parse', `refs/heads/${branch}`]).trim()).toBe(sha);
      expect(git(wt, ['rev-parse', `${sha}^{tree}`]).trim()).toBe(tree);
      expect(git(wt, ['rev-parse', `${sha}^`]).trim()).toBe(base);
      expect(git(wt, ['cat-file', 'commit', sha]).split('\n\n').slice(1).join('\n\n')).toBe('#1 For review\n\nBody\n');
      expect(git(wt, ['show', `${sha}:a.txt`])).toBe('checked\n');
      expect(readFileSync(join(wt, 'a.txt'), 'utf8')).toBe('changed after the checks\n');
      expect(git(wt, ['status', '--porcelain'])).toBe(' M a.txt\n');
      expect(await workspace.treeOf(wt, sha)).toBe(tree);
    });

    it('refuses to move a branch that is no longer at the parent, and a HEAD that is not on the branch', async () => {
      write(wt, 'a.txt', 'checked\n');
      const tree = await workspace.snapshotTree(wt);
      write(wt, 'b.txt', 'moved meanwhile\n');
      git(wt, ['commit', '-q', '-am', 'someone else']);
      const moved = git(wt, ['rev-parse', 'HEAD']).trim();
      const stale = await rejection(workspace.commitTree(wt, { tree, parent: base, message: 'late' }));
      expect(stale.code).toBe('CONFLICT');
      expect(git(wt, ['rev-parse', 'HEAD']).trim()).toBe(moved);

      git(wt, ['switch', '-q', '--detach']);
      const detached = await rejection(workspace.commitTree(wt, { tree, parent: moved, message: 'x', branch }));
      expect(detached.code).toBe('CONFLICT');
      expect(detached.message).toContain('detached');
      expect(git(wt, ['rev-parse', 'HEAD']).trim()).toBe(moved);
    });
  });

  it('lists tracked files changed in the main worktree, staged or not, and ignores untracked ones', async () => {
    write(repo.dir, 'a.txt', 'modified\n');
    rmSync(join(repo.dir, 'b.txt'));
    write(repo.dir, 'staged.txt', 'staged\n');
    git(repo.dir, ['add', 'staged.txt']);
    write(repo.dir, 'untracked.txt', 'x\n');
    expect(await workspace.uncommittedChanges(repo.dir)).toEqual(['a.txt', 'b.txt', 'staged.txt']);
  });

  it('names the main worktree branch as the default base, from a linked worktree too', async () => {
    await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' });
    expect(await workspace.defaultBaseBranch(wt)).toBe('main');
    git(repo.dir, ['checkout', '-q', '--detach']);
    expect(await workspace.defaultBaseBranch(repo.dir)).toBe('main');
  });
});
