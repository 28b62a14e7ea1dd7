import type { FindingDraft, ImpactSubject } from './finding.js';
import { compareImpact, impactFinding, listText, resourceUses, type ImpactMatch, type ResourceUse } from './impact-rules.js';
import { ResourceIndex } from './resource-match.js';
import { CLOSED_STATUSES } from './status.js';

/** A use and the task it belongs to, in one object: the index holds tens of thousands. */
interface IndexedUse extends ResourceUse {
  task: ImpactSubject;
}

/** What every task the completion can affect works on, indexed by resource. */
export interface ImpactIndex {
  readonly resources: ResourceIndex<IndexedUse>;
}

/**
 * Indexes the declared resources, file links and footprints of `others`, so that several
 * completions are checked without comparing every pair. Closed tasks are left out: a
 * completion cannot affect them.
 */
export function buildImpactIndex(others: readonly ImpactSubject[]): ImpactIndex {
  const resources = new ResourceIndex<IndexedUse>();
  for (const task of others) {
    if (!CLOSED_STATUSES.includes(task.status)) eachUse(task, (use) => resources.add(use.kind, use.name, use));
  }
  return { resources };
}

/**
 * The findings a completion of `done` causes, read from a prebuilt index: one per affected
 * task and shared subject, the strongest when several rules apply, each addressed to the
 * affected task and never to `done` itself. `done`'s declared resources and footprint are
 * compared; its links only point at things and change nothing.
 */
export function findingsFor(index: ImpactIndex, done: ImpactSubject): FindingDraft[] {
  const groups = new FindingGroups(done);
  for (const sourceUse of sourceUses(done)) {
    for (const use of index.resources.matches(sourceUse.kind, sourceUse.name)) groups.add(sourceUse, use);
  }
  return groups.findings();
}

/**
 * Same answer as `findingsFor(buildImpactIndex(others), done)`, faster for one completion:
 * it indexes the completed task's few uses and streams every other task's uses past them,
 * so nothing is kept per task of the board.
 */
export function completionFindings(done: ImpactSubject, others: readonly ImpactSubject[]): FindingDraft[] {
  const sources = new ResourceIndex<ResourceUse>();
  for (const use of sourceUses(done)) sources.add(use.kind, use.name, use);
  const groups = new FindingGroups(done);
  for (const task of others) {
    if (task.id === done.id || CLOSED_STATUSES.includes(task.status)) continue;
    eachUse(task, (use) => {
      for (const sourceUse of sources.matches(use.kind, use.name)) groups.add(sourceUse, use);
    });
  }
  return groups.findings();
}

/** What a completion can change: declared resources and the footprint, not links. */
function sourceUses(done: ImpactSubject): ResourceUse[] {
  return resourceUses(done).filter((use) => use.origin !== 'link');
}

/** `resourceUses`, one object per use with its task, and no list in between. */
function eachUse(task: ImpactSubject, visit: (use: IndexedUse) => void): void {
  for (const { mode, kind, name } of task.resources) visit({ mode, kind, name, origin: 'resource', task });
  for (const link of task.links) {
    if (link.kind === 'file') visit({ mode: 'touches', kind: 'file', name: link.path, origin: 'link', task });
  }
  for (const path of task.footprint) visit({ mode: 'modifies', kind: 'file', name: path, origin: 'footprint', task });
}

/** Findings gathered per affected task and subject, keeping the strongest and every path. */
class FindingGroups {
  private readonly groups = new Map<string, { best: { finding: FindingDraft; match: ImpactMatch }; paths: Set<string> }>();

  constructor(private readonly done: ImpactSubject) {}

  add(sourceUse: ResourceUse, targetUse: IndexedUse): void {
    if (targetUse.task.id === this.done.id) return;
    const match: ImpactMatch = { source: this.done, sourceUse, target: targetUse.task, targetUse };
    const finding = impactFinding(match, true);
    if (!finding) return;
    const key = `${finding.taskId}\n${finding.subject}`;
    const group = this.groups.get(key);
    const candidate = { finding, match };
    if (!group) this.groups.set(key, { best: candidate, paths: new Set(finding.paths) });
    else {
      for (const path of finding.paths) group.paths.add(path);
      if (compareImpact(candidate, group.best) < 0) group.best = candidate;
    }
  }

  findings(): FindingDraft[] {
    return [...this.groups.values()].map(({ best, paths }) => withPaths(best.finding, paths)).sort(byTaskThenSubject);
  }
}

/** A finding that gathered several paths says so, and lists them all. */
function withPaths(finding: FindingDraft, paths: ReadonlySet<string>): FindingDraft {
  const sorted = [...paths].sort();
  if (sorted.length <= 1) return { ...finding, paths: sorted };
  return { ...finding, paths: sorted, message: `${finding.message}; ${sorted.length} files in all: ${listText(sorted)}` };
}

function byTaskThenSubject(a: FindingDraft, b: FindingDraft): number {
  return a.taskId - b.taskId || (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0);
}
