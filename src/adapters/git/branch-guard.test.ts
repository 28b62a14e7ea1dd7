import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env } from 'node:process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../../../test/helpers/baton.js';
import { GitWorkspace } from './git-workspace.js';

const workspace = new GitWorkspace({ env });
const branch = 'baton/1-task';
const evidenceRef = 'refs/baton/runs/1/1/attempt-1/agent-head';

function write(dir: string, path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

function agentCommit(dir: string, path: string, text: string): string {
  write(dir, path, text);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', `agent: ${path}`]);
  return git(dir, ['rev-parse', 'HEAD']).trim();
}

/** A failed attempt's rebase stops with conflicts if given something to conflict with. */
function tryGit(cwd: string, args: string[]): void {
  try {
    git(cwd, args);
  } catch {
    // The conflict is the point.
  }
}

describe('the branch guard', () => {
  let repo: ReturnType<typeof makeRepo>;
  let wt: string;
  let checkpoint: string;

  beforeEach(async () => {
    repo = makeRepo('baton-branch-guard-');
    write(repo.dir, 'a.txt', 'base\n');
    git(repo.dir, ['add', '-A']);
    git(repo.dir, ['commit', '-q', '-m', 'base']);
    wt = join(repo.dir, '.baton', 'worktrees', '1-task');
    await workspace.prepareWorktree(repo.dir, { path: wt, branch, base: 'main' });
    write(wt, 'a.txt', 'first attempt\n');
    write(wt, 'kept.txt', 'from the checkpoint\n');
    checkpoint = (await workspace.commitAll(wt, 'checkpoint 1')) as string;
  });
  afterEach(() => repo.cleanup());

  const expectation = () => ({ branch, checkpoint });
  const onBranchAtCheckpoint = (): void => {
    expect(git(wt, ['symbolic-ref', 'HEAD']).trim()).toBe(`refs/heads/${branch}`);
    expect(git(wt, ['rev-parse', 'HEAD']).trim()).toBe(checkpoint);
  };
  const stagedNothing = (): void => expect(git(wt, ['diff', '--cached', '--name-only'])).toBe('');

  it('is ok when the agent only changed files, and restoring then changes nothing', async () => {
    write(wt, 'a.txt', 'uncommitted\n');
    expect(await workspace.verifyBranch(wt, expectation())).toEqual({ ok: true });
    expect(await workspace.restoreBranch(wt, { ...expectation(), evidenceRef })).toEqual({ kept: [] });
    onBranchAtCheckpoint();
    expect(readFileSync(join(wt, 'a.txt'), 'utf8')).toBe('uncommitted\n');
    expect(git(wt, ['for-each-ref', 'refs/baton/'])).toBe('');
  });

  it('sees a switch to a new branch with a commit, and brings HEAD back keeping the work as uncommitted', async () => {
    git(wt, ['switch', '-q', '-c', 'elsewhere']);
    const agentHead = agentCommit(wt, 'b.txt', 'work on another branch\n');
    expect(await workspace.verifyBranch(wt, expectation())).toEqual({ ok: false, what: "HEAD was switched to branch elsewhere (1 commit of the agent's own after the checkpoint)", agentHead });

    expect(await workspace.restoreBranch(wt, { ...expectation(), evidenceRef })).toEqual({ kept: [{ ref: evidenceRef, commit: agentHead }] });
    onBranchAtCheckpoint();
    stagedNothing();
    expect(git(wt, ['rev-parse', evidenceRef]).trim()).toBe(agentHead);
    expect(readFileSync(join(wt, 'b.txt'), 'utf8')).toBe('work on another branch\n');
    expect(git(wt, ['status', '--porcelain'])).toBe('?? b.txt\n');
    expect(await workspace.verifyBranch(wt, expectation())).toEqual({ ok: true });
  });

  it('sees a detached HEAD', async () => {
    git(wt, ['switch', '-q', '--detach']);
    const agentHead = agentCommit(wt, 'b.txt', 'detached work\n');
    const verdict = await workspace.verifyBranch(wt, expectation());
    expect(verdict).toEqual({ ok: false, what: `HEAD is detached at ${agentHead.slice(0, 12)} (1 commit of the agent's own after the checkpoint)`, agentHead });
    await workspace.restoreBranch(wt, { ...expectation(), evidenceRef });
    onBranchAtCheckpoint();
    stagedNothing();
    expect(git(wt, ['status', '--porcelain'])).toBe('?? b.txt\n');
  });

  it('sees the branch reset to before the checkpoint, and restores the branch but not the files', async () => {
    git(wt, ['reset', '-q', '--hard', 'HEAD~1']);
    const older = git(wt, ['rev-parse', 'HEAD']).trim();
    expect(await workspace.verifyBranch(wt, expectation())).toEqual({ ok: false, what: 'the branch was reset to an older commit', agentHead: older });

    await workspace.restoreBranch(wt, { ...expectation(), evidenceRef });
    onBranchAtCheckpoint();
    stagedNothing();
    // The files are as the agent left them: the checkpoint's work now shows as undone.
    expect(existsSync(join(wt, 'kept.txt'))).toBe(false);
    expect(git(wt, ['status', '--porcelain']).split('\n').filter(Boolean).sort()).toEqual([' D kept.txt', ' M a.txt']);
    expect(git(wt, ['rev-parse', evidenceRef]).trim()).toBe(older);
  });

  it("sees the agent's own commits on the branch; their content stays for baton to commit in their place", async () => {
    agentCommit(wt, 'b.txt', 'one\n');
    const agentHead = agentCommit(wt, 'c.txt', 'two\n');
    expect(await workspace.verifyBranch(wt, expectation())).toEqual({ ok: false, what: 'the agent committed 2 commits of its own on the branch', agentHead });

    await workspace.restoreBranch(wt, { ...expectation(), evidenceRef });
    onBranchAtCheckpoint();
    expect(git(wt, ['status', '--porcelain']).split('\n').filter(Boolean).sort()).toEqual(['?? b.txt', '?? c.txt']);
    const commit = (await workspace.commitAll(wt, 'baton: attempt 2')) as string;
    expect(git(wt, ['rev-parse', 'HEAD^']).trim()).toBe(checkpoint);
    expect(git(wt, ['rev-parse', `${commit}^{tree}`]).trim()).toBe(git(wt, ['rev-parse', `${agentHead}^{tree}`]).trim());
    expect(git(wt, ['log', '-1', '--format=%B']).trim()).toBe('baton: attempt 2');
  });

  it('sees a rebase that rewrote the branch', async () => {
    write(repo.dir, 'main.txt', 'main moved on\n');
    git(repo.dir, ['add', '-A']);
    git(repo.dir, ['commit', '-q', '-m', 'main moves']);
    agentCommit(wt, 'b.txt', 'agent work\n');
    git(wt, ['rebase', '-q', 'main']);
    const agentHead = git(wt, ['rev-parse', 'HEAD']).trim();
    expect(await workspace.verifyBranch(wt, expectation())).toEqual({
      ok: false,
      what: 'the branch was rewritten and no longer contains the checkpoint (a rebase, an amend, or a reset to other commits)',
      agentHead,
    });
    await workspace.restoreBranch(wt, { ...expectation(), evidenceRef });
    onBranchAtCheckpoint();
    stagedNothing();
    expect(git(wt, ['status', '--porcelain']).split('\n').filter(Boolean).sort()).toEqual(['?? b.txt', '?? main.txt']);
  });

  it('sees a rebase stopped on a conflict, abandons it and clears the conflict from the index, files untouched', async () => {
    write(repo.dir, 'a.txt', 'main changed it\n');
    git(repo.dir, ['add', '-A']);
    git(repo.dir, ['commit', '-q', '-m', 'main moves']);
    tryGit(wt, ['rebase', '-q', 'main']);
    expect(git(wt, ['ls-files', '-u'])).not.toBe('');
    const verdict = await workspace.verifyBranch(wt, expectation());
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.what).toMatch(/^HEAD is detached at [0-9a-f]{12} \(on commits that do not contain the checkpoint\); a rebase was left in progress$/);
    const conflicted = readFileSync(join(wt, 'a.txt'), 'utf8');
    expect(conflicted).toContain('<<<<<<<');

    await workspace.restoreBranch(wt, { ...expectation(), evidenceRef });
    onBranchAtCheckpoint();
    stagedNothing();
    expect(git(wt, ['ls-files', '-u'])).toBe('');
    expect(readFileSync(join(wt, 'a.txt'), 'utf8')).toBe(conflicted);
    expect(git(wt, ['status'])).not.toMatch(/rebase/i);
    expect(await workspace.verifyBranch(wt, expectation())).toEqual({ ok: true });
  });

  it('keeps the branch tip apart from HEAD when the agent moved both', async () => {
    const onBranch = agentCommit(wt, 'b.txt', 'on the branch\n');
    git(wt, ['switch', '-q', '-c', 'elsewhere']);
    const head = agentCommit(wt, 'c.txt', 'elsewhere\n');
    const verdict = await workspace.verifyBranch(wt, expectation());
    expect(!verdict.ok && verdict.what).toBe("HEAD was switched to branch elsewhere (2 commits of the agent's own after the checkpoint); the agent committed 1 commit of its own on the branch");
    const { kept } = await workspace.restoreBranch(wt, { ...expectation(), evidenceRef });
    expect(kept).toEqual([
      { ref: evidenceRef, commit: head },
      { ref: `${evidenceRef}-branch`, commit: onBranch },
    ]);
    onBranchAtCheckpoint();
  });

  it('sees the task branch deleted', async () => {
    git(wt, ['switch', '-q', '--detach']);
    git(wt, ['branch', '-q', '-D', branch]);
    const verdict = await workspace.verifyBranch(wt, expectation());
    expect(!verdict.ok && verdict.what).toBe(`HEAD is detached at ${checkpoint.slice(0, 12)}; the branch ${branch} was deleted`);
    await workspace.restoreBranch(wt, { ...expectation(), evidenceRef });
    onBranchAtCheckpoint();
  });
});
