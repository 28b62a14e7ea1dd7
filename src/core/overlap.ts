import type { FindingDraft, ImpactSubject } from './finding.js';
import { displayName, findingKey, listText, resourceUses, taskRef, type ResourceUse } from './impact-rules.js';
import { isResourcePattern, narrowerName, ResourceIndex } from './resource-match.js';

/** One thing two tasks both work on. */
export interface SharedUse {
  kind: string;
  /** The narrower of the two names. */
  name: string;
  mine: ResourceUse;
  theirs: ResourceUse;
}

/**
 * What `mine` and `theirs` both work on: declared resources, file links and footprints whose
 * names overlap (see resource-match.ts), except where both sides only read. `keep` can narrow
 * which uses of `theirs` count. Each shared name is listed once, sorted by kind and name.
 */
export function sharedUses(mine: readonly ResourceUse[], theirs: ImpactSubject, keep: (use: ResourceUse) => boolean = () => true): SharedUse[] {
  const index = usesIndex(theirs);
  const shared = new Map<string, SharedUse>();
  for (const use of mine) {
    for (const other of index.matches(use.kind, use.name)) {
      if (!keep(other) || (use.mode === 'reads' && other.mode === 'reads')) continue;
      const name = narrowerName(use.kind, use.name, other.name);
      const key = `${use.kind}\n${name}`;
      if (!shared.has(key)) shared.set(key, { kind: use.kind, name, mine: use, theirs: other });
    }
  }
  return [...shared.values()].sort(
    (a, b) => (a.kind === b.kind ? 0 : a.kind === 'file' ? -1 : b.kind === 'file' ? 1 : a.kind < b.kind ? -1 : 1) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

/** `app/server/auth.py` for a file, `endpoint POST /api/login` for anything else. */
export function sharedText(shared: Pick<SharedUse, 'kind' | 'name'>): string {
  return shared.kind === 'file' ? shared.name : `${shared.kind} ${displayName(shared.kind, shared.name)}`;
}

/**
 * Two in-flight tasks whose footprints, declared resources or links overlap: one `overlap`
 * finding for each side, about the other, naming what they share. The key names only the
 * pair, so the finding stays one finding while the overlap grows or shrinks; a refresh that
 * finds no overlap any more lets it go stale.
 */
export function overlapFindings(a: ImpactSubject, b: ImpactSubject): FindingDraft[] {
  if (a.id === b.id) return [];
  const shared = sharedUses(resourceUses(a), b);
  if (shared.length === 0) return [];
  const items = shared.map(sharedText);
  const subject = items.join(', ');
  const paths = shared.filter((item) => item.kind === 'file' && !isResourcePattern('file', item.name)).map((item) => item.name);
  const about = (task: ImpactSubject, other: ImpactSubject): FindingDraft => ({
    kind: 'overlap',
    severity: 'medium',
    taskId: task.id,
    otherTaskId: other.id,
    subject,
    paths,
    message: `${taskRef(task)} and ${taskRef(other)}${holder(other)} are both working on ${listText(items)}`,
    key: findingKey('overlap', task.id, other.id, ''),
  });
  return [about(a, b), about(b, a)];
}

/**
 * `task`'s branch is predicted to conflict with `other`'s, or with the base branch when
 * `other` is null, in `paths`. Addressed to `task`; the caller makes one for each side.
 */
export function mergeConflictFinding(task: ImpactSubject, other: ImpactSubject | null, baseBranch: string, paths: string[]): FindingDraft {
  const sorted = [...new Set(paths)].sort();
  const where = sorted.length > 0 ? ` in ${listText(sorted)}` : '';
  const message = other
    ? `Merging ${taskRef(task)} with ${taskRef(other)}${holder(other)} is predicted to conflict${where}`
    : `Merging ${taskRef(task)} into ${baseBranch} is predicted to conflict${where}`;
  return {
    kind: 'merge_conflict_predicted',
    severity: 'high',
    taskId: task.id,
    otherTaskId: other?.id ?? null,
    subject: sorted.join(', '),
    paths: sorted,
    message,
    key: findingKey('merge_conflict_predicted', task.id, other?.id ?? null, other ? '' : baseBranch),
  };
}

/** " (alice)" for a task someone holds. */
function holder(task: ImpactSubject): string {
  return task.assignee ? ` (${task.assignee})` : '';
}

/*
 * Each subject's uses, indexed once: refreshes compare every in-flight task with every other,
 * and `ready` compares every candidate with the same running tasks. Subjects are read-only
 * snapshots, so the index stays valid for as long as the subject lives.
 */
const indexes = new WeakMap<ImpactSubject, ResourceIndex<ResourceUse>>();

function usesIndex(subject: ImpactSubject): ResourceIndex<ResourceUse> {
  let index = indexes.get(subject);
  if (!index) {
    index = new ResourceIndex<ResourceUse>();
    for (const use of resourceUses(subject)) index.add(use.kind, use.name, use);
    indexes.set(subject, index);
  }
  return index;
}
