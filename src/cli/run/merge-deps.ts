import { dirname, join } from 'node:path';
import nodeProcess from 'node:process';
import { SqliteLandingLock } from '../../adapters/db/sqlite-landing-lock.js';
import { FileMergeEvidence } from '../../adapters/evidence/file-evidence-store.js';
import { GitMerger } from '../../adapters/git/git-merger.js';
import { GitWorkspace } from '../../adapters/git/git-workspace.js';
import { ShellCommandRunner } from '../../adapters/process/shell-command-runner.js';
import { WorktreeSandbox } from '../../adapters/process/worktree-sandbox.js';
import { recordCompletionImpact } from '../../app/impact-at-completion.js';
import type { LandingNote, MergeQueueDeps } from '../../app/merge-queue.js';
import type { ProjectConfig } from '../../core/run/project-config.js';
import type { CommandContext } from '../context.js';
import { batonPackageRoot } from '../package-root.js';
import { localFiles, mainWorktreeRoot, testReports, worktreeRootOf } from './run-deps.js';

/** The folder beside the board where the merge queue keeps its checks' reports. */
function queueDir(ctx: CommandContext): string {
  return join(dirname(ctx.boardPath()), 'merge-queue');
}

/** Wires the merge queue to git, the shell, the sandbox and the board. */
export async function mergeQueueDeps(ctx: CommandContext, config: ProjectConfig, onNote: (note: LandingNote) => void): Promise<MergeQueueDeps> {
  const repoRoot = mainWorktreeRoot(ctx);
  const env = ctx.io.env;
  const worktreeRoot = worktreeRootOf(repoRoot, config);
  const scratchReports = join(queueDir(ctx), 'reports');
  // One lander per repository, whatever board it lands for: the scratch worktree and the base branch are the repository's.
  const lockDir = join(ctx.requireRepo().commonDir, 'baton');
  await Promise.all([localFiles.makeDir(scratchReports), localFiles.makeDir(lockDir)]);
  const sandbox = await WorktreeSandbox.detect(worktreeRoot, env, [batonPackageRoot(), dirname(nodeProcess.execPath)]);
  return {
    board: await ctx.deps(),
    merger: new GitMerger({ env }),
    checks: { commands: new ShellCommandRunner(), files: localFiles, reports: testReports, env },
    config,
    repoRoot,
    baseBranch: config.baseBranch ?? (await new GitWorkspace({ env }).defaultBaseBranch(repoRoot)),
    // Under the worktree root, where the sandbox lets a check write, and named so no task's folder (`<id>-<slug>`) can take it.
    scratch: join(worktreeRoot, 'merge-queue'),
    scratchReports,
    evidence: new FileMergeEvidence(join(dirname(ctx.boardPath()), 'runs')),
    lock: new SqliteLandingLock(join(lockDir, 'merge-queue.lock'), { pid: nodeProcess.pid }),
    wrapFor: (worktree) => sandbox.wrapFor(repoRoot, worktree, { writable: [scratchReports], holdHead: true, commitsNothing: true }),
    completionChecks: [recordCompletionImpact],
    onNote,
  };
}
