import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from 'node:process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../../../test/helpers/baton.js';
import { GitWorkspace } from './git-workspace.js';
import { RepoGuard, type RepoChange } from './repo-guard.js';

const branch = 'baton/1-task';

function write(dir: string, path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

/** Every path under `dir` with its kind, permission bits and bytes: equal means byte for byte. */
function treeState(dir: string): string[] {
  if (!existsSync(dir)) return ['(absent)'];
  const lines: string[] = [];
  const walk = (path: string, name: string): void => {
    const info = lstatSync(path);
    const mode = (info.mode & 0o7777).toString(8);
    if (info.isDirectory()) {
      lines.push(`${name}/ ${mode}`);
      for (const child of readdirSync(path).sort()) walk(join(path, child), `${name}/${child}`);
    } else if (info.isSymbolicLink()) lines.push(`${name} -> link`);
    else lines.push(`${name} ${mode} ${readFileSync(path).toString('base64')}`);
  };
  walk(dir, '.');
  return lines;
}

const texts = (changes: RepoChange[]): string[] => changes.map((change) => change.text);

describe('RepoGuard', () => {
  let repo: ReturnType<typeof makeRepo>;
  let home: string;
  let guard: RepoGuard;
  let workspace: GitWorkspace;
  let wt: string;
  let checkpoint: string;
  let dotGit: string;

  beforeEach(async () => {
    repo = makeRepo('baton-repo-guard-');
    home = mkdtempSync(join(tmpdir(), 'baton-guard-home-'));
    const guardEnv: Record<string, string | undefined> = { ...env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), GIT_CONFIG_NOSYSTEM: '1' };
    delete guardEnv.GIT_CONFIG_GLOBAL;
    guard = new RepoGuard({ env: guardEnv });
    workspace = new GitWorkspace({ env: guardEnv });
    dotGit = join(repo.dir, '.git');
    write(repo.dir, 'a.txt', 'base\n');
    git(repo.dir, ['add', '-A']);
    git(repo.dir, ['commit', '-q', '-m', 'base']);
    git(repo.dir, ['branch', 'feature']);
    git(repo.dir, ['tag', 'v1']);
    write(dotGit, 'hooks/pre-commit', '#!/bin/sh\n# the person\'s own hook\nexit 0\n');
    chmodSync(join(dotGit, 'hooks/pre-commit'), 0o755);
    wt = join(repo.dir, '.baton', 'worktrees', '1-task');
    checkpoint = (await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' })).head;
  });
  afterEach(() => {
    repo.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it('finds nothing when the agent only worked in its files and on its own branch', async () => {
    const snapshot = await guard.snapshot(wt, { branch });
    write(wt, 'a.txt', 'work\n');
    git(wt, ['commit', '-q', '-am', 'agent commit on the task branch']);
    expect(await guard.verifyAndRestore(snapshot)).toEqual([]);
  });

  it('removes planted hooks and puts changed ones back, byte for byte and mode for mode', async () => {
    const hooksBefore = treeState(join(dotGit, 'hooks'));
    const snapshot = await guard.snapshot(wt, { branch });
    write(dotGit, 'hooks/post-commit', '#!/bin/sh\ngit commit --amend --no-edit -a\n');
    chmodSync(join(dotGit, 'hooks/post-commit'), 0o755);
    write(dotGit, 'hooks/pre-commit', '#!/bin/sh\necho pwned\n');
    chmodSync(join(dotGit, 'hooks/pre-commit'), 0o700);
    write(dotGit, 'hooks/lib/helper.sh', 'echo helper\n');

    const changes = await guard.verifyAndRestore(snapshot);
    expect(texts(changes)).toEqual([
      '.git/hooks/lib was added; put back',
      '.git/hooks/lib/helper.sh was added; put back',
      '.git/hooks/post-commit was added; put back',
      '.git/hooks/pre-commit was changed; put back',
    ]);
    expect(changes.every((change) => change.restored)).toBe(true);
    expect(treeState(join(dotGit, 'hooks'))).toEqual(hooksBefore);
  });

  it('restores a hooks directory replaced by a symbolic link, and one the config names', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'baton-guard-hooks-'));
    try {
      write(shared, 'post-merge', '#!/bin/sh\nexit 0\n');
      git(repo.dir, ['config', 'core.hooksPath', shared]);
      const hooksBefore = treeState(join(dotGit, 'hooks'));
      const sharedBefore = treeState(shared);
      const snapshot = await guard.snapshot(wt, { branch });
      const elsewhere = mkdtempSync(join(tmpdir(), 'baton-guard-evil-'));
      write(elsewhere, 'post-commit', '#!/bin/sh\necho evil\n');
      rmSync(join(dotGit, 'hooks'), { recursive: true });
      symlinkSync(elsewhere, join(dotGit, 'hooks'));
      write(shared, 'post-commit', '#!/bin/sh\necho evil\n');

      const changes = await guard.verifyAndRestore(snapshot);
      expect(texts(changes)).toContain('.git/hooks was changed; put back');
      expect(texts(changes)).toContain(`${join(shared, 'post-commit')} was added; put back`);
      expect(treeState(join(dotGit, 'hooks'))).toEqual(hooksBefore);
      expect(treeState(shared)).toEqual(sharedBefore);
      // The link's target is the agent's; the guard removed the link, not what it pointed at.
      expect(existsSync(join(elsewhere, 'post-commit'))).toBe(true);
      rmSync(elsewhere, { recursive: true, force: true });
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('puts back the common config, the worktree config and the global config, so a planted clean filter never runs', async () => {
    const marker = join(home, 'filter-ran');
    write(home, '.gitconfig', '[user]\n\tname = Global Person\n');
    const configBefore = readFileSync(join(dotGit, 'config'));
    const snapshot = await guard.snapshot(wt, { branch });
    git(wt, ['config', 'core.hooksPath', '/tmp/agent-hooks']);
    git(wt, ['config', 'filter.sneak.clean', `sh -c 'echo ran >> ${marker}; cat'`]);
    git(wt, ['config', 'core.fsmonitor', '/tmp/agent-fsmonitor']);
    git(wt, ['config', 'alias.ci', '!echo pwned']);
    git(wt, ['config', 'extensions.worktreeConfig', 'true']);
    git(wt, ['config', '--worktree', 'core.worktree', '/tmp']);
    write(home, '.gitconfig', '[filter "global"]\n\tclean = touch /tmp/pwned\n');
    write(dotGit, 'info/attributes', '* filter=sneak\n');
    write(wt, '.gitattributes', '* filter=sneak\n');

    const changes = await guard.verifyAndRestore(snapshot);
    expect(texts(changes).sort()).toEqual([
      '.git/config was changed; put back',
      '.git/info/attributes was added; put back',
      '.git/worktrees/1-task/config.worktree was added; put back',
      `${join(home, '.gitconfig')} was changed; put back`,
    ]);
    expect(readFileSync(join(dotGit, 'config')).equals(configBefore)).toBe(true);
    expect(readFileSync(join(home, '.gitconfig'), 'utf8')).toBe('[user]\n\tname = Global Person\n');
    expect(existsSync(join(dotGit, 'worktrees', '1-task', 'config.worktree'))).toBe(false);
    // The worktree's own .gitattributes still names the filter, but no config defines it any more.
    await workspace.stageAll(wt);
    git(wt, ['add', '-A']);
    expect(existsSync(marker)).toBe(false);
  });

  it("puts back the worktree's .git pointer, so baton's git cannot be sent to another repository", async () => {
    const pointer = readFileSync(join(wt, '.git'), 'utf8');
    const snapshot = await guard.snapshot(wt, { branch });
    const fake = makeRepo('baton-guard-fake-');
    try {
      writeFileSync(join(wt, '.git'), `gitdir: ${join(fake.dir, '.git')}\n`);
      const changes = await guard.verifyAndRestore(snapshot);
      expect(texts(changes)).toEqual(['.baton/worktrees/1-task/.git was changed; put back']);
      expect(readFileSync(join(wt, '.git'), 'utf8')).toBe(pointer);
    } finally {
      fake.cleanup();
    }
  });

  it('puts back refs moved, deleted or created, keeping what they held', async () => {
    const main = git(repo.dir, ['rev-parse', 'main']).trim();
    const snapshot = await guard.snapshot(wt, { branch });
    write(wt, 'a.txt', 'agent\n');
    git(wt, ['commit', '-q', '-am', 'agent']);
    const agent = git(wt, ['rev-parse', 'HEAD']).trim();
    git(wt, ['update-ref', 'refs/heads/main', agent]);
    git(wt, ['branch', '-q', '-D', 'feature']);
    git(wt, ['tag', 'planted']);
    git(wt, ['stash', 'list']);

    const changes = await guard.verifyAndRestore(snapshot, { evidencePrefix: 'refs/baton/runs/1/1/attempt-1/refs' });
    expect(texts(changes)).toEqual([
      `refs/heads/feature was deleted (it was at ${main.slice(0, 12)}); put back`,
      `refs/heads/main was moved from ${main.slice(0, 12)} to ${agent.slice(0, 12)}; put back (the value it had is kept as refs/baton/runs/1/1/attempt-1/refs/refs/heads/main)`,
      `refs/tags/planted was created at ${agent.slice(0, 12)}; put back (the value it had is kept as refs/baton/runs/1/1/attempt-1/refs/refs/tags/planted)`,
    ]);
    expect(git(repo.dir, ['rev-parse', 'main', 'feature']).split('\n').filter(Boolean)).toEqual([main, main]);
    expect(git(repo.dir, ['tag', '--list'])).toBe('v1\n');
    expect(git(repo.dir, ['rev-parse', 'refs/baton/runs/1/1/attempt-1/refs/refs/heads/main']).trim()).toBe(agent);
    // The task branch is the branch guard's: it keeps the agent's commit here.
    expect(git(wt, ['rev-parse', 'HEAD']).trim()).toBe(agent);
    expect(git(repo.dir, ['status', '--porcelain'])).toBe('');
  });

  it("puts back baton's own refs (kept work) an attempt deleted or moved; those another run made meanwhile stay", async () => {
    const main = git(repo.dir, ['rev-parse', 'main']).trim();
    git(repo.dir, ['update-ref', 'refs/baton/runs/b/1/1/attempt-1/reverted', main]);
    git(repo.dir, ['update-ref', 'refs/baton/runs/b/2/1/left-uncommitted', main]);
    const snapshot = await guard.snapshot(wt, { branch });
    write(wt, 'a.txt', 'agent\n');
    git(wt, ['commit', '-q', '-am', 'agent']);
    const agent = git(wt, ['rev-parse', 'HEAD']).trim();
    git(wt, ['update-ref', '-d', 'refs/baton/runs/b/1/1/attempt-1/reverted']);
    git(wt, ['update-ref', 'refs/baton/runs/b/2/1/left-uncommitted', agent]);
    git(repo.dir, ['update-ref', 'refs/baton/runs/b/3/1/attempt-1/reverted', main]);

    const changes = await guard.verifyAndRestore(snapshot, { evidencePrefix: 'refs/baton/x' });
    expect(texts(changes)).toEqual([
      `refs/baton/runs/b/1/1/attempt-1/reverted was deleted (it was at ${main.slice(0, 12)}); put back`,
      `refs/baton/runs/b/2/1/left-uncommitted was moved from ${main.slice(0, 12)} to ${agent.slice(0, 12)}; put back (the value it had is kept as refs/baton/x/refs/baton/runs/b/2/1/left-uncommitted)`,
    ]);
    const refs = ['refs/baton/runs/b/1/1/attempt-1/reverted', 'refs/baton/runs/b/2/1/left-uncommitted', 'refs/baton/runs/b/3/1/attempt-1/reverted'];
    expect(git(repo.dir, ['rev-parse', ...refs]).split('\n').filter(Boolean)).toEqual([main, main, main]);
  });

  it('deletes a branch the agent switched to, leaving HEAD detached there for the branch guard', async () => {
    const snapshot = await guard.snapshot(wt, { branch });
    git(wt, ['switch', '-q', '-c', 'elsewhere']);
    write(wt, 'b.txt', 'elsewhere\n');
    git(wt, ['add', '-A']);
    git(wt, ['commit', '-q', '-m', 'elsewhere']);
    const agent = git(wt, ['rev-parse', 'HEAD']).trim();

    const changes = await guard.verifyAndRestore(snapshot, { evidencePrefix: 'refs/baton/x' });
    expect(texts(changes)).toEqual([`refs/heads/elsewhere was created at ${agent.slice(0, 12)}; put back (the value it had is kept as refs/baton/x/refs/heads/elsewhere)`]);
    expect(git(wt, ['branch', '--list', 'elsewhere'])).toBe('');
    const verdict = await workspace.verifyBranch(wt, { branch, checkpoint });
    expect(verdict).toEqual({ ok: false, what: `HEAD is detached at ${agent.slice(0, 12)} (1 commit of the agent's own after the checkpoint)`, agentHead: agent });
    await workspace.restoreBranch(wt, { branch, checkpoint, evidenceRef: 'refs/baton/x/agent-head' });
    expect(git(wt, ['symbolic-ref', 'HEAD']).trim()).toBe(`refs/heads/${branch}`);
    expect(git(wt, ['status', '--porcelain'])).toBe('?? b.txt\n');
  });

  it("leaves alone a person's commit in the main checkout and another run's commit in its worktree, reporting both", async () => {
    const other = join(repo.dir, '.baton', 'worktrees', '2-other');
    await workspace.prepareWorktree(repo.dir, { path: other, branch: 'baton/2-other', base: 'main' });
    const snapshot = await guard.snapshot(wt, { branch });
    write(repo.dir, 'a.txt', 'the person commits\n');
    git(repo.dir, ['commit', '-q', '-am', 'person']);
    const person = git(repo.dir, ['rev-parse', 'HEAD']).trim();
    write(other, 'b.txt', 'another run\n');
    await workspace.commitAll(other, 'checkpoint of another run');
    const otherRun = git(other, ['rev-parse', 'HEAD']).trim();

    const changes = await guard.verifyAndRestore(snapshot);
    expect(changes.map((change) => [change.kind === 'ref' && change.ref, change.restored])).toEqual([
      ['refs/heads/baton/2-other', false],
      ['refs/heads/main', false],
    ]);
    expect(texts(changes)[1]).toContain(`moved by work in ${repo.dir}`);
    expect(git(repo.dir, ['rev-parse', 'main', 'baton/2-other']).split('\n').filter(Boolean)).toEqual([person, otherRun]);
  });

  it("leaves alone another run's new task branch, and a ref another run's guard put back", async () => {
    const other = join(repo.dir, '.baton', 'worktrees', '2-other');
    await workspace.prepareWorktree(repo.dir, { path: other, branch: 'baton/2-other', base: 'main' });
    const feature = git(repo.dir, ['rev-parse', 'feature']).trim();
    const otherSnapshot = await guard.snapshot(other, { branch: 'baton/2-other' });
    // The other run's agent moves feature; this attempt starts while it is moved.
    write(other, 'x.txt', 'x\n');
    git(other, ['add', '-A']);
    git(other, ['commit', '-q', '-m', 'other agent']);
    git(other, ['update-ref', 'refs/heads/feature', 'HEAD']);
    const snapshot = await guard.snapshot(wt, { branch });
    expect(texts(await guard.verifyAndRestore(otherSnapshot))).toHaveLength(1);
    expect(git(repo.dir, ['rev-parse', 'feature']).trim()).toBe(feature);
    const third = join(repo.dir, '.baton', 'worktrees', '3-third');
    await workspace.prepareWorktree(repo.dir, { path: third, branch: 'baton/3-third', base: 'main' });

    const changes = await guard.verifyAndRestore(snapshot);
    expect(changes.map((change) => [change.kind === 'ref' && change.ref, change.restored])).toEqual([
      ['refs/heads/baton/3-third', false],
      ['refs/heads/feature', false],
    ]);
    expect(texts(changes)[1]).toContain("another baton run's guard put it back");
    expect(git(repo.dir, ['rev-parse', 'feature']).trim()).toBe(feature);
    expect(git(repo.dir, ['branch', '--list', 'baton/3-third'])).not.toBe('');
  });

  it('takes and checks a snapshot quickly', async () => {
    await guard.verifyAndRestore(await guard.snapshot(wt, { branch }));
    const started = performance.now();
    const snapshot = await guard.snapshot(wt, { branch });
    const taken = performance.now();
    expect(await guard.verifyAndRestore(snapshot)).toEqual([]);
    const checked = performance.now();
    console.log(`RepoGuard: snapshot ${(taken - started).toFixed(0)} ms, verifyAndRestore ${(checked - taken).toFixed(0)} ms`);
    expect(checked - started).toBeLessThan(1_000);
  });
});
