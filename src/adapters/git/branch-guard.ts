import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { requireRepository } from './default-base-branch.js';
import type { GitRunner } from './resolve-commit.js';

/** Where the task's branch should be after an attempt: HEAD on `branch`, `branch` at `checkpoint`. */
export interface BranchExpectation {
  /** Short name, e.g. `baton/12-fix-login`. */
  branch: string;
  /** The commit the attempt started from. */
  checkpoint: string;
}

/**
 * `what` says in plain words everything that differs, `; `-separated. `agentHead` is the
 * commit HEAD was left at, null when HEAD names no commit (an orphan branch, a deleted one).
 */
export type BranchVerdict = { ok: true } | { ok: false; what: string; agentHead: string | null };

/** What git leaves in a worktree's git dir while an operation waits for the person. */
const OPERATIONS: readonly { files: readonly string[]; what: string }[] = [
  { files: ['rebase-merge', 'rebase-apply'], what: 'a rebase was left in progress' },
  { files: ['MERGE_HEAD'], what: 'a merge was left in progress' },
  { files: ['CHERRY_PICK_HEAD'], what: 'a cherry-pick was left in progress' },
  { files: ['REVERT_HEAD'], what: 'a revert was left in progress' },
  { files: ['BISECT_START', 'BISECT_LOG'], what: 'a bisect was left in progress' },
];
/** Removed on restore; with them gone, git no longer thinks an operation is under way. */
const OPERATION_STATE = ['rebase-merge', 'rebase-apply', 'sequencer', 'MERGE_HEAD', 'MERGE_MSG', 'MERGE_MODE', 'MERGE_RR', 'AUTO_MERGE', 'CHERRY_PICK_HEAD', 'REVERT_HEAD', 'BISECT_START', 'BISECT_LOG', 'BISECT_TERMS', 'BISECT_EXPECTED_REV', 'BISECT_NAMES', 'BISECT_ANCESTORS_OK', 'BISECT_RUN', 'BISECT_FIRST_PARENT', 'BISECT_HEAD'];

interface BranchState {
  cwd: string;
  gitDir: string;
  /** The ref HEAD is attached to, or null when detached. */
  headRef: string | null;
  headId: string | null;
  branchId: string | null;
}

/** Whether the attempt left HEAD on the task branch at its checkpoint, and if not, what it did. */
export async function verifyBranch(git: GitRunner, worktree: string, expected: BranchExpectation): Promise<BranchVerdict> {
  const state = await readState(git, worktree, expected.branch);
  const problems: string[] = [];
  const branchRef = `refs/heads/${expected.branch}`;
  if (state.headRef !== branchRef) {
    const where = state.headRef === null ? `HEAD is detached at ${short(state.headId)}` : `HEAD was switched to ${state.headRef.replace(/^refs\/heads\//, 'branch ')}`;
    const how = state.headId === null ? 'which has no commit' : describe(await relate(git, state.cwd, expected.checkpoint, state.headId));
    problems.push(state.headId === expected.checkpoint ? where : `${where} (${how})`);
  }
  if (state.branchId === null) problems.push(`the branch ${expected.branch} was deleted`);
  else if (state.branchId !== expected.checkpoint) problems.push(branchMove(await relate(git, state.cwd, expected.checkpoint, state.branchId)));
  for (const operation of OPERATIONS) {
    if (operation.files.some((file) => existsSync(join(state.gitDir, file)))) problems.push(operation.what);
  }
  return problems.length === 0 ? { ok: true } : { ok: false, what: problems.join('; '), agentHead: state.headId };
}

/**
 * Puts HEAD back on the task branch at the checkpoint without touching a file: whatever the
 * agent left in its files, committed elsewhere or not, becomes this attempt's uncommitted
 * work, for baton to judge and commit. Before that, the agent's HEAD is kept under
 * `evidenceRef`, and the branch tip, when it was somewhere else again, under
 * `<evidenceRef>-branch`. An operation left in progress (rebase, merge...) is abandoned, and
 * the index is reset to the checkpoint, which also clears unresolved conflicts.
 */
