import type { Blocker, Dependency } from '../core/dependency.js';
import type { BoardEvent, EventType, NewEvent } from '../core/event.js';
import type { Finding, FindingDraft, FindingKind, FindingStatus } from '../core/finding.js';
import type { TaskKind } from '../core/kind.js';
import type { GatingEdge, RankedTask } from '../core/ranking.js';
import type { Status } from '../core/status.js';
import type { Note, Task } from '../core/task.js';

/** A task as it is about to be inserted; the store assigns `id` unless one is given (import). */
export type NewTask = Omit<Task, 'id' | 'version'> & { id?: number };

export interface TaskFilter {
  statuses?: readonly Status[];
  assignee?: string;
  label?: string;
  kind?: TaskKind;
  parentId?: number;
  /** Only tasks with declared resources, links or a recorded footprint. */
  withImpactSurface?: boolean;
  limit?: number;
}

export interface ReadyQuery {
  /** Only tasks this agent may take: unassigned or assigned to it. */
  claimableBy?: string;
  limit?: number;
  /** Skip this many (paging through the queue). */
  offset?: number;
}

export interface EventFilter {
  afterId?: number;
  taskId?: number;
  types?: readonly EventType[];
  /** Only events addressed to this agent. */
  recipient?: string;
  /** Only events this agent wrote. */
  actor?: string;
  limit?: number;
}

/** A dependency seen from one end, with the task at the other end. */
export interface DependencyLink extends Dependency {
  other: Blocker;
}

export interface BlockedTask {
  task: Task;
  blockers: Blocker[];
}

/** Reads that see one consistent snapshot of the board. */
export interface BoardReader extends ImpactReader {
  getTask(id: number): Promise<Task | null>;
  getTasks(ids: readonly number[]): Promise<Task[]>;
  listTasks(filter: TaskFilter): Promise<Task[]>;
  countTasks(): Promise<number>;
  /** What `id` depends on (outgoing edges). */
  dependenciesOf(id: number): Promise<DependencyLink[]>;
  /** What depends on `id` (incoming edges). */
  dependentsOf(id: number): Promise<DependencyLink[]>;
  /** Ids `id` gates on (blocks / parent-child), for cycle checks. */
  gatingDependencyIds(id: number): Promise<number[]>;
  /** Gating edges whose waiting task is not closed: the graph the ranking walks. */
  openGatingEdges(): Promise<GatingEdge[]>;
  /**
   * Ready tasks — open, not ideas, every gating dependency done — in `rankReady` order:
   * priority, then how much not-closed work waits on the task (transitively), then age, then
   * id. Stores keep that count as an index, so this reads no more rows than it returns.
   */
  readyQueue(query: ReadyQuery): Promise<RankedTask[]>;
  /** Gating dependencies of `id` that are not done yet. */
  unmetBlockers(id: number): Promise<Blocker[]>;
  blockedTasks(): Promise<BlockedTask[]>;
  notesOf(taskId: number): Promise<Note[]>;
  events(filter: EventFilter): Promise<BoardEvent[]>;
  lastEventId(): Promise<number>;
  /** In-progress tasks whose lease ran out at or before `nowIso`. */
  expiredLeases(nowIso: string): Promise<Task[]>;
  /** The in-progress task bound to this worktree, if any. */
  taskBoundTo(worktree: string): Promise<Task | null>;
  allDependencies(): Promise<(Dependency & { createdAt: string })[]>;
  allNotes(): Promise<Note[]>;
  /** This board's id, made once when it was created: a re-created board has another. */
  boardId(): Promise<string>;
  /** The board's table definitions as text: changes when anything drops or alters a table. */
  schemaText(): Promise<string>;
  /** The run lock held on a task, if any (see `RunLock`). */
  runLock(taskId: number): Promise<RunLock | null>;
}

/**
 * One `baton run` of a task at a time, across processes and whoever the actor is: the lock
 * names the run (`token`) and where it runs, and lapses at `expiresAt` unless renewed.
 */
export interface RunLock {
  taskId: number;
  token: string;
  actor: string;
  host: string;
  pid: number;
  startedAt: string;
  expiresAt: string;
}

/** A task's footprint as last recorded. */
export interface StoredFootprint extends Footprint {
  taskId: number;
  refreshedAt: string;
}

export interface FindingFilter {
  taskId?: number;
  otherTaskId?: number;
  recipient?: string;
  statuses?: readonly FindingStatus[];
  kinds?: readonly FindingKind[];
}

export interface FindingChange {
  change: 'created' | 'reopened' | 'updated';
  finding: Finding;
}

/** A claim on paths for a task: exclusive unless `shared`. */
export interface Reservation {
  id: number;
  taskId: number;
  pattern: string;
  shared: boolean;
  holder: string;
  createdAt: string;
  expiresAt: string | null;
}

/** Impact awareness: footprints, findings and reservations. */
export interface ImpactReader {
  footprintOf(taskId: number): Promise<StoredFootprint | null>;
  footprintsOf(taskIds: readonly number[]): Promise<StoredFootprint[]>;
  findings(filter: FindingFilter): Promise<Finding[]>;
  getFinding(id: number): Promise<Finding | null>;
  /** How many findings addressed to each of these tasks are still open (absent: none). */
  openFindingCounts(taskIds: readonly number[]): Promise<Map<number, number>>;
  /** Reservations of tasks that are not closed and whose TTL has not run out at `nowIso`. */
  activeReservations(nowIso: string): Promise<Reservation[]>;
}

