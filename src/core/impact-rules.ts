import type { FindingDraft, FindingKind, ImpactSubject, Severity } from './finding.js';
import type { ResourceMode } from './resource.js';
import { compareSpecificity, isResourcePattern, narrowerName } from './resource-match.js';

/** Where a task's claim on a resource comes from: what it declared, what it links, what its branch changed. */
export type UseOrigin = 'resource' | 'link' | 'footprint';

/** One thing a task works on: a declared resource, a file link (`touches`) or a footprint path (`modifies`). */
export interface ResourceUse {
  mode: ResourceMode;
  kind: string;
  name: string;
  origin: UseOrigin;
}

export interface ImpactVerdict {
  kind: Extract<FindingKind, 'impact_conflict' | 'impact_notice'>;
  severity: Severity;
}

/** One source use meeting one affected use of another task. */
export interface ImpactMatch {
  source: ImpactSubject;
  sourceUse: ResourceUse;
  target: ImpactSubject;
  targetUse: ResourceUse;
}

/** Everything a task works on, as resource uses; links count as `touches`, footprint paths as `modifies`. */
export function resourceUses(subject: ImpactSubject): ResourceUse[] {
  const uses: ResourceUse[] = subject.resources.map((resource) => ({ mode: resource.mode, kind: resource.kind, name: resource.name, origin: 'resource' }));
  for (const link of subject.links) {
    if (link.kind === 'file') uses.push({ mode: 'touches', kind: 'file', name: link.path, origin: 'link' });
  }
  for (const path of subject.footprint) uses.push({ mode: 'modifies', kind: 'file', name: path, origin: 'footprint' });
  return uses;
}

const CONFLICT: ImpactVerdict = { kind: 'impact_conflict', severity: 'high' };
const NOTICE: ImpactVerdict = { kind: 'impact_notice', severity: 'low' };

/**
 * What a source task's `sourceMode` of a shared resource means for another task that uses it
 * with `targetMode`: a removal conflicts with every other kind of use, a change is worth a
 * notice to whoever changes, reads or touches the same thing, an addition to whoever reads it.
 * Everything else — including two removals, two additions, and reads against reads — is
 * nothing to report.
 */
export function impactVerdict(sourceMode: ResourceMode, targetMode: ResourceMode): ImpactVerdict | null {
  if (sourceMode === 'removes') return targetMode === 'removes' ? null : CONFLICT;
  if (sourceMode === 'modifies') return targetMode === 'modifies' || targetMode === 'reads' || targetMode === 'touches' ? NOTICE : null;
  if (sourceMode === 'adds') return targetMode === 'reads' ? NOTICE : null;
  return null;
}

/** The same finding always gets the same key, so a repeated check does not repeat it. */
export function findingKey(kind: FindingKind, taskId: number, otherTaskId: number | null, subject: string): string {
  return `${kind}:${taskId}:${otherTaskId ?? 'base'}:${subject}`;
}

/**
 * The shared resource, named by the broader of the two names (the glob, or the directory),
 * so that one finding gathers every path it covers.
 */
export function sharedSubject(match: ImpactMatch): { kind: string; name: string } {
  const { kind } = match.sourceUse;
  const [sourceName, targetName] = [match.sourceUse.name, match.targetUse.name];
  return { kind, name: compareSpecificity(kind, sourceName, targetName) < 0 ? targetName : sourceName };
}

/** `endpoint:POST /api/login`, `file:src/auth/**`. */
export function subjectText(subject: { kind: string; name: string }): string {
  return `${subject.kind}:${subject.name}`;
}

/**
 * The finding for one match, addressed to the affected task, or null when the rules say
 * nothing. `completed` puts the source's verb in the past tense.
 */
