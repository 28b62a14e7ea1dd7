import type { BoardEvent, EventType } from '../../core/event.js';
import type { TaskKind } from '../../core/kind.js';
import type { Priority } from '../../core/priority.js';
import type { Status } from '../../core/status.js';
import type { Note, Task } from '../../core/task.js';

/** Column order shared by INSERT and UPDATE so the two can never disagree. */
export const TASK_COLUMNS = [
  'title', 'description', 'kind', 'status', 'priority', 'assignee', 'labels', 'due', 'parent_id',
  'acceptance', 'verify', 'resources', 'links', 'created_by', 'created_at', 'updated_at', 'closed_at',
  'block_reason', 'completion_message', 'lease_expires_at', 'worktree', 'branch',
] as const;

export interface TaskRow {
  id: number;
  title: string;
  description: string;
  kind: string;
  status: string;
  priority: number;
  assignee: string | null;
  labels: string;
  due: string | null;
  parent_id: number | null;
  acceptance: string;
  verify: string;
  resources: string;
  links: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  block_reason: string | null;
  completion_message: string | null;
  lease_expires_at: string | null;
  worktree: string | null;
  branch: string | null;
  version: number;
}

export function taskFromRow(row: TaskRow): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    kind: row.kind as TaskKind,
    status: row.status as Status,
    priority: row.priority as Priority,
    assignee: row.assignee,
    labels: JSON.parse(row.labels) as string[],
    due: row.due,
    parentId: row.parent_id,
    acceptance: JSON.parse(row.acceptance) as string[],
    verify: JSON.parse(row.verify) as string[],
    resources: JSON.parse(row.resources) as Task['resources'],
    links: JSON.parse(row.links) as Task['links'],
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    closedAt: row.closed_at,
    blockReason: row.block_reason,
    completionMessage: row.completion_message,
    leaseExpiresAt: row.lease_expires_at,
    worktree: row.worktree,
    branch: row.branch,
    version: row.version,
  };
}

/** Values in TASK_COLUMNS order. */
export function taskValues(task: Omit<Task, 'id' | 'version'>): unknown[] {
  return [
    task.title, task.description, task.kind, task.status, task.priority, task.assignee,
    JSON.stringify(task.labels), task.due, task.parentId, JSON.stringify(task.acceptance),
    JSON.stringify(task.verify), JSON.stringify(task.resources), JSON.stringify(task.links),
    task.createdBy, task.createdAt, task.updatedAt, task.closedAt, task.blockReason,
    task.completionMessage, task.leaseExpiresAt, task.worktree, task.branch,
  ];
}

export interface EventRow {
  id: number;
  at: string;
  actor: string;
  task_id: number | null;
  type: string;
  payload: string;
  recipients: string;
}

export function eventFromRow(row: EventRow): BoardEvent {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    taskId: row.task_id,
    type: row.type as EventType,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    recipients: JSON.parse(row.recipients) as string[],
  };
}

export interface NoteRow {
  id: number;
  task_id: number;
  author: string;
  body: string;
  created_at: string;
}

export function noteFromRow(row: NoteRow): Note {
  return { id: row.id, taskId: row.task_id, author: row.author, body: row.body, createdAt: row.created_at };
}
