import type { Statement } from 'better-sqlite3';
import { isClosed } from '../../core/dependency.js';
import type { Status } from '../../core/status.js';

const GATING = `('blocks','parent-child')`;

/** Every task upstream of the roots (what they wait on, transitively), the roots included. */
const UPSTREAM = `WITH RECURSIVE up(id) AS (
  SELECT value FROM json_each(?)
  UNION SELECT d.depends_on_id FROM dependencies d JOIN up ON d.task_id = up.id WHERE d.type IN ${GATING})
SELECT id FROM up`;

/** rankReady's `unblocks` for one task: not-closed tasks waiting on it, directly or not. */
const COUNT_WAITING = `WITH RECURSIVE down(id) AS (
  SELECT d.task_id FROM dependencies d JOIN tasks w ON w.id = d.task_id
    WHERE d.depends_on_id = ? AND d.type IN ${GATING} AND w.status NOT IN ('done','cancelled')
  UNION SELECT d.task_id FROM dependencies d JOIN down ON d.depends_on_id = down.id JOIN tasks w ON w.id = d.task_id
    WHERE d.type IN ${GATING} AND w.status NOT IN ('done','cancelled'))
SELECT count(*) FROM down`;

/**
 * Keeps `tasks.unblocks` equal to core `rankReady`'s count of work waiting on each task, so the
 * ready queue is one indexed query instead of a graph walk on every `ready` and `claim --next`.
 * Writes only note which tasks' counts may have moved; `flush` recounts them (and everything
 * upstream of them) once, just before COMMIT. The property test in app/ready-queue.test.ts
 * holds the index to rankReady after random sequences of changes.
 */
export class SqliteRankIndex {
  /** Tasks whose count, and the counts of everything they wait on, need recounting. */
  private readonly roots = new Set<number>();

  constructor(private readonly sql: (text: string) => Statement) {}

  /** A gating edge into `dependsOnId` appeared, vanished or changed type. */
  edgeChanged(dependsOnId: number): void {
    this.roots.add(dependsOnId);
  }

  /** A task that opens or closes stops or starts counting for everything it waits on. */
  statusChanging(taskId: number, from: Status, to: Status): void {
    if (isClosed(from) === isClosed(to)) return;
    const targets = this.sql(`SELECT depends_on_id FROM dependencies WHERE task_id = ? AND type IN ${GATING}`).pluck().all(taskId) as number[];
    for (const target of targets) this.roots.add(target);
  }

  flush(): void {
    if (this.roots.size === 0) return;
    const affected = this.sql(UPSTREAM).pluck().all(JSON.stringify([...this.roots])) as number[];
    this.roots.clear();
    const count = this.sql(COUNT_WAITING).pluck();
    const store = this.sql('UPDATE tasks SET unblocks = ? WHERE id = ? AND unblocks <> ?');
    for (const id of affected) {
      const unblocks = count.get(id) as number;
      store.run(unblocks, id, unblocks);
    }
  }

  discard(): void {
    this.roots.clear();
  }
}
