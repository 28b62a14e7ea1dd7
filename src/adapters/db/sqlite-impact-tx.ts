import type { Statement } from 'better-sqlite3';
import type { FindingChange, FindingFilter, ImpactWriter, Reservation, StoredFootprint } from '../../app/ports.js';
import type { Finding, FindingDraft, FindingKind, FindingStatus, Severity } from '../../core/finding.js';

type Prepare = (sql: string) => Statement;

/** The impact-awareness half of a SQLite transaction: footprints, findings, reservations. */
export class SqliteImpactTx implements ImpactWriter {
  constructor(protected readonly sql: Prepare) {}

  async footprintOf(taskId: number): Promise<StoredFootprint | null> {
    const row = this.sql('SELECT * FROM footprints WHERE task_id = ?').get(taskId) as FootprintRow | undefined;
    return row ? footprintFromRow(row) : null;
  }

  async footprintsOf(taskIds: readonly number[]): Promise<StoredFootprint[]> {
    if (taskIds.length === 0) return [];
    const rows = this.sql('SELECT * FROM footprints WHERE task_id IN (SELECT value FROM json_each(?)) ORDER BY task_id').all(
      JSON.stringify(taskIds),
    ) as FootprintRow[];
    return rows.map(footprintFromRow);
  }

  async saveFootprint(footprint: StoredFootprint): Promise<void> {
    this.sql(
      `INSERT INTO footprints (task_id, worktree, branch, base, merge_base, paths, refreshed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (task_id) DO UPDATE SET worktree = excluded.worktree, branch = excluded.branch, base = excluded.base,
         merge_base = excluded.merge_base, paths = excluded.paths, refreshed_at = excluded.refreshed_at`,
    ).run(footprint.taskId, footprint.worktree, footprint.branch, footprint.base, footprint.mergeBase, JSON.stringify(footprint.paths), footprint.refreshedAt);
  }

