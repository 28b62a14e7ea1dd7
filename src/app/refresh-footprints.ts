import { recipientsFor } from '../core/event.js';
import type { Finding, FindingDraft, ImpactSubject } from '../core/finding.js';
import { mergeConflictFinding, overlapFindings } from '../core/overlap.js';
import type { Task } from '../core/task.js';
import type { BoardDeps } from './deps.js';
import { IN_FLIGHT, impactSubjects } from './impact-subjects.js';
import type { Footprint, GitPort, MergePrediction, StoredFootprint } from './ports.js';
import { recordFindings, resolveStale } from './record-findings.js';

export interface ImpactDeps extends BoardDeps {
  git: GitPort;
  /** The repository's main worktree (or any of its worktrees): where git runs. */
  repoDir: string;
}

export interface RefreshResult {
  base: string;
  footprints: StoredFootprint[];
  created: Finding[];
  resolved: Finding[];
}

interface Measured {
  task: Task;
  footprint: Footprint | null;
  againstBase: MergePrediction | null;
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
  const measured = await Promise.all(targets.map((task) => measure(deps, task, base)));
  const pairwise = await predictPairs(deps, targets, bound);
  const nowIso = deps.clock.now().toISOString();
  return deps.store.write(async (tx) => {
    const footprints: StoredFootprint[] = [];
    for (const { task, footprint } of measured) {
      if (!footprint) continue;
      const before = await tx.footprintOf(task.id);
      const stored = { ...footprint, taskId: task.id, refreshedAt: nowIso };
      await tx.saveFootprint(stored);
      footprints.push(stored);
      if (JSON.stringify(before?.paths ?? []) !== JSON.stringify(stored.paths)) {
        await tx.appendEvent(
          { actor: deps.actor, taskId: task.id, type: 'footprint_changed', payload: { paths: stored.paths, base }, recipients: recipientsFor(deps.actor) },
          nowIso,
        );
      }
    }
    const current = await tx.listTasks({ statuses: IN_FLIGHT });
    const subjects = new Map((await impactSubjects(tx, current)).map((subject) => [subject.id, subject]));
    const drafts = liveFindings(measured, pairwise, subjects, base);
    const created = await recordFindings(tx, drafts, deps.actor, nowIso);
    const keys = new Set(drafts.map((draft) => draft.key));
    const stale: Finding[] = [];
    for (const { task } of measured) {
      const live = await tx.findings({ taskId: task.id, statuses: ['open', 'acknowledged'], kinds: LIVE_KINDS });
      stale.push(...live.filter((finding) => !keys.has(finding.key)));
      const aboutIt = await tx.findings({ otherTaskId: task.id, statuses: ['open', 'acknowledged'], kinds: LIVE_KINDS });
      stale.push(...aboutIt.filter((finding) => !keys.has(finding.key) && !stale.some((other) => other.id === finding.id)));
    }
    await resolveStale(tx, stale, nowIso, 'no longer detected after the footprints were refreshed');
    return { base, footprints, created, resolved: stale };
  });
}

async function measure(deps: ImpactDeps, task: Task, base: string): Promise<Measured> {
  try {
    const footprint = await deps.git.footprint(task.worktree as string, base);
    const againstBase = task.branch ? await deps.git.predictMerge(deps.repoDir, base, task.branch) : null;
    return { task, footprint, againstBase };
  } catch {
    // A worktree that was removed or broke has no footprint to report; the others still count.
    return { task, footprint: null, againstBase: null };
  }
}

interface PairPrediction {
  a: Task;
  b: Task;
  prediction: MergePrediction;
}

/** Every pair of in-flight branches that involves a target, each pair once. */
async function predictPairs(deps: ImpactDeps, targets: readonly Task[], bound: readonly Task[]): Promise<PairPrediction[]> {
  const pairs: [Task, Task][] = [];
  const seen = new Set<string>();
  for (const a of targets) {
    for (const b of bound) {
      if (a.id === b.id || !a.branch || !b.branch) continue;
      const key = a.id < b.id ? `${a.id}:${b.id}` : `${b.id}:${a.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      pairs.push([a, b]);
    }
  }
  const results: PairPrediction[] = [];
  for (const [a, b] of pairs) {
    try {
      results.push({ a, b, prediction: await deps.git.predictMerge(deps.repoDir, a.branch as string, b.branch as string) });
    } catch {
      // A branch deleted under us predicts nothing.
    }
  }
  return results;
}

function liveFindings(
  measured: readonly Measured[],
  pairwise: readonly PairPrediction[],
  subjects: ReadonlyMap<number, ImpactSubject>,
  base: string,
): FindingDraft[] {
  const drafts: FindingDraft[] = [];
  const compared = new Set<string>();
  for (const { task, againstBase } of measured) {
    const subject = subjects.get(task.id);
    if (!subject) continue;
    if (againstBase?.conflicted) drafts.push(mergeConflictFinding(subject, null, base, againstBase.paths));
    for (const other of subjects.values()) {
      const key = subject.id < other.id ? `${subject.id}:${other.id}` : `${other.id}:${subject.id}`;
      if (other.id === subject.id || compared.has(key)) continue;
      compared.add(key);
      drafts.push(...overlapFindings(subject, other));
    }
  }
  for (const { a, b, prediction } of pairwise) {
    const [left, right] = [subjects.get(a.id), subjects.get(b.id)];
    if (!prediction.conflicted || !left || !right) continue;
    drafts.push(mergeConflictFinding(left, right, base, prediction.paths), mergeConflictFinding(right, left, base, prediction.paths));
  }
  return drafts;
}
