import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env } from 'node:process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../../../test/helpers/baton.js';
import { GitCli } from './git-cli.js';
import { locateRepository } from './repository.js';
import { GitCommandError, runGit } from './run-git.js';
import { stagedPaths } from './staged-paths.js';

const cli = (environment: NodeJS.ProcessEnv = env) => new GitCli({ env: environment });

function write(dir: string, path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

function commitAll(dir: string, message: string): string {
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', message]);
  return git(dir, ['rev-parse', 'HEAD']).trim();
}

const lines = (...values: string[]) => `${values.join('\n')}\n`;

/** What a careless git command could change: worktree status, index bytes, refs, HEADs. */
function snapshot(dirs: readonly string[]): string {
  const parts = dirs.map((dir) => {
    const location = locateRepository(dir);
    if (location === null) throw new Error(`${dir} is not a repository`);
    // Index bytes first: `git status` below reads with --no-optional-locks, so it cannot rewrite them.
    const index = createHash('sha256').update(readFileSync(join(location.gitDir, 'index'))).digest('hex');
    const status = git(dir, ['--no-optional-locks', 'status', '--porcelain=v1', '-uall']);
    const head = readFileSync(join(location.gitDir, 'HEAD'), 'utf8');
    return [dir, index, head, status].join('\n');
  });
  return [...parts, git(dirs[0] as string, ['for-each-ref'])].join('\n---\n');
}

describe('GitCli.footprint', () => {
  let repo: ReturnType<typeof makeRepo>;
  let wt: string;
  let branchPoint: string;

  beforeEach(() => {
    repo = makeRepo('baton-git-');
    write(repo.dir, '.gitignore', 'ignored.log\n');
    for (const name of ['a', 'b', 'c', 'd', 'e', 'keep']) write(repo.dir, `${name}.txt`, lines(name, 'two', 'three'));
    write(repo.dir, 'dir/f.txt', 'f\n');
    branchPoint = commitAll(repo.dir, 'base');
    wt = `${repo.dir}-wt`;
    git(repo.dir, ['worktree', 'add', '-q', '-b', 'feature', wt]);
  });
  afterEach(() => {
    repo.cleanup();
    rmSync(wt, { recursive: true, force: true });
  });

  /** Every kind of change a branch can carry, split over commits, the index and the working tree. */
  function changeEverything(): void {
    write(wt, 'a.txt', lines('a', 'changed', 'three'));
    git(wt, ['mv', 'b.txt', 'b-renamed.txt']);
    git(wt, ['rm', '-q', 'c.txt']);
    commitAll(wt, 'committed: modify, rename, delete');
    write(wt, 'd.txt', lines('d', 'staged'));
    git(wt, ['add', 'd.txt']);
    write(wt, 'staged-new.txt', 'new\n');
    git(wt, ['add', 'staged-new.txt']);
    write(wt, 'e.txt', lines('e', 'unstaged'));
    rmSync(join(wt, 'dir/f.txt'));
    write(wt, 'new/untracked.txt', 'untracked\n');
    write(wt, 'ignored.log', 'ignored\n');
  }

  const EXPECTED = ['a.txt', 'b-renamed.txt', 'b.txt', 'c.txt', 'd.txt', 'dir/f.txt', 'e.txt', 'new/untracked.txt', 'staged-new.txt'];

  it('lists committed, staged, unstaged, untracked, renamed and deleted files of a linked worktree', async () => {
    changeEverything();
    const footprint = await cli().footprint(wt, 'main');
    expect(footprint).toEqual({ worktree: wt, branch: 'feature', base: 'main', mergeBase: branchPoint, paths: EXPECTED });
  });

  it('gives the same repository-relative answer from a subdirectory', async () => {
    changeEverything();
    const footprint = await cli().footprint(join(wt, 'new'), 'main');
    expect(footprint.worktree).toBe(wt);
    expect(footprint.paths).toEqual(EXPECTED);
  });

  it('does not count what the base branch did after the branch point', async () => {
    write(wt, 'a.txt', 'branch change\n');
    commitAll(wt, 'branch');
    write(repo.dir, 'keep.txt', 'moved on\n');
    write(repo.dir, 'main-only.txt', 'main\n');
    commitAll(repo.dir, 'main moves on');
    const footprint = await cli().footprint(wt, 'main');
    expect(footprint.mergeBase).toBe(branchPoint);
    expect(footprint.paths).toEqual(['a.txt']);
    // The base's own worktree, on the base branch: nothing of its own but what is uncommitted.
    write(repo.dir, 'scratch.txt', 'x\n');
    expect((await cli().footprint(repo.dir, 'main')).paths).toEqual(['scratch.txt']);
  });

  it('names the base branch when it does not exist', async () => {
    await expect(cli().footprint(wt, 'no-such-branch')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining("'no-such-branch'") });
  });

  it('works when the branch and the base have several merge bases (criss-cross merges)', async () => {
    write(repo.dir, 'main.txt', 'main\n');
    commitAll(repo.dir, 'main work');
    git(repo.dir, ['branch', 'main-before']);
    write(wt, 'a.txt', 'branch\n');
    commitAll(wt, 'branch work');
    git(wt, ['branch', 'feature-before']);
    git(repo.dir, ['merge', '-q', '--no-edit', 'feature-before']);
    git(wt, ['merge', '-q', '--no-edit', 'main-before']);
    write(wt, 'b.txt', 'after the merges\n');
    commitAll(wt, 'more branch work');
    expect(git(wt, ['merge-base', '--all', 'HEAD', 'main']).trim().split('\n')).toHaveLength(2);
    const footprint = await cli().footprint(wt, 'main');
    expect(footprint.paths).toContain('b.txt');
    expect(footprint.mergeBase).toMatch(/^[0-9a-f]{40}$/);
  });

  it('refuses a worktree that was removed, even one nested in the main checkout', async () => {
    const nested = join(repo.dir, '.worktrees', 'gone');
    git(repo.dir, ['worktree', 'add', '-q', '-b', 'nested', nested]);
    write(repo.dir, 'scratch.txt', 'main checkout change\n');
    git(repo.dir, ['worktree', 'remove', '--force', nested]);
    await expect(cli().footprint(nested, 'main')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(nested) });
  });

  it('counts everything tracked on a branch unrelated to the base', async () => {
    git(wt, ['checkout', '-q', '--orphan', 'lonely']);
    git(wt, ['rm', '-rq', '--cached', '.']);
    rmSync(join(wt, 'a.txt'));
    write(wt, 'only.txt', 'x\n');
    git(wt, ['add', 'only.txt']);
    const footprint = await cli().footprint(wt, 'main');
    expect(footprint.mergeBase).toBeNull();
    expect(footprint.branch).toBe('lonely');
    expect(footprint.paths).toContain('only.txt');
    expect(footprint.paths).not.toContain('a.txt');
  });

  it('ignores GIT_DIR and GIT_INDEX_FILE inherited from a hook of another worktree', async () => {
    changeEverything();
    const other = makeRepo('baton-git-other-');
    try {
      write(other.dir, 'unrelated.txt', 'x\n');
      commitAll(other.dir, 'other');
      const hookEnv = { ...env, GIT_DIR: join(other.dir, '.git'), GIT_INDEX_FILE: join(other.dir, '.git', 'index'), GIT_WORK_TREE: other.dir };
      expect((await cli(hookEnv).footprint(wt, 'main')).paths).toEqual(EXPECTED);
    } finally {
      other.cleanup();
    }
  });

  it('changes no index, status, HEAD or ref in any worktree', async () => {
    changeEverything();
    // Fresh mtimes on tracked files: a command that refreshes and writes the index would now change it.
    const later = new Date(Date.now() + 5_000);
    for (const dir of [repo.dir, wt]) utimesSync(join(dir, 'keep.txt'), later, later);
    const before = snapshot([repo.dir, wt]);
    await cli().footprint(wt, 'main');
    await cli().footprint(repo.dir, 'main');
    await cli().predictMerge(repo.dir, 'main', 'feature');
    await cli().predictMany(repo.dir, 'main', ['feature']);
    expect(snapshot([repo.dir, wt])).toBe(before);
  });
});

