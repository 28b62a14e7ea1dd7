import type { Status } from './status.js';
import type { Link } from './link.js';
import type { Resource } from './resource.js';

/**
 * What impact analysis can find (see DESIGN §4), and what the merge queue found when it sent a
 * task back (`merge_returned`: a conflict with the base, or red checks on the merged result).
 */
export const FINDING_KINDS = ['impact_conflict', 'impact_notice', 'overlap', 'merge_conflict_predicted', 'merge_returned'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export type Severity = 'high' | 'medium' | 'low';

/** Kinds that hold a task back from `complete` until acknowledged or resolved. */
export const BLOCKING_FINDING_KINDS: readonly FindingKind[] = ['impact_conflict', 'merge_conflict_predicted'];

export const FINDING_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/**
 * A finding before it is stored: addressed to the task it affects (`taskId`) because of
 * another task (`otherTaskId`; null for the base branch). `key` identifies "the same finding"
 * so that refreshing footprints does not repeat one that is still open.
 */
export interface FindingDraft {
  kind: FindingKind;
  severity: Severity;
  taskId: number;
  otherTaskId: number | null;
  /** The shared resource (`endpoint:POST /api/login`) or paths, as people read them. */
  subject: string;
  paths: string[];
  /** One plain sentence, e.g. "#3 'Remove legacy login' removed endpoint POST /api/login, which #7 'Rate-limit login' modifies". */
  message: string;
  key: string;
}

export interface Finding extends FindingDraft {
  id: number;
  /** The affected task's assignee when the finding was made; never the actor by mistake. */
  recipient: string | null;
  status: FindingStatus;
  createdAt: string;
  eventId: number | null;
  ackedAt: string | null;
  ackedBy: string | null;
  ackMessage: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

/** Everything impact analysis needs to know about one task. */
export interface ImpactSubject {
  id: number;
  title: string;
  status: Status;
  assignee: string | null;
  resources: readonly Resource[];
  links: readonly Link[];
  /** Repository-relative paths changed on the task's branch (committed and not), if bound. */
  footprint: readonly string[];
}
