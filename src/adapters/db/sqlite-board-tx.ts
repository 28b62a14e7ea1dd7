import type { Statement } from 'better-sqlite3';
import type { BoardWriter, EventFilter, NewTask, ReadyQuery, RunLock, TaskFilter } from '../../app/ports.js';
import type { Blocker, Dependency, DependencyType } from '../../core/dependency.js';
import { BatonError } from '../../core/errors.js';
import type { BoardEvent, NewEvent } from '../../core/event.js';
import type { GatingEdge, RankedTask } from '../../core/ranking.js';
import type { Status } from '../../core/status.js';
import type { Note, Task } from '../../core/task.js';
import { SqliteImpactTx } from './sqlite-impact-tx.js';
import { SqliteRankIndex } from './sqlite-rank-index.js';
import { SqliteRunLocks } from './sqlite-run-locks.js';
import {
  TASK_COLUMNS, eventFromRow, noteFromRow, taskFromRow, taskValues,
  type EventRow, type NoteRow, type TaskRow,
} from './sqlite-rows.js';

export const GATING = `('blocks','parent-child')`;
/** The statuses in which a blocker is met (see isBlockerMet). */
const CLOSED = `('done','cancelled')`;
const INSERT_TASK = `INSERT INTO tasks (id, ${TASK_COLUMNS.join(', ')}) VALUES (?, ${TASK_COLUMNS.map(() => '?').join(', ')})`;
const UPDATE_TASK =
  `UPDATE tasks SET ${TASK_COLUMNS.map((column) => `${column} = ?`).join(', ')}, version = version + 1 ` +
  'WHERE id = ? AND version = ?';

export type Prepare = (sql: string) => Statement;

/**
 * The reads and writes of one transaction. Writes that change the gating graph or whether a
 * waiting task is closed mark the rank index dirty; the store flushes it before COMMIT.
 */
export class SqliteBoardTx extends SqliteImpactTx implements BoardWriter {
  readonly rankIndex: SqliteRankIndex;
  private readonly runLocks: SqliteRunLocks;

  constructor(sql: Prepare) {
    super(sql);
    this.rankIndex = new SqliteRankIndex(sql);
    this.runLocks = new SqliteRunLocks(sql);
  }

