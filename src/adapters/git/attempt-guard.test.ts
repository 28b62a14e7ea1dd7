import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitAttemptGuard } from './attempt-guard.js';
import { GitWorkspace } from './git-workspace.js';

describe('the attempt guard and the files git ignores', () => {
  let dir: string;
  let worktree: string;
  const git = (cwd: string, ...args: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' }).trim();
  const guard = (): GitAttemptGuard => new GitAttemptGuard(new GitWorkspace({ env: nodeProcess.env }), nodeProcess.env);
  const scope = () => ({ repoRoot: dir, worktree, branch: 'task', watchOutside: false });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-guard-'));
    git(dir, 'init', '-q', '-b', 'main');
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'base');
    worktree = join(dir, '.baton', 'worktrees', 'task');
    git(dir, 'worktree', 'add', '-q', '-b', 'task', worktree);
    // What setup installed.
    mkdirSync(join(worktree, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(worktree, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('compares every attempt with what the first one found — in a later run too, as a resumed run is', async () => {
    const firstRun = guard();
    await firstRun.after(await firstRun.before(scope()), 'refs/baton/test/1');
    // A check of that run (code under test) plants; then baton dies, and a new run resumes.
    mkdirSync(join(worktree, 'node_modules', '.bin'));
    writeFileSync(join(worktree, 'node_modules', '.bin', 'node'), '#!/bin/sh\necho ok\n');

    const resumed = guard();
    const found = await resumed.after(await resumed.before(scope()), 'refs/baton/test/2');

    expect(found.ignoredRemoved).toEqual(['node_modules/.bin/node']);
    expect(existsSync(join(worktree, 'node_modules', '.bin', 'node'))).toBe(false);
    expect(existsSync(join(worktree, 'node_modules', 'dep', 'index.js'))).toBe(true);
  });
});

describe('the attempt guard and the runs beside it', () => {
  let dir: string;
  const git = (cwd: string, ...args: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' }).trim();
  const guard = (): GitAttemptGuard => new GitAttemptGuard(new GitWorkspace({ env: nodeProcess.env }), nodeProcess.env);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-guard-'));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'base');
    for (const task of ['mine', 'theirs']) git(dir, 'worktree', 'add', '-q', '-b', task, join(dir, '.baton', 'worktrees', task));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Another run's checkpoint during this attempt: a commit through its own worktree's HEAD. */
  const theirCheckpoint = (): void => {
    const theirs = join(dir, '.baton', 'worktrees', 'theirs');
    writeFileSync(join(theirs, 'work.txt'), 'theirs\n');
    git(theirs, 'add', 'work.txt');
    git(theirs, 'commit', '-qm', 'checkpoint of the other run');
  };

  it("contained, does not blame the attempt for a branch another worktree's HEAD moved", async () => {
    const mine = join(dir, '.baton', 'worktrees', 'mine');
    const attempt = guard();
    // watchOutside false: the attempt ran contained, unable to write other worktrees' HEAD logs.
    const mark = await attempt.before({ repoRoot: dir, worktree: mine, branch: 'mine', watchOutside: false });
    theirCheckpoint();
    expect((await attempt.after(mark, 'refs/baton/test/1')).repaired).toEqual([]);
  });

  it('uncontained, still reports it: the attempt could have written that log itself', async () => {
    const mine = join(dir, '.baton', 'worktrees', 'mine');
    const attempt = guard();
    const mark = await attempt.before({ repoRoot: dir, worktree: mine, branch: 'mine', watchOutside: true });
    theirCheckpoint();
    const found = await attempt.after(mark, 'refs/baton/test/1');
    expect(found.repaired).toEqual([expect.stringContaining('refs/heads/theirs was moved')]);
    expect(found.repaired[0]).toContain('whose HEAD log records it');
  });
});
