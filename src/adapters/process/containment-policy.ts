import { join } from 'node:path';
import type { ContainmentPolicy } from './containment-plan.js';

/** Where a task's worktree and the repository around it are. */
export interface WorktreeLayout {
  /** The repository's main worktree (its checkout). */
  mainCheckout: string;
  /** The git directory every worktree shares (`git rev-parse --git-common-dir`), usually `<mainCheckout>/.git`. */
  gitCommonDir: string;
  /** The task's worktree, where the agent and the checks run. */
  worktree: string;
  /** The task worktree's own git directory (`git rev-parse --git-dir` in it): `<gitCommonDir>/worktrees/<name>`. */
  worktreeGitDir: string;
  /**
   * The directory task worktrees are made in (the project's `worktreeRoot`): read-only as a
   * whole, so that a worktree another task makes while the command runs is covered too.
   */
  worktreeRoot?: string;
  /** The repository's other worktrees (`git worktree list`); those inside the main checkout or `worktreeRoot` are covered already. */
  otherWorktrees?: readonly string[];
  /** The task branch's ref (`refs/heads/…`): its log is the one a commit in the worktree appends to. */
  branchRef?: string;
  /** The log files under `<gitCommonDir>/logs` now (absolute): each stays read-only but the task branch's. */
  refLogs?: readonly string[];
  /**
   * The command commits nothing (checks: an attempt's, or the merge queue's of a merged
   * result): all of the repository's git data, the worktree's own git dir included, stays
   * read-only. No guard looks after checks as after an agent: a ref they wrote would move the
   * base branch, and the worktree's own config (config.worktree) would be read by baton's git
   * outside the sandbox.
   */
  commitsNothing?: boolean;
}

/**
 * What a command working in a task's worktree may write: its worktree, and the parts of the
 * shared git directory that `git commit` in that worktree writes (objects, LFS objects, refs,
 * packed-refs, the task branch's log, the worktree's own HEAD, log and index), but not the
 * files that say where its git data is. The rest of the
 * repository is read-only: the main checkout, the other worktrees, the board and run evidence
 * (`<gitCommonDir>/baton`), hooks and config, which would otherwise let a command run code or
 * change settings outside its attempt. The board and hooks are listed even though the main
 * checkout covers them, so that the policy still holds when the git directory is elsewhere.
 */
export function worktreeContainmentPolicy(layout: WorktreeLayout): ContainmentPolicy {
  const git = (name: string) => join(layout.gitCommonDir, name);
  // `git worktree list` names the task's own worktree too; read-only would win over writable.
  const others = (layout.otherWorktrees ?? []).filter((path) => path !== layout.worktree);
  return {
    // The logs of existing refs stay read-only but the task branch's own (a log a new ref needs
    // may be made): the repository guard trusts the other worktrees' HEAD logs and the refs' logs
    // to tell a person's commit, or another run's guard, from an attempt's ref moves
    // (repo-guard.ts). Each is its own mount, so it can be neither written nor replaced.
    readOnly: [
      layout.mainCheckout,
      layout.gitCommonDir,
      git('baton'),
      git('hooks'),
      git('config'),
      ...(layout.refLogs ?? []).filter((log) => log !== (layout.branchRef ? git(`logs/${layout.branchRef}`) : null)),
      ...(layout.worktreeRoot ? [layout.worktreeRoot] : []),
      ...others,
      // Where the worktree's git data is: rewritten, they would point baton's own git (which runs
      // outside the sandbox after the attempt and its checks) at a repository of the command's making,
      // with a config that runs commands (a filter, say).
      join(layout.worktree, '.git'),
      join(layout.worktreeGitDir, 'commondir'),
      join(layout.worktreeGitDir, 'gitdir'),
      ...(layout.commitsNothing ? [layout.worktreeGitDir] : []),
    ],
    writable: layout.commitsNothing ? [layout.worktree] : [layout.worktree, layout.worktreeGitDir, git('objects'), git('lfs'), git('refs'), git('logs'), git('packed-refs')],
  };
}