export function impactFinding(match: ImpactMatch, completed: boolean): FindingDraft | null {
  const verdict = impactVerdict(match.sourceUse.mode, match.targetUse.mode);
  if (!verdict || match.source.id === match.target.id) return null;
  const subject = subjectText(sharedSubject(match));
  const narrow = narrowerName(match.sourceUse.kind, match.sourceUse.name, match.targetUse.name);
  const paths = match.sourceUse.kind === 'file' && !isResourcePattern('file', narrow) ? [narrow] : [];
  return {
    kind: verdict.kind,
    severity: verdict.severity,
    taskId: match.target.id,
    otherTaskId: match.source.id,
    subject,
    paths,
    message: impactMessage(match, completed),
    key: findingKey(verdict.kind, match.target.id, match.source.id, subject),
  };
}

/** "#3 'Remove legacy login' removed endpoint POST /api/login, which #7 'Rate-limit login' modifies". */
export function impactMessage(match: ImpactMatch, completed: boolean): string {
  const { sourceUse, targetUse } = match;
  const sourceName = displayName(sourceUse.kind, sourceUse.name);
  const targetName = displayName(targetUse.kind, targetUse.name);
  const aside = targetName === sourceName ? '' : ` (${targetUse.kind} ${targetName})`;
  return (
    `${taskRef(match.source)} ${sourceVerb(sourceUse, completed)} ${sourceUse.kind} ${sourceName}, ` +
    `which ${taskRef(match.target)} ${targetVerb(targetUse)}${aside}`
  );
}

/** How people read a task in a sentence: `#7 'Rate-limit login'`. */
export function taskRef(task: Pick<ImpactSubject, 'id' | 'title'>): string {
  return `#${task.id} '${task.title}'`;
}

/** A name as people read it: an endpoint for any method shows as its bare path. */
export function displayName(kind: string, name: string): string {
  return kind === 'endpoint' && name.startsWith('* ') ? name.slice(2) : name;
}

/** "a, b and c", or "a, b, c and 4 more" past `limit` items. */
export function listText(items: readonly string[], limit = 5): string {
  if (items.length <= 1) return items.join('');
  if (items.length > limit) return `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const PAST: Record<ResourceMode, string> = { adds: 'added', modifies: 'modified', removes: 'removed', reads: 'read', touches: 'touched' };
const PROGRESSIVE: Record<ResourceMode, string> = {
  adds: 'is adding',
  modifies: 'is modifying',
  removes: 'is removing',
  reads: 'is reading',
  touches: 'is touching',
};

function sourceVerb(use: ResourceUse, completed: boolean): string {
  if (use.origin === 'footprint') return completed ? 'changed' : 'is changing';
  return completed ? PAST[use.mode] : PROGRESSIVE[use.mode];
}

function targetVerb(use: ResourceUse): string {
  if (use.origin === 'link') return 'links to';
  if (use.origin === 'footprint') return 'is changing on its branch';
  return use.mode;
}

const KIND_RANK: Record<string, number> = { impact_conflict: 0, merge_conflict_predicted: 1, overlap: 2, impact_notice: 3 };
const ORIGIN_RANK: Record<UseOrigin, number> = { resource: 0, link: 1, footprint: 2 };
const MODE_RANK: Record<ResourceMode, number> = { removes: 0, modifies: 1, adds: 2, touches: 3, reads: 4 };

/**
 * Orders findings of one pair and subject strongest first: a conflict before a notice, then
 * what was declared before what was linked or merely changed, so the choice is always the same.
 */
export function compareImpact(a: { finding: FindingDraft; match: ImpactMatch }, b: { finding: FindingDraft; match: ImpactMatch }): number {
  return (
    (KIND_RANK[a.finding.kind] ?? 9) - (KIND_RANK[b.finding.kind] ?? 9) ||
    ORIGIN_RANK[a.match.sourceUse.origin] - ORIGIN_RANK[b.match.sourceUse.origin] ||
    MODE_RANK[a.match.sourceUse.mode] - MODE_RANK[b.match.sourceUse.mode] ||
    ORIGIN_RANK[a.match.targetUse.origin] - ORIGIN_RANK[b.match.targetUse.origin] ||
    MODE_RANK[a.match.targetUse.mode] - MODE_RANK[b.match.targetUse.mode] ||
    compareText(a.match.sourceUse.name, b.match.sourceUse.name) ||
    compareText(a.match.targetUse.name, b.match.targetUse.name)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
