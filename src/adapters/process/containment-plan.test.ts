import { describe, expect, it } from 'vitest';
import { contains, planMounts } from './containment-plan.js';
import { worktreeContainmentPolicy } from './containment-policy.js';

describe('planMounts', () => {
  it('binds parents before children, whatever order the lists come in', () => {
    const steps = planMounts({
      readOnly: ['/repo/wt/locked', '/repo'],
      writable: ['/repo/.git/objects', '/repo/wt'],
    });
    expect(steps).toEqual([
      { path: '/repo', mode: 'ro' },
      { path: '/repo/wt', mode: 'rw' },
      { path: '/repo/.git/objects', mode: 'rw' },
      { path: '/repo/wt/locked', mode: 'ro' },
    ]);
  });

  it('leaves out a path whose mode its nearest listed parent gives it already', () => {
    const steps = planMounts({
      readOnly: ['/repo', '/repo/.git/hooks', '/repo/wt/.git/x'],
      writable: ['/elsewhere', '/repo/wt', '/repo/wt/src'],
    });
    expect(steps).toEqual([
      { path: '/repo', mode: 'ro' },
      { path: '/repo/wt', mode: 'rw' },
      { path: '/repo/wt/.git/x', mode: 'ro' },
    ]);
  });

  it('makes a path listed as both read-only and writable read-only', () => {
    expect(planMounts({ readOnly: ['/a/b', '/a'], writable: ['/a/b'] })).toEqual([{ path: '/a', mode: 'ro' }]);
  });

  it('treats paths with spaces and shared prefixes as different paths', () => {
    const steps = planMounts({ readOnly: ['/a/wt', '/a/wt x'], writable: ['/a/wt x/y', '/a/wtx'] });
    expect(steps).toEqual([
      { path: '/a/wt', mode: 'ro' },
      { path: '/a/wt x', mode: 'ro' },
      { path: '/a/wt x/y', mode: 'rw' },
    ]);
  });

  it('handles the root directory as everyone’s parent', () => {
    expect(planMounts({ readOnly: ['/'], writable: ['/tmp', '/'] })).toEqual([
      { path: '/', mode: 'ro' },
      { path: '/tmp', mode: 'rw' },
    ]);
    expect(contains('/', '/tmp')).toBe(true);
    expect(contains('/tm', '/tmp')).toBe(false);
  });
});

describe('worktreeContainmentPolicy', () => {
  it('keeps a worktree inside the main checkout and the git data a commit writes writable, the rest read-only', () => {
    const policy = worktreeContainmentPolicy({
      mainCheckout: '/r',
      gitCommonDir: '/r/.git',
      worktree: '/r/.baton/worktrees/t1',
      worktreeGitDir: '/r/.git/worktrees/t1',
      otherWorktrees: ['/r', '/r/.baton/worktrees/t1', '/elsewhere/t2'],
      branchRef: 'refs/heads/baton/1-task',
      refLogs: ['/r/.git/logs/HEAD', '/r/.git/logs/refs/heads/main', '/r/.git/logs/refs/heads/baton/1-task'],
    });
    expect(planMounts(policy)).toEqual([
      { path: '/r', mode: 'ro' },
      { path: '/elsewhere/t2', mode: 'ro' },
      { path: '/r/.git/lfs', mode: 'rw' },
      { path: '/r/.git/logs', mode: 'rw' },
      { path: '/r/.git/objects', mode: 'rw' },
      { path: '/r/.git/packed-refs', mode: 'rw' },
      { path: '/r/.git/refs', mode: 'rw' },
      { path: '/r/.baton/worktrees/t1', mode: 'rw' },
      // The logs the repository guard trusts, each its own mount; the task branch's stays writable.
      { path: '/r/.git/logs/HEAD', mode: 'ro' },
      { path: '/r/.git/worktrees/t1', mode: 'rw' },
      // Where the worktree's git data is: never the command's to point elsewhere.
      { path: '/r/.baton/worktrees/t1/.git', mode: 'ro' },
      { path: '/r/.git/worktrees/t1/commondir', mode: 'ro' },
      { path: '/r/.git/worktrees/t1/gitdir', mode: 'ro' },
      { path: '/r/.git/logs/refs/heads/main', mode: 'ro' },
    ]);
  });

  it('keeps the whole worktree root read-only but for the task’s own worktree, when worktrees live outside the checkout', () => {
    const policy = worktreeContainmentPolicy({ mainCheckout: '/r', gitCommonDir: '/r/.git', worktree: '/wt/t1', worktreeGitDir: '/r/.git/worktrees/t1', worktreeRoot: '/wt' });
    expect(planMounts(policy).filter((step) => step.path.startsWith('/wt'))).toEqual([
      { path: '/wt', mode: 'ro' },
      { path: '/wt/t1', mode: 'rw' },
      { path: '/wt/t1/.git', mode: 'ro' },
    ]);
  });

  it('lists the board, hooks and config itself, for a git directory outside the checkout', () => {
    const policy = worktreeContainmentPolicy({ mainCheckout: '/r', gitCommonDir: '/g', worktree: '/w', worktreeGitDir: '/g/worktrees/w' });
    expect(policy.readOnly).toEqual(expect.arrayContaining(['/g', '/g/baton', '/g/hooks', '/g/config']));
    expect(planMounts(policy).map((step) => `${step.mode} ${step.path}`)).toEqual([
      'ro /g',
      'ro /r',
      'rw /g/lfs',
      'rw /g/logs',
      'rw /g/objects',
      'rw /g/packed-refs',
      'rw /g/refs',
      'ro /w/.git',
      'rw /g/worktrees/w',
      'ro /g/worktrees/w/commondir',
      'ro /g/worktrees/w/gitdir',
    ]);
  });
});