  async findings(filter: FindingFilter): Promise<Finding[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const equal = (column: string, value: unknown): void => {
      where.push(`${column} = ?`);
      params.push(value);
    };
    const within = (column: string, values: readonly string[] | undefined): void => {
      if (!values || values.length === 0) return;
      where.push(`${column} IN (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    };
    if (filter.taskId !== undefined) equal('task_id', filter.taskId);
    if (filter.otherTaskId !== undefined) equal('other_task_id', filter.otherTaskId);
    if (filter.recipient !== undefined) equal('recipient', filter.recipient);
    within('status', filter.statuses);
    within('kind', filter.kinds);
    const clause = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    return (this.sql(`SELECT * FROM findings${clause} ORDER BY id`).all(...params) as FindingRow[]).map(findingFromRow);
  }

  async getFinding(id: number): Promise<Finding | null> {
    const row = this.sql('SELECT * FROM findings WHERE id = ?').get(id) as FindingRow | undefined;
    return row ? findingFromRow(row) : null;
  }

  async openFindingCounts(taskIds: readonly number[]): Promise<Map<number, number>> {
    if (taskIds.length === 0) return new Map();
    const rows = this.sql(
      `SELECT task_id, count(*) FROM findings WHERE status = 'open' AND task_id IN (SELECT value FROM json_each(?)) GROUP BY task_id`,
    )
      .raw()
      .all(JSON.stringify(taskIds)) as [number, number][];
    return new Map(rows);
  }

  async upsertFinding(draft: FindingDraft, recipient: string | null, createdAt: string): Promise<FindingChange | null> {
    const existing = this.sql('SELECT * FROM findings WHERE key = ?').get(draft.key) as FindingRow | undefined;
    if (!existing) {
      const row = this.sql(
        `INSERT INTO findings (kind, severity, task_id, other_task_id, recipient, subject, paths, message, key, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ).get(draft.kind, draft.severity, draft.taskId, draft.otherTaskId, recipient, draft.subject, JSON.stringify(draft.paths), draft.message, draft.key, createdAt) as FindingRow;
      return { change: 'created', finding: findingFromRow(row) };
    }
    const finding = findingFromRow(existing);
    const closedByBaton = finding.status === 'resolved' && finding.resolvedBy === 'baton';
    // A new recipient counts as a change: the task changed hands, and its new holder must hear of it.
    const changed = finding.status !== 'resolved' && (finding.message !== draft.message || finding.recipient !== recipient);
    if (!closedByBaton && !changed) return null;
    const updated: Finding = {
      ...finding,
      subject: draft.subject,
      paths: draft.paths,
      message: draft.message,
      recipient,
      // Detected again after it went away: an acknowledgement of the old conflict does not cover the new one.
      ...(closedByBaton && { status: 'open', createdAt, ackedAt: null, ackedBy: null, ackMessage: null, resolvedAt: null, resolvedBy: null }),
    };
    this.sql(
      `UPDATE findings SET subject = ?, paths = ?, message = ?, recipient = ?, status = ?, created_at = ?, acked_at = ?, acked_by = ?, ack_message = ?,
         resolved_at = NULL, resolved_by = ? WHERE id = ?`,
    ).run(
      updated.subject, JSON.stringify(updated.paths), updated.message, updated.recipient, updated.status, updated.createdAt,
      updated.ackedAt, updated.ackedBy, updated.ackMessage, updated.resolvedBy, updated.id,
    );
    return { change: closedByBaton ? 'reopened' : 'updated', finding: updated };
  }

  async updateFinding(finding: Finding): Promise<void> {
    this.sql(
      `UPDATE findings SET recipient = ?, status = ?, event_id = ?, acked_at = ?, acked_by = ?, ack_message = ?, resolved_at = ?, resolved_by = ?
       WHERE id = ?`,
    ).run(finding.recipient, finding.status, finding.eventId, finding.ackedAt, finding.ackedBy, finding.ackMessage, finding.resolvedAt, finding.resolvedBy, finding.id);
  }

  async activeReservations(nowIso: string): Promise<Reservation[]> {
    const rows = this.sql(
      `SELECT r.* FROM reservations r JOIN tasks t ON t.id = r.task_id
       WHERE t.status NOT IN ('done','cancelled') AND (r.expires_at IS NULL OR r.expires_at > ?) ORDER BY r.id`,
    ).all(nowIso) as ReservationRow[];
    return rows.map(reservationFromRow);
  }

  async saveReservation(reservation: Omit<Reservation, 'id'>): Promise<Reservation> {
    const row = this.sql(
      `INSERT INTO reservations (task_id, pattern, shared, holder, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (task_id, pattern) DO UPDATE SET shared = excluded.shared, holder = excluded.holder,
         created_at = excluded.created_at, expires_at = excluded.expires_at
       RETURNING *`,
    ).get(reservation.taskId, reservation.pattern, reservation.shared ? 1 : 0, reservation.holder, reservation.createdAt, reservation.expiresAt) as ReservationRow;
    return reservationFromRow(row);
  }

  async removeReservations(taskId: number, patterns: readonly string[] | null): Promise<number> {
    if (patterns === null) return this.sql('DELETE FROM reservations WHERE task_id = ?').run(taskId).changes;
    return this.sql('DELETE FROM reservations WHERE task_id = ? AND pattern IN (SELECT value FROM json_each(?))').run(taskId, JSON.stringify(patterns)).changes;
  }
}

interface FootprintRow {
  task_id: number;
  worktree: string;
  branch: string | null;
  base: string;
  merge_base: string | null;
  paths: string;
  refreshed_at: string;
}

function footprintFromRow(row: FootprintRow): StoredFootprint {
  return {
    taskId: row.task_id,
    worktree: row.worktree,
    branch: row.branch,
    base: row.base,
    mergeBase: row.merge_base,
    paths: JSON.parse(row.paths) as string[],
    refreshedAt: row.refreshed_at,
  };
}

interface FindingRow {
  id: number;
  kind: string;
  severity: string;
  task_id: number;
  other_task_id: number | null;
  recipient: string | null;
  subject: string;
  paths: string;
  message: string;
  key: string;
  status: string;
  created_at: string;
  event_id: number | null;
  acked_at: string | null;
  acked_by: string | null;
  ack_message: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
}

function findingFromRow(row: FindingRow): Finding {
  return {
    id: row.id,
    kind: row.kind as FindingKind,
    severity: row.severity as Severity,
    taskId: row.task_id,
    otherTaskId: row.other_task_id,
    recipient: row.recipient,
    subject: row.subject,
    paths: JSON.parse(row.paths) as string[],
    message: row.message,
    key: row.key,
    status: row.status as FindingStatus,
    createdAt: row.created_at,
    eventId: row.event_id,
    ackedAt: row.acked_at,
    ackedBy: row.acked_by,
    ackMessage: row.ack_message,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
  };
}

interface ReservationRow {
  id: number;
  task_id: number;
  pattern: string;
  shared: number;
  holder: string;
  created_at: string;
  expires_at: string | null;
}

function reservationFromRow(row: ReservationRow): Reservation {
  return {
    id: row.id,
    taskId: row.task_id,
    pattern: row.pattern,
    shared: row.shared === 1,
    holder: row.holder,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
