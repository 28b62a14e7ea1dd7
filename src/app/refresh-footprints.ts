import type { Finding, FindingDraft, ImpactSubject } from '../core/finding.js';
import { mergeConflictFinding, overlapFindings } from '../core/overlap.js';
import type { Task } from '../core/task.js';
import type { BoardDeps } from './deps.js';
import { IN_FLIGHT, impactSubjects } from './impact-subjects.js';
import type { Footprint, GitPort, PairPrediction, StoredFootprint } from './ports.js';
import { recordFindings, resolveStale } from './record-findings.js';

export interface ImpactDeps extends BoardDeps {
  git: GitPort;
  /** The repository's main worktree (or any of its worktrees): where git runs. */
  repoDir: string;
}

export interface RefreshResult {
  base: string;
  footprints: StoredFootprint[];
  /** Findings new to their recipients (or back after baton had closed them). */
  created: Finding[];
  /** Open findings whose wording changed: more, or fewer, things collide now. */
  updated: Finding[];
  resolved: Finding[];
}

/** The live kinds: they describe in-flight work and go stale when it changes. */
const LIVE_KINDS = ['overlap', 'merge_conflict_predicted'] as const;

/**
 * Refreshes the footprints of in-flight tasks bound to worktrees (all of them, or `only`),
 * predicts merge conflicts against the base branch and between in-flight branches, and
 * records what overlaps as findings for both sides. Git runs outside any transaction; the
 * results land in one. Findings that no longer hold are resolved.
 */
export async function refreshFootprints(deps: ImpactDeps, only: readonly number[] | null): Promise<RefreshResult> {
  const inFlight = await deps.store.read((tx) => tx.listTasks({ statuses: IN_FLIGHT }));
  const bound = inFlight.filter((task) => task.worktree !== null);
  const targets = only === null ? bound : bound.filter((task) => only.includes(task.id));
  const base = await deps.git.defaultBaseBranch(deps.repoDir);
  const measured = await deps.git.footprints(targets.map((task) => task.worktree as string), base);
  const footprintsByTask = new Map<number, Footprint>();
  targets.forEach((task, index) => {
    const result = measured[index];
    // A worktree that was removed or broke has no footprint to report; the others still count.
    if (result?.kind === 'footprint') footprintsByTask.set(task.id, result.footprint);
  });
  const branches = [...new Set(bound.flatMap((task) => (task.branch ? [task.branch] : [])))];
  const predictions = targets.length === 0 ? [] : await deps.git.predictMany(deps.repoDir, base, branches);
  const nowIso = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    const footprints: StoredFootprint[] = [];
    for (const [taskId, footprint] of footprintsByTask) {
      const before = await tx.footprintOf(taskId);
      const stored = { ...footprint, taskId, refreshedAt: nowIso };
      await tx.saveFootprint(stored);
      footprints.push(stored);
      if (JSON.stringify(before?.paths ?? []) !== JSON.stringify(stored.paths)) {
        await tx.appendEvent({ actor: deps.actor, taskId, type: 'footprint_changed', payload: { paths: stored.paths, base }, recipients: [] }, nowIso);
      }
    }
    const current = await tx.listTasks({ statuses: IN_FLIGHT });
    const subjects = new Map((await impactSubjects(tx, current)).map((subject) => [subject.id, subject]));
    const drafts = liveFindings(targets, current, predictions, subjects, base);
    const changes = await recordFindings(tx, drafts, deps.actor, nowIso);
    const created = changes.filter((entry) => entry.change !== 'updated').map((entry) => entry.finding);
    const updated = changes.filter((entry) => entry.change === 'updated').map((entry) => entry.finding);
    const keys = new Set(drafts.map((draft) => draft.key));
    const stale = new Map<number, Finding>();
    for (const task of targets) {
      const live = [
        ...(await tx.findings({ taskId: task.id, statuses: ['open', 'acknowledged'], kinds: LIVE_KINDS })),
        ...(await tx.findings({ otherTaskId: task.id, statuses: ['open', 'acknowledged'], kinds: LIVE_KINDS })),
      ];
      for (const finding of live) if (!keys.has(finding.key)) stale.set(finding.id, finding);
    }
    await resolveStale(tx, [...stale.values()], nowIso, 'no longer detected after the footprints were refreshed');
    return { base, footprints, created, updated, resolved: [...stale.values()] };
  });
}

/**
 * Overlaps between each target and every in-flight task, and the predicted conflicts that
 * involve a target: against the base branch, and with each other in-flight branch (a finding
 * for each side). Each pair is compared once.
 */
function liveFindings(
  targets: readonly Task[],
  inFlight: readonly Task[],
  predictions: readonly PairPrediction[],
  subjects: ReadonlyMap<number, ImpactSubject>,
  base: string,
): FindingDraft[] {
  const drafts: FindingDraft[] = [];
  const compared = new Set<string>();
  const targetIds = new Set(targets.map((task) => task.id));
  for (const id of targetIds) {
    const subject = subjects.get(id);
    if (!subject) continue;
    for (const other of subjects.values()) {
      const pair = subject.id < other.id ? `${subject.id}:${other.id}` : `${other.id}:${subject.id}`;
      if (other.id === subject.id || compared.has(pair)) continue;
      compared.add(pair);
      drafts.push(...overlapFindings(subject, other));
    }
  }
  const onBranch = (branch: string): ImpactSubject[] =>
    inFlight.filter((task) => task.branch === branch && task.worktree !== null).flatMap((task) => subjects.get(task.id) ?? []);
  for (const prediction of predictions) {
    if (prediction.kind !== 'predicted' || !prediction.conflicted) continue;
    const theirs = onBranch(prediction.theirs);
    if (prediction.ours === base) {
      for (const task of theirs) if (targetIds.has(task.id)) drafts.push(mergeConflictFinding(task, null, base, prediction.paths));
      continue;
    }
    for (const left of onBranch(prediction.ours)) {
      for (const right of theirs) {
        if (!targetIds.has(left.id) && !targetIds.has(right.id)) continue;
        drafts.push(mergeConflictFinding(left, right, base, prediction.paths), mergeConflictFinding(right, left, base, prediction.paths));
      }
    }
  }
  return drafts;
}