export async function restoreBranch(git: GitRunner, worktree: string, request: BranchExpectation & { evidenceRef: string }): Promise<{ kept: { ref: string; commit: string }[] }> {
  const state = await readState(git, worktree, request.branch);
  const kept: { ref: string; commit: string }[] = [];
  if (state.headId !== null && state.headId !== request.checkpoint) kept.push({ ref: request.evidenceRef, commit: state.headId });
  if (state.branchId !== null && state.branchId !== request.checkpoint && state.branchId !== state.headId) kept.push({ ref: `${request.evidenceRef}-branch`, commit: state.branchId });
  for (const { ref, commit } of kept) await git(['update-ref', '--create-reflog', '-m', 'baton: the agent left this', ref, commit], state.cwd);
  await Promise.all(OPERATION_STATE.map((name) => rm(join(state.gitDir, name), { recursive: true, force: true })));
  // HEAD first, then the branch through it: the move goes into this worktree's HEAD log too,
  // which tells another run's repository guard that this worktree moved its own branch.
  await git(['symbolic-ref', '-m', 'baton: back on the task branch', 'HEAD', `refs/heads/${request.branch}`], state.cwd);
  await git(['update-ref', '-m', 'baton: back to the checkpoint', 'HEAD', request.checkpoint, state.branchId ?? ''], state.cwd);
  await git(['reset', '--quiet', '--mixed', request.checkpoint, '--'], state.cwd);
  return { kept };
}

async function readState(git: GitRunner, worktree: string, branch: string): Promise<BranchState> {
  const location = requireRepository(worktree);
  const cwd = location.topLevel;
  const [symbolic, head, tip] = await Promise.all([
    git(['symbolic-ref', '--quiet', 'HEAD'], cwd, { okExitCodes: [0, 1] }),
    commitOrNull(git, cwd, 'HEAD'),
    commitOrNull(git, cwd, `refs/heads/${branch}`),
  ]);
  const headRef = symbolic.exitCode === 0 ? symbolic.stdout.trim() : null;
  return { cwd, gitDir: location.gitDir, headRef, headId: head, branchId: tip };
}

async function commitOrNull(git: GitRunner, cwd: string, revision: string): Promise<string | null> {
  const output = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`], cwd, { okExitCodes: [0, 1, 128] });
  return output.exitCode === 0 ? output.stdout.trim() : null;
}

type Relation = { kind: 'same' } | { kind: 'ahead'; commits: number } | { kind: 'behind' } | { kind: 'rewritten' };

async function relate(git: GitRunner, cwd: string, checkpoint: string, commit: string): Promise<Relation> {
  if (commit === checkpoint) return { kind: 'same' };
  const isAncestor = async (older: string, newer: string): Promise<boolean> => (await git(['merge-base', '--is-ancestor', older, newer], cwd, { okExitCodes: [0, 1, 128] })).exitCode === 0;
  if (await isAncestor(checkpoint, commit)) {
    const count = Number((await git(['rev-list', '--count', `${checkpoint}..${commit}`], cwd)).stdout.trim());
    return { kind: 'ahead', commits: count };
  }
  return (await isAncestor(commit, checkpoint)) ? { kind: 'behind' } : { kind: 'rewritten' };
}

function describe(relation: Relation): string {
  if (relation.kind === 'same') return 'at the checkpoint';
  if (relation.kind === 'ahead') return `${plural(relation.commits, 'commit')} of the agent's own after the checkpoint`;
  if (relation.kind === 'behind') return 'at a commit older than the checkpoint';
  return 'on commits that do not contain the checkpoint';
}

function branchMove(relation: Relation): string {
  if (relation.kind === 'behind') return 'the branch was reset to an older commit';
  if (relation.kind === 'ahead') return `the agent committed ${plural(relation.commits, 'commit')} of its own on the branch`;
  return 'the branch was rewritten and no longer contains the checkpoint (a rebase, an amend, or a reset to other commits)';
}

function short(id: string | null): string {
  return id === null ? '(no commit)' : id.slice(0, 12);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
