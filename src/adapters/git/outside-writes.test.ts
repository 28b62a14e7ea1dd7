import { mkdirSync, realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env } from 'node:process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../../../test/helpers/baton.js';
import { GitWorkspace } from './git-workspace.js';

const workspace = new GitWorkspace({ env });

function write(dir: string, path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

describe('outside writes', () => {
  let repo: ReturnType<typeof makeRepo>;
  let main: string;
  let wt: string;
  let other: string;

  beforeEach(async () => {
    repo = makeRepo('baton-outside-');
    main = realpathSync(repo.dir);
    write(main, '.gitignore', 'ignored.log\n');
    write(main, 'a.txt', 'base\n');
    write(main, 'dirty.txt', 'base\n');
    git(main, ['add', '-A']);
    git(main, ['commit', '-q', '-m', 'base']);
    wt = join(main, '.baton', 'worktrees', '1-task');
    other = join(main, '.baton', 'worktrees', '2-other');
    await workspace.prepareWorktree(main, { path: wt, branch: 'baton/1-task', base: 'main' });
    await workspace.prepareWorktree(main, { path: other, branch: 'baton/2-other', base: 'main' });
    // The person was already editing this file before the attempt.
    write(main, 'dirty.txt', 'the person is editing\n');
  });
  afterEach(() => repo.cleanup());

  const snapshot = () => workspace.snapshotOutside(main, { exclude: [wt] });

  it("is empty when nothing outside the task's worktree was written, whatever happened inside it", async () => {
    const before = await snapshot();
    write(wt, 'a.txt', 'the agent works here\n');
    write(wt, 'new.txt', 'and here\n');
    write(main, 'ignored.log', 'ignored files are not watched\n');
    expect(workspace.compareOutside(before, await snapshot())).toEqual([]);
    expect(before.worktrees.map((state) => state.path)).toEqual([main, other]);
  });

  it('names files written by absolute path into the main checkout and into another worktree', async () => {
    const before = await snapshot();
    write(main, 'a.txt', 'written from the task worktree\n');
    write(main, 'planted/new.txt', 'new\n');
    write(other, 'a.txt', "into another task's worktree\n");
    rmSync(join(other, 'dirty.txt'));

    expect(workspace.compareOutside(before, await snapshot())).toEqual([
      { worktree: main, state: 'changed', paths: [join(main, 'a.txt'), join(main, 'planted/new.txt')], headMoved: null },
      { worktree: other, state: 'changed', paths: [join(other, 'a.txt'), join(other, 'dirty.txt')], headMoved: null },
    ]);
  });

  it('sees a second write to a file that was already dirty, even one that keeps its size and time', async () => {
    const file = join(main, 'dirty.txt');
    const before = await snapshot();
    write(main, 'dirty.txt', 'the agent is editing\n'.padEnd('the person is editing\n'.length, ' '));
    const time = new Date(before.worktrees[0]?.dirty['dirty.txt']?.mtimeMs as number);
    utimesSync(file, time, time);
    expect(workspace.compareOutside(before, await snapshot())).toEqual([{ worktree: main, state: 'changed', paths: [file], headMoved: null }]);
  });

  it('sees a commit in the main checkout, and a worktree removed or added', async () => {
    const before = await snapshot();
    git(main, ['commit', '-q', '-am', 'committed by someone']);
    git(main, ['worktree', 'remove', '--force', other]);
    const added = join(main, '.baton', 'worktrees', '3-new');
    git(main, ['worktree', 'add', '-q', '-b', 'agent-made', added]);
    write(added, 'x.txt', 'x\n');
    const writes = workspace.compareOutside(before, await snapshot());
    expect(writes.map((write) => [write.worktree, write.state, write.paths])).toEqual([
      [main, 'changed', [join(main, 'dirty.txt')]],
      [other, 'disappeared', []],
      [added, 'appeared', [join(added, 'x.txt')]],
    ]);
    expect(writes[0]?.headMoved?.from).toMatch(/^branch\.oid [0-9a-f]{40}\nbranch\.head main$/);
    expect(writes[0]?.headMoved?.to).not.toBe(writes[0]?.headMoved?.from);
  });

  it("leaves out the task's worktree where it shows in the main checkout (a worktree root that is not ignored)", async () => {
    const inside = join(main, 'worktrees', '4-task');
    await workspace.prepareWorktree(main, { path: inside, branch: 'baton/4-task', base: 'main' });
    const before = await workspace.snapshotOutside(main, { exclude: [inside] });
    expect(Object.keys(before.worktrees[0]?.dirty ?? {})).toEqual(['dirty.txt']);
    write(inside, 'top.txt', 'the agent works at the top of its worktree\n');
    expect(workspace.compareOutside(before, await workspace.snapshotOutside(main, { exclude: [inside] }))).toEqual([]);
  });

  // How fast a snapshot is on a 5,000-file repository is measured by `npm run bench:runner`,
  // not asserted here: a loaded machine would make a time limit flaky.
  it('finds the one file written among a thousand', async () => {
    for (let dir = 0; dir < 20; dir++) {
      mkdirSync(join(main, `pkg${dir}`));
      for (let file = 0; file < 50; file++) writeFileSync(join(main, `pkg${dir}`, `f${file}.ts`), `export const v${file} = ${dir};\n`);
    }
    git(main, ['add', '-A']);
    git(main, ['commit', '-q', '-m', '1000 files']);
    git(other, ['merge', '-q', '--ff-only', 'main']);
    const before = await snapshot();
    write(main, 'pkg7/f7.ts', 'changed\n');
    expect(workspace.compareOutside(before, await snapshot()).flatMap((write) => write.paths)).toEqual([join(main, 'pkg7/f7.ts')]);
  });
});