describe('GitCli merge predictions', () => {
  let repo: ReturnType<typeof makeRepo>;

  /** x and y edit the same line of shared.txt; z touches only its own file; w deletes what x edits. */
  beforeEach(() => {
    repo = makeRepo('baton-merge-');
    write(repo.dir, 'shared.txt', lines('1', '2', '3', '4', '5', '6', '7', '8'));
    write(repo.dir, 'other.txt', 'other\n');
    write(repo.dir, 'gone.txt', 'gone\n');
    commitAll(repo.dir, 'base');
    const branch = (name: string, edit: () => void) => {
      git(repo.dir, ['checkout', '-q', '-b', name, 'main']);
      edit();
      commitAll(repo.dir, name);
    };
    branch('x', () => {
      write(repo.dir, 'shared.txt', lines('1', 'x', '3', '4', '5', '6', '7', '8'));
      write(repo.dir, 'gone.txt', 'x edits\n');
    });
    branch('y', () => write(repo.dir, 'shared.txt', lines('1', 'y', '3', '4', '5', '6', '7', '8')));
    branch('z', () => write(repo.dir, 'z.txt', 'z\n'));
    branch('w', () => {
      write(repo.dir, 'shared.txt', lines('1', '2', '3', '4', '5', '6', '7', 'w'));
      rmSync(join(repo.dir, 'gone.txt'));
    });
    git(repo.dir, ['checkout', '-q', 'main']);
  });
  afterEach(() => repo.cleanup());

  it('predicts a clean merge and conflicts with the paths that conflict', async () => {
    const before = snapshot([repo.dir]);
    expect(await cli().predictMerge(repo.dir, 'x', 'z')).toEqual({ conflicted: false, paths: [] });
    // Different lines of shared.txt merge cleanly; gone.txt is edited on x and deleted on w.
    expect(await cli().predictMerge(repo.dir, 'x', 'w')).toEqual({ conflicted: true, paths: ['gone.txt'] });
    expect(await cli().predictMerge(repo.dir, 'x', 'y')).toEqual({ conflicted: true, paths: ['shared.txt'] });
    expect(await cli().predictMerge(repo.dir, 'main', 'y')).toEqual({ conflicted: false, paths: [] });
    expect(snapshot([repo.dir])).toBe(before);
  });

  it('reports a bad revision as an error, not as a conflict', async () => {
    // merge-tree exits 1 for a bad revision too; only the missing tree tells it from a conflict.
    const failure = cli().predictMerge(repo.dir, 'x', 'no-such-branch');
    await expect(failure).rejects.toBeInstanceOf(GitCommandError);
    await expect(failure).rejects.toMatchObject({ exitCode: 1, stderrTail: expect.stringContaining('no-such-branch') });
    await expect(cli().predictMerge(repo.dir, 'x', '--output=/tmp/x')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(cli().predictMany(repo.dir, '-main', ['x'])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('predicts every branch against the base and every pair, in order', async () => {
    const results = await new GitCli({ env, parallelism: 2 }).predictMany(repo.dir, 'main', ['x', 'y', 'z', 'w', 'x']);
    const summary = results.map((r) => (r.kind === 'predicted' ? `${r.ours}+${r.theirs}:${r.paths.join(',') || 'clean'}` : `${r.ours}+${r.theirs}:failed`));
    expect(summary).toEqual([
      'main+x:clean', 'main+y:clean', 'main+z:clean', 'main+w:clean',
      'x+y:shared.txt', 'x+z:clean', 'x+w:gone.txt', 'y+z:clean', 'y+w:clean', 'z+w:clean',
    ]);
    // One answer per merge, whether git did them in one process or many.
    const single = await Promise.all(results.map((r) => cli().predictMerge(repo.dir, r.ours, r.theirs)));
    expect(results.map((r) => (r.kind === 'predicted' ? { conflicted: r.conflicted, paths: r.paths } : null))).toEqual(single);
  });

  it('fails only the pairs with a branch git cannot find', async () => {
    const results = await cli().predictMany(repo.dir, 'main', ['x', 'gone-branch', 'y']);
    const failed = results.filter((r) => r.kind === 'failed').map((r) => `${r.ours}+${r.theirs}`);
    expect(failed).toEqual(['main+gone-branch', 'x+gone-branch', 'gone-branch+y']);
    expect(results.find((r) => r.ours === 'x' && r.theirs === 'y')).toMatchObject({ kind: 'predicted', conflicted: true, paths: ['shared.txt'] });
  });
});

describe('GitCli.defaultBaseBranch, stagedPaths', () => {
  let repo: ReturnType<typeof makeRepo>;
  let wt: string;
  beforeEach(() => {
    repo = makeRepo('baton-base-');
    write(repo.dir, 'a.txt', 'a\n');
    commitAll(repo.dir, 'base');
    wt = `${repo.dir}-wt`;
    git(repo.dir, ['worktree', 'add', '-q', '-b', 'feature', wt]);
  });
  afterEach(() => {
    repo.cleanup();
    rmSync(wt, { recursive: true, force: true });
  });

  it('is the main worktree branch, seen from a linked worktree too', async () => {
    git(repo.dir, ['checkout', '-q', '-b', 'trunk']);
    expect(await cli().defaultBaseBranch(wt)).toBe('trunk');
    expect(await cli().defaultBaseBranch(repo.dir)).toBe('trunk');
  });

  it('falls back to main, then master, when the main worktree is detached', async () => {
    git(repo.dir, ['checkout', '-q', '--detach']);
    expect(await cli().defaultBaseBranch(wt)).toBe('main');
    git(repo.dir, ['branch', '-q', '-m', 'main', 'master']);
    expect(await cli().defaultBaseBranch(wt)).toBe('master');
    git(repo.dir, ['branch', '-q', '-m', 'master', 'trunk']);
    await expect(cli().defaultBaseBranch(wt)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reads the index a commit is being made from when GIT_INDEX_FILE names one', async () => {
    write(wt, 'partial.txt', 'p\n');
    write(wt, 'normal.txt', 'n\n');
    git(wt, ['add', 'normal.txt']);
    const alternate = join(repo.dir, '.git', 'baton-test-alternate-index');
    const location = locateRepository(wt);
    writeFileSync(alternate, readFileSync(join(location?.gitDir ?? '', 'index')));
    const added = spawnSync('git', ['add', 'partial.txt'], { cwd: wt, env: { ...env, GIT_INDEX_FILE: alternate } });
    expect(added.status).toBe(0);
    expect(await stagedPaths(wt, env)).toEqual(['normal.txt']);
    expect(await stagedPaths(join(wt, 'sub'), { ...env, GIT_INDEX_FILE: alternate })).toEqual(['normal.txt', 'partial.txt']);
  });
});

describe('runGit', () => {
  let repo: ReturnType<typeof makeRepo>;
  beforeEach(() => (repo = makeRepo('baton-run-')));
  afterEach(() => repo.cleanup());

  it('carries the command, exit code and stderr of a failure', async () => {
    const failure = runGit(['rev-parse', '--verify', 'nothing-here'], { cwd: repo.dir });
    await expect(failure).rejects.toMatchObject({
      code: 'FAILED',
      command: 'git rev-parse --verify nothing-here',
      exitCode: 128,
      signal: null,
      timedOut: false,
      stderrTail: expect.stringContaining('Needed a single revision'),
    });
  });

  it('feeds stdin when given and closes it otherwise', async () => {
    const hashed = await runGit(['hash-object', '--stdin'], { cwd: repo.dir, input: 'hello\n' });
    expect(hashed.stdout.trim()).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    // With stdin closed, a command that reads it sees end of input at once instead of hanging.
    const empty = await runGit(['hash-object', '--stdin'], { cwd: repo.dir, timeoutMs: 10_000 });
    expect(empty.stdout.trim()).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
  });

  it('kills a command that outlives its timeout', async () => {
    const started = Date.now();
    const failure = runGit(['-c', 'alias.nap=!exec sleep 5 >/dev/null 2>&1', 'nap'], { cwd: repo.dir, timeoutMs: 300 });
    await expect(failure).rejects.toMatchObject({ timedOut: true, message: expect.stringContaining('timed out after 300 ms') });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('says when git cannot be started', async () => {
    const missing = join(repo.dir, 'no-such-dir');
    expect(existsSync(missing)).toBe(false);
    await expect(runGit(['status'], { cwd: missing })).rejects.toMatchObject({
      code: 'FAILED',
      exitCode: null,
      message: expect.stringContaining(`could not start: git is not on PATH, or the directory does not exist`),
    });
  });
});