  async getTask(id: number): Promise<Task | null> {
    const row = this.sql('SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined;
    return row ? taskFromRow(row) : null;
  }

  async getTasks(ids: readonly number[]): Promise<Task[]> {
    if (ids.length === 0) return [];
    const rows = this.sql('SELECT * FROM tasks WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as TaskRow[];
    const byId = new Map(rows.map((row) => [row.id, taskFromRow(row)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async listTasks(filter: TaskFilter): Promise<Task[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.statuses && filter.statuses.length > 0) {
      // With the impact-surface filter, `+status` keeps SQLite from walking every in-progress
      // task by status: the (usually tiny) set of tasks with a surface is the better driver.
      const column = filter.withImpactSurface === true ? '+status' : 'status';
      where.push(`${column} IN (${filter.statuses.map(() => '?').join(', ')})`);
      params.push(...filter.statuses);
    }
    if (filter.assignee !== undefined) {
      where.push('assignee = ?');
      params.push(filter.assignee);
    }
    if (filter.kind !== undefined) {
      where.push('kind = ?');
      params.push(filter.kind);
    }
    if (filter.parentId !== undefined) {
      where.push('parent_id = ?');
      params.push(filter.parentId);
    }
    if (filter.withImpactSurface === true) {
      // The first half is served by the partial index tasks_with_surface, so boards whose
      // tasks declare nothing pay nothing here.
      where.push(`id IN (SELECT id FROM tasks WHERE (resources <> '[]' OR links <> '[]') UNION SELECT task_id FROM footprints WHERE paths <> '[]')`);
    }
    if (filter.label !== undefined) {
      where.push('EXISTS (SELECT 1 FROM json_each(tasks.labels) WHERE value = ?)');
      params.push(filter.label);
    }
    const limit = filter.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
    const clause = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    const rows = this.sql(`SELECT * FROM tasks${clause} ORDER BY priority, created_at, id${limit}`).all(...params) as TaskRow[];
    return rows.map(taskFromRow);
  }

  async countTasks(): Promise<number> {
    return (this.sql('SELECT count(*) AS n FROM tasks').get() as { n: number }).n;
  }

  async dependenciesOf(id: number): Promise<(Dependency & { other: Blocker })[]> {
    const rows = this.sql(
      `SELECT d.task_id, d.depends_on_id, d.type, t.id, t.title, t.status FROM dependencies d
       JOIN tasks t ON t.id = d.depends_on_id WHERE d.task_id = ? ORDER BY d.depends_on_id`,
    ).all(id) as LinkRow[];
    return rows.map(linkFromRow);
  }

  async dependentsOf(id: number): Promise<(Dependency & { other: Blocker })[]> {
    const rows = this.sql(
      `SELECT d.task_id, d.depends_on_id, d.type, t.id, t.title, t.status FROM dependencies d
       JOIN tasks t ON t.id = d.task_id WHERE d.depends_on_id = ? ORDER BY d.task_id`,
    ).all(id) as LinkRow[];
    return rows.map(linkFromRow);
  }

  async gatingDependencyIds(id: number): Promise<number[]> {
    return this.sql(`SELECT depends_on_id FROM dependencies WHERE task_id = ? AND type IN ${GATING}`)
      .pluck()
      .all(id) as number[];
  }

  async openGatingEdges(): Promise<GatingEdge[]> {
    // raw() skips building a keyed row object per edge; this runs on every ranked queue read.
    const rows = this.sql(
      `SELECT d.task_id, d.depends_on_id FROM dependencies d
       JOIN tasks t ON t.id = d.task_id WHERE d.type IN ${GATING} AND t.status NOT IN ('done','cancelled')`,
    )
      .raw()
      .all() as [number, number][];
    return rows.map(([taskId, dependsOnId]) => ({ taskId, dependsOnId }));
  }

  async readyQueue(query: ReadyQuery): Promise<RankedTask[]> {
    const where = [
      `t.status = 'open'`,
      `t.kind <> 'idea'`,
      `NOT EXISTS (SELECT 1 FROM dependencies d JOIN tasks b ON b.id = d.depends_on_id
         WHERE d.task_id = t.id AND d.type IN ${GATING} AND b.status NOT IN ${CLOSED})`,
    ];
    const params: unknown[] = [];
    if (query.claimableBy !== undefined) {
      where.push('(t.assignee IS NULL OR t.assignee = ?)');
      params.push(query.claimableBy);
    }
    const limit = query.limit === undefined ? (query.offset ? ' LIMIT -1' : '') : ` LIMIT ${Math.max(0, Math.floor(query.limit))}`;
    const offset = query.offset ? ` OFFSET ${Math.max(0, Math.floor(query.offset))}` : '';
    // The ORDER BY is rankReady's order; tasks_by_rank serves it without a sort.
    return this.sql(
      `SELECT id, priority, unblocks, created_at AS createdAt FROM tasks t WHERE ${where.join(' AND ')}
       ORDER BY priority, unblocks DESC, created_at, id${limit}${offset}`,
    ).all(...params) as RankedTask[];
  }

  async unmetBlockers(id: number): Promise<Blocker[]> {
    return this.sql(
      `SELECT b.id, b.title, b.status FROM dependencies d JOIN tasks b ON b.id = d.depends_on_id
       WHERE d.task_id = ? AND d.type IN ${GATING} AND b.status NOT IN ${CLOSED} ORDER BY b.id`,
    ).all(id) as Blocker[];
  }

  async blockedTasks(): Promise<{ task: Task; blockers: Blocker[] }[]> {
    const rows = this.sql(`SELECT * FROM tasks WHERE status = 'blocked' ORDER BY priority, created_at, id`).all() as TaskRow[];
    const result = [];
    for (const row of rows) result.push({ task: taskFromRow(row), blockers: await this.unmetBlockers(row.id) });
    return result;
  }

  async notesOf(taskId: number): Promise<Note[]> {
    return (this.sql('SELECT * FROM notes WHERE task_id = ? ORDER BY id').all(taskId) as NoteRow[]).map(noteFromRow);
  }

  async events(filter: EventFilter): Promise<BoardEvent[]> {
    const where = ['id > ?'];
    const params: unknown[] = [filter.afterId ?? 0];
    if (filter.taskId !== undefined) {
      where.push('task_id = ?');
      params.push(filter.taskId);
    }
    if (filter.types && filter.types.length > 0) {
      where.push(`type IN (${filter.types.map(() => '?').join(', ')})`);
      params.push(...filter.types);
    }
    if (filter.actor !== undefined) {
      where.push('actor = ?');
      params.push(filter.actor);
    }
    if (filter.recipient !== undefined) {
      where.push('EXISTS (SELECT 1 FROM json_each(events.recipients) WHERE value = ?)');
      params.push(filter.recipient);
    }
    const limit = filter.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
    const rows = this.sql(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY id${limit}`).all(...params) as EventRow[];
    return rows.map(eventFromRow);
  }

  async lastEventId(): Promise<number> {
    return (this.sql('SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number }).id;
  }

  async expiredLeases(nowIso: string): Promise<Task[]> {
    const rows = this.sql(
      `SELECT * FROM tasks WHERE status = 'in_progress' AND lease_expires_at IS NOT NULL AND lease_expires_at <= ? ORDER BY id`,
    ).all(nowIso) as TaskRow[];
    return rows.map(taskFromRow);
  }

  async taskBoundTo(worktree: string): Promise<Task | null> {
    const row = this.sql(
      `SELECT * FROM tasks WHERE worktree = ? AND status IN ('in_progress','review') ORDER BY updated_at DESC LIMIT 1`,
    ).get(worktree) as TaskRow | undefined;
    return row ? taskFromRow(row) : null;
  }

  async allDependencies(): Promise<(Dependency & { createdAt: string })[]> {
    return this.sql(
      'SELECT task_id AS taskId, depends_on_id AS dependsOnId, type, created_at AS createdAt FROM dependencies ORDER BY task_id, depends_on_id',
    ).all() as (Dependency & { createdAt: string })[];
  }

  async allNotes(): Promise<Note[]> {
    return (this.sql('SELECT * FROM notes ORDER BY id').all() as NoteRow[]).map(noteFromRow);
  }

  async boardId(): Promise<string> {
    return this.runLocks.boardId();
  }

  async schemaText(): Promise<string> {
    return (this.sql(`SELECT group_concat(type || ' ' || name || ' ' || coalesce(sql, ''), char(10)) FROM (SELECT * FROM sqlite_schema ORDER BY type, name)`).pluck().get() as string | null) ?? '';
  }

  async runLock(taskId: number): Promise<RunLock | null> {
    return this.runLocks.get(taskId);
  }

  async saveRunLock(lock: RunLock): Promise<void> {
    this.runLocks.save(lock);
  }

  async deleteRunLock(taskId: number, token: string): Promise<boolean> {
    return this.runLocks.delete(taskId, token);
  }

  async insertTask(task: NewTask): Promise<Task> {
    const info = this.sql(INSERT_TASK).run(task.id ?? null, ...taskValues(task));
    return { ...task, id: Number(info.lastInsertRowid), version: 1 };
  }

  async updateTask(task: Task): Promise<Task> {
    const before = this.sql('SELECT status FROM tasks WHERE id = ?').pluck().get(task.id) as Status | undefined;
    if (before !== undefined) this.rankIndex.statusChanging(task.id, before, task.status);
    const info = this.sql(UPDATE_TASK).run(...taskValues(task), task.id, task.version);
    if (info.changes !== 1) {
      throw new BatonError('CONFLICT', `task #${task.id} changed while it was being updated; run the command again`, { id: task.id });
    }
    return { ...task, version: task.version + 1 };
  }

  async addDependency(dependency: Dependency, createdAt: string): Promise<void> {
    this.rankIndex.edgeChanged(dependency.dependsOnId);
    this.sql(
      `INSERT INTO dependencies (task_id, depends_on_id, type, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (task_id, depends_on_id) DO UPDATE SET type = excluded.type`,
    ).run(dependency.taskId, dependency.dependsOnId, dependency.type, createdAt);
  }

  async removeDependency(taskId: number, dependsOnId: number): Promise<boolean> {
    this.rankIndex.edgeChanged(dependsOnId);
    return this.sql('DELETE FROM dependencies WHERE task_id = ? AND depends_on_id = ?').run(taskId, dependsOnId).changes > 0;
  }

  async addNote(note: Omit<Note, 'id'> & { id?: number }): Promise<Note> {
    const info = this.sql('INSERT INTO notes (id, task_id, author, body, created_at) VALUES (?, ?, ?, ?, ?)').run(
      note.id ?? null, note.taskId, note.author, note.body, note.createdAt,
    );
    return { ...note, id: Number(info.lastInsertRowid) };
  }

  async appendEvent(event: NewEvent, at: string): Promise<BoardEvent> {
    const info = this.sql(
      'INSERT INTO events (at, actor, task_id, type, payload, recipients) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(at, event.actor, event.taskId, event.type, JSON.stringify(event.payload), JSON.stringify(event.recipients));
    return { ...event, id: Number(info.lastInsertRowid), at };
  }

  async restoreEvent(event: BoardEvent): Promise<void> {
    this.sql('INSERT INTO events (id, at, actor, task_id, type, payload, recipients) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      event.id, event.at, event.actor, event.taskId, event.type, JSON.stringify(event.payload), JSON.stringify(event.recipients),
    );
  }
}

interface LinkRow {
  task_id: number;
  depends_on_id: number;
  type: string;
  id: number;
  title: string;
  status: string;
}

function linkFromRow(row: LinkRow): Dependency & { other: Blocker } {
  return {
    taskId: row.task_id,
    dependsOnId: row.depends_on_id,
    type: row.type as DependencyType,
    other: { id: row.id, title: row.title, status: row.status as Status },
  };
}
