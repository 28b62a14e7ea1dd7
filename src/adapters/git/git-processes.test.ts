import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from 'node:process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../../../test/helpers/baton.js';
import { GitWorkspace } from './git-workspace.js';

/*
 * Every git process is a run's own time (a Node spawn, git's start-up): the runner asks each
 * question once. Counted from git's own trace (GIT_TRACE2_EVENT), which git writes for every
 * process it starts.
 */
describe('git processes the workspace starts', () => {
  let repo: ReturnType<typeof makeRepo>;
  let traceDir: string;
  let trace: string;
  let workspace: GitWorkspace;
  let base: string;
  // A name no other test file used: the workspace remembers names git accepted, for the whole process.
  const branch = `baton/1-task-${randomUUID().slice(0, 8)}`;

  beforeEach(() => {
    repo = makeRepo('baton-git-processes-');
    mkdirSync(join(repo.dir, 'src'), { recursive: true });
    for (let index = 0; index < 120; index++) writeFileSync(join(repo.dir, 'src', `file-${index}.txt`), `file ${index}\n`);
    git(repo.dir, ['add', '-A']);
    git(repo.dir, ['commit', '-q', '-m', 'base']);
    base = git(repo.dir, ['rev-parse', 'HEAD']).trim();
    traceDir = mkdtempSync(join(tmpdir(), 'baton-git-trace-'));
    trace = join(traceDir, 'trace.jsonl');
    workspace = new GitWorkspace({ env: { ...env, GIT_TRACE2_EVENT: trace } });
  });
  afterEach(() => {
    repo.cleanup();
    rmSync(traceDir, { recursive: true, force: true });
  });

  /** The argv of each git process baton started (not those git started itself), from the trace. */
  const started = (): string[][] =>
    readFileSync(trace, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { event: string; sid: string; argv?: string[] })
      .filter((event) => event.event === 'start' && !event.sid.includes('/'))
      .map((event) => event.argv ?? []);
  const named = (command: string): string[][] => started().filter((argv) => argv.includes(command));

  it('checks the branch name once for the plan and the worktree, and adds the worktree with one command', async () => {
    const wt = join(repo.dir, '.baton', 'worktrees', '1-task');
    await workspace.assertWorktreeAvailable(repo.dir, { path: wt, branch, base: 'main' });
    await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' });
    expect(named('check-ref-format')).toHaveLength(1);
    const add = named('worktree').filter((argv) => argv.includes('add'));
    expect(add).toHaveLength(1);
  });

  it('resolves a commit asked about by several reads at once with one process, and a full id\'s tree once', async () => {
    const wt = join(repo.dir, '.baton', 'worktrees', '1-task');
    await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' });
    writeFileSync(join(wt, 'src', 'file-1.txt'), 'changed\n');
    await workspace.snapshotTree(wt);
    rmSync(trace, { force: true });
    await Promise.all([workspace.changes(wt, base), workspace.diff(wt, base), workspace.addedLines(wt, base)]);
    expect(named('rev-parse')).toHaveLength(1);
    rmSync(trace, { force: true });
    const trees = [await workspace.treeOf(wt, base), await workspace.treeOf(wt, base)];
    expect(trees[0]).toBe(trees[1]);
    expect(named('rev-parse')).toHaveLength(1);
  });
});