export interface ImpactWriter extends ImpactReader {
  saveFootprint(footprint: StoredFootprint): Promise<void>;
  /**
   * Stores a finding under its key. A key seen before is not repeated: an open or acknowledged
   * finding whose wording or recipient changed (more paths now collide; the task changed
   * hands) is updated in place, one baton closed itself (no longer detected) is reopened as
   * new, unacknowledged, and one a person resolved stays resolved. Returns null when nothing
   * changed.
   */
  upsertFinding(draft: FindingDraft, recipient: string | null, createdAt: string): Promise<FindingChange | null>;
  updateFinding(finding: Finding): Promise<void>;
  /** Adds or replaces the reservation of (taskId, pattern). */
  saveReservation(reservation: Omit<Reservation, 'id'>): Promise<Reservation>;
  /** Removes a task's reservations of these patterns (all of them when `patterns` is null). */
  removeReservations(taskId: number, patterns: readonly string[] | null): Promise<number>;
}

/** Writes; they only exist inside `BoardStore.write`, so each change lands with its event. */
export interface BoardWriter extends BoardReader, ImpactWriter {
  insertTask(task: NewTask): Promise<Task>;
  /** Writes `task` over the stored row; refuses (CONFLICT) when `task.version` is stale. */
  updateTask(task: Task): Promise<Task>;
  addDependency(dependency: Dependency, createdAt: string): Promise<void>;
  /** Returns false when there was no such dependency. */
  removeDependency(taskId: number, dependsOnId: number): Promise<boolean>;
  addNote(note: Omit<Note, 'id'> & { id?: number }): Promise<Note>;
  appendEvent(event: NewEvent, at: string): Promise<BoardEvent>;
  /** Re-inserts an exported event with its original id (import only). */
  restoreEvent(event: BoardEvent): Promise<void>;
  /** Writes the task's run lock over whatever was there. */
  saveRunLock(lock: RunLock): Promise<void>;
  /** Removes the task's run lock if `token` still holds it; false when it did not. */
  deleteRunLock(taskId: number, token: string): Promise<boolean>;
}

/** An opaque token for the state of a board: equal marks, no change in between. */
export type ChangeMark = string;

/** One board. Implementations: SQLite (embedded default); PostgreSQL later, same contract. */
export interface BoardStore {
  /** Runs `work` in one write transaction that either lands whole or not at all. */
  write<T>(work: (tx: BoardWriter) => Promise<T>): Promise<T>;
  /** Runs `work` against one consistent snapshot. */
  read<T>(work: (tx: BoardReader) => Promise<T>): Promise<T>;
  /** The board as it is now, for `waitForChange` to compare with. */
  changeMark(): Promise<ChangeMark>;
  /**
   * Resolves once the board has changed since `since` (a mark taken before the last read: a
   * change that lands between that read and this call counts), or since the call when none is
   * given; or after `timeoutMs`, or when `signal` aborts. Lets a follower sleep instead of
   * polling. Rejects (NOT_FOUND) once the board is gone, and (BOARD_REPLACED) once another
   * board took its place; the same board put back (a restore) is re-opened, and reads go on from it.
   */
  waitForChange(timeoutMs: number, signal?: AbortSignal, since?: ChangeMark): Promise<void>;
  close(): Promise<void>;
}

export interface Clock {
  now(): Date;
}


/** Changed files of a worktree's branch against its merge base with the base branch. */
export interface Footprint {
  worktree: string;
  branch: string | null;
  base: string;
  mergeBase: string | null;
  /** Repository-relative, `/`-separated, sorted: committed, staged, unstaged and untracked. */
  paths: string[];
}

export interface MergePrediction {
  conflicted: boolean;
  /** Paths git could not merge cleanly. */
  paths: string[];
}

/** One worktree's footprint, or why it could not be taken (a removed worktree, say). */
export type FootprintResult = { kind: 'footprint'; footprint: Footprint } | { kind: 'failed'; worktree: string; message: string };

/** One prediction of `predictMany`; a pair git could not merge at all is `failed`. */
export type PairPrediction =
  | ({ kind: 'predicted'; ours: string; theirs: string } & MergePrediction)
  | { kind: 'failed'; ours: string; theirs: string; message: string };

/** The git operations impact awareness needs. Never touches a checkout's files or index. */
export interface GitPort {
  /** The branch checked out in the main worktree (the default base branch). */
  defaultBaseBranch(repoDir: string): Promise<string>;
  footprint(worktree: string, baseBranch: string): Promise<Footprint>;
  /** Footprints of many worktrees at once; one failure does not fail the others. */
  footprints(worktrees: readonly string[], baseBranch: string): Promise<FootprintResult[]>;
  /** Predicts merging `theirs` into `ours` with `git merge-tree --write-tree` (no checkout touched). */
  predictMerge(repoDir: string, ours: string, theirs: string): Promise<MergePrediction>;
  /** Every branch against `base` (base is ours), then every pair of branches, batched. */
  predictMany(repoDir: string, base: string, branches: readonly string[]): Promise<PairPrediction[]>;
}
