import type { AttemptGuard, GuardFindings, GuardScope } from '../../app/run-ports.js';
import type { GitWorkspace } from './git-workspace.js';
import { requireRepository } from './default-base-branch.js';
import { loadIgnoredReference, saveIgnoredReference, type IgnoredSnapshot } from './ignored-files.js';
import { objectStoreTampering, snapshotObjectStore, type ObjectStoreSnapshot } from './object-store.js';
import type { OutsideSnapshot } from './outside-writes.js';
import { RepoGuard, type RepoSnapshot } from './repo-guard.js';
import type { Environment } from './run-git.js';

interface Mark {
  repo: RepoSnapshot;
  outside: OutsideSnapshot | null;
  ignored: IgnoredSnapshot;
  objects: ObjectStoreSnapshot;
  commonDir: string;
  scope: GuardScope;
}

/**
 * The runner's `AttemptGuard` over git: the repository guard (config, hooks, attributes, refs:
 * put back), the files git ignores in the worktree (what the agent wrote among them is removed
 * before the checks: ignored-files.ts) and, where no sandbox keeps the agent out of them, the
 * status of the main checkout and the other worktrees (compared, reported, never touched).
 */
export class GitAttemptGuard implements AttemptGuard {
  private readonly repo: RepoGuard;
  /**
   * The ignored files of each worktree as the first attempt on it found them (after setup and
   * the baseline; kept on disk for runs that resume there): every attempt is compared with
   * these, not with what the last one's checks left — code under test runs in the checks and
   * could plant there for the next attempt.
   */
  private readonly ignoredAtStart = new Map<string, IgnoredSnapshot>();

  constructor(
    private readonly workspace: GitWorkspace,
    env: Environment,
  ) {
    this.repo = new RepoGuard({ env });
  }

  async before(scope: GuardScope): Promise<unknown> {
    const { commonDir } = requireRepository(scope.worktree);
    const [repo, outside, ignored, objects] = await Promise.all([
      this.repo.snapshot(scope.worktree, { branch: scope.branch }),
      scope.watchOutside ? this.workspace.snapshotOutside(scope.repoRoot, { exclude: [scope.worktree] }) : Promise.resolve(null),
      this.ignoredReference(scope.worktree),
      snapshotObjectStore(commonDir),
    ]);
    const mark: Mark = { repo, outside, ignored, objects, commonDir, scope };
    return mark;
  }

  async ignoredSettled(worktree: string): Promise<void> {
    await this.keepIgnoredReference(worktree, await this.workspace.snapshotIgnored(worktree));
  }

  /** This process's reference, or the one an earlier run on this worktree kept, or the files as they are now (kept for later). */
  private async ignoredReference(worktree: string): Promise<IgnoredSnapshot> {
    const known = this.ignoredAtStart.get(worktree);
    if (known) return known;
    const { commonDir, gitDir } = requireRepository(worktree);
    const kept = await loadIgnoredReference(commonDir, gitDir);
    if (kept) {
      this.ignoredAtStart.set(worktree, kept);
      return kept;
    }
    const now = await this.workspace.snapshotIgnored(worktree);
    await this.keepIgnoredReference(worktree, now);
    return now;
  }

  private async keepIgnoredReference(worktree: string, snapshot: IgnoredSnapshot): Promise<void> {
    const { commonDir, gitDir } = requireRepository(worktree);
    this.ignoredAtStart.set(worktree, snapshot);
    await saveIgnoredReference(commonDir, gitDir, snapshot);
  }

  async after(mark: unknown, evidencePrefix: string): Promise<GuardFindings> {
    const { repo, outside, ignored, objects, commonDir, scope } = mark as Mark;
    // First, before any other git command: a planted filter or fsmonitor would run in it.
    const changes = await this.repo.verifyAndRestore(repo, { evidencePrefix });
    const writes = outside === null ? [] : this.workspace.compareOutside(outside, await this.workspace.snapshotOutside(scope.repoRoot, { exclude: [scope.worktree] }));
    // Side by side: git lists the ignored files while the object store is walked (in this process).
    const [ignoredRemoved, objectsTampered] = await Promise.all([this.workspace.removeIgnoredWrites(scope.worktree, ignored), objectStoreTampering(commonDir, objects)]);
    return {
      objectsTampered,
      ignoredRemoved,
      // Contained, the attempt cannot write the other worktrees' HEAD logs, so a move they
      // record is the work beside it (another run's checkpoint), not the attempt's.
      // Uncontained, the attempt could have written them too.
      repaired: changes.filter((change) => outside !== null || !(change.kind === 'ref' && change.byOthers === true)).map((change) => change.text),
      outside: writes.map((write) => ({
        worktree: write.worktree,
        paths: write.paths,
        what: write.state === 'appeared' ? 'a new worktree appeared' : write.state === 'disappeared' ? 'the worktree was removed' : write.headMoved ? `HEAD moved from ${write.headMoved.from} to ${write.headMoved.to}` : 'files changed',
      })),
    };
  }
}
