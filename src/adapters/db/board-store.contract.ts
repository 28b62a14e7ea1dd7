import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BoardStore, BoardWriter, FindingChange, FindingFilter, NewTask, Reservation, StoredFootprint, TaskFilter } from '../../app/ports.js';
import type { Dependency } from '../../core/dependency.js';
import type { BoardEvent, NewEvent } from '../../core/event.js';
import type { Finding, FindingDraft } from '../../core/finding.js';
import type { Priority } from '../../core/priority.js';
import { newTaskRecord, type Task } from '../../core/task.js';

/** A fresh, empty board for one test. */
export interface OpenedBoard {
  store: BoardStore;
  /** Opens another connection to the same board, as a second process would. */
  connect: () => Promise<BoardStore>;
  /** Closes what the test left open and removes the board. */
  cleanup: () => Promise<void>;
}

const T0 = Date.parse('2025-01-01T00:00:00.000Z');

/** An ISO time `minutes` after a fixed start, so tests can order rows by age. */
function at(minutes: number): string {
  return new Date(T0 + minutes * 60_000).toISOString();
}

function newTask(fields: Partial<NewTask> = {}): NewTask {
  return newTaskRecord({ title: 'A task', createdBy: 'alice', createdAt: at(0), ...fields });
}

function newEvent(fields: Partial<NewEvent> = {}): NewEvent {
  return { actor: 'alice', taskId: null, type: 'task_updated', payload: {}, recipients: [], ...fields };
}

async function insertAll(store: BoardStore, tasks: readonly Partial<NewTask>[]): Promise<Task[]> {
  return store.write(async (tx) => {
    const inserted: Task[] = [];
    for (const fields of tasks) inserted.push(await tx.insertTask(newTask(fields)));
    return inserted;
  });
}

async function link(store: BoardStore, dependencies: readonly Dependency[]): Promise<void> {
  await store.write(async (tx) => {
    for (const dependency of dependencies) await tx.addDependency(dependency, at(1));
  });
}

function footprint(taskId: number, paths: string[]): StoredFootprint {
  return { taskId, worktree: `/repo/wt-${taskId}`, branch: `task-${taskId}`, base: 'main', mergeBase: 'abc123', paths, refreshedAt: at(2) };
}

/** A finding from task 1's side about task 2, unless `fields` say otherwise. */
function draft(fields: Partial<FindingDraft> = {}): FindingDraft {
  return {
    kind: 'overlap',
    severity: 'medium',
    taskId: 1,
    otherTaskId: 2,
    subject: 'a.ts',
    paths: ['a.ts'],
    message: "#1 'a' and #2 'b' are both working on a.ts",
    key: 'overlap:1:2:',
    ...fields,
  };
}

function ids(rows: readonly { id: number }[]): number[] {
  return rows.map((row) => row.id);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/**
 * The behaviour every BoardStore must show, whatever database is behind it. Each
 * implementation runs this suite unchanged with its own `open`.
 */
export function describeBoardStoreContract(name: string, open: () => Promise<OpenedBoard>): void {
  describe(`BoardStore contract: ${name}`, () => {
    let board: OpenedBoard;
    let store: BoardStore;

    beforeEach(async () => {
      board = await open();
      store = board.store;
    });

    afterEach(async () => {
      await board.cleanup();
    });

    describe('tasks', () => {
      it('inserts a task with every field intact, numbering ids upward from 1 at version 1', async () => {
        const full = newTask({
          title: 'Implement auth',
          description: 'Add login + signup',
          kind: 'feature',
          status: 'in_progress',
          priority: 0,
          assignee: 'bob',
          labels: ['api', 'auth'],
          due: '2025-09-01',
          acceptance: ['users can log in'],
          verify: ['npm test'],
          resources: [{ mode: 'modifies', kind: 'endpoint', name: 'POST /api/login' }],
          links: [{ kind: 'file', path: 'app/auth.py', startLine: 3, endLine: 9 }, { kind: 'url', url: 'https://example.com/' }],
          createdBy: 'carol',
          createdAt: at(1),
          updatedAt: at(2),
          closedAt: at(3),
          blockReason: 'why',
          completionMessage: 'Merged PR #1',
          leaseExpiresAt: at(30),
          worktree: '/repo/.worktrees/auth',
          branch: 'auth',
        });
        const [first, second] = await insertAll(store, [full, { title: 'Second', parentId: 1 }]);
        expect(first).toEqual({ ...full, id: 1, version: 1 });
        expect(second).toMatchObject({ id: 2, version: 1, parentId: 1 });
        expect(await store.read((tx) => tx.getTask(1))).toEqual({ ...full, id: 1, version: 1 });
        expect(await store.read((tx) => tx.getTask(2))).toEqual(second);
      });

      it('keeps an explicit id (import) and numbers later tasks after it', async () => {
        const [imported, next] = await insertAll(store, [{ id: 40, title: 'Imported' }, { title: 'Next' }]);
        expect(imported?.id).toBe(40);
        expect(next?.id).toBeGreaterThan(40);
        expect((await store.read((tx) => tx.getTask(40)))?.title).toBe('Imported');
      });

      it('returns null for a task that does not exist', async () => {
        expect(await store.read((tx) => tx.getTask(1))).toBeNull();
        expect(await store.read((tx) => tx.countTasks())).toBe(0);
      });

      it('gets several tasks in the order asked, skipping missing ids', async () => {
        await insertAll(store, [{ title: 'one' }, { title: 'two' }, { title: 'three' }]);
        const found = await store.read((tx) => tx.getTasks([3, 99, 1]));
        expect(found.map((task) => task.title)).toEqual(['three', 'one']);
        expect(await store.read((tx) => tx.getTasks([]))).toEqual([]);
        expect(await store.read((tx) => tx.countTasks())).toBe(3);
      });

      it('lists tasks by priority, then age, then id, narrowed by every filter', async () => {
        await insertAll(store, [
          { title: 't1', priority: 3, status: 'open', assignee: 'alice', labels: ['api'], createdAt: at(5) },
          { title: 't2', priority: 1, status: 'in_progress', assignee: 'bob', labels: ['ui', 'api'], createdAt: at(1) },
          { title: 't3', priority: 1, status: 'done', kind: 'bug', createdAt: at(1) },
          { title: 't4', priority: 0, status: 'open', kind: 'bug', parentId: 1 },
          { title: 't5', priority: 3, status: 'blocked', assignee: 'alice', parentId: 1, labels: ['apis'], createdAt: at(2) },
        ]);
        const list = (filter: Parameters<BoardWriter['listTasks']>[0]): Promise<number[]> =>
          store.read(async (tx) => ids(await tx.listTasks(filter)));
        expect(await list({})).toEqual([4, 2, 3, 5, 1]);
        expect(await list({ statuses: ['open', 'blocked'] })).toEqual([4, 5, 1]);
        expect(await list({ statuses: [] })).toEqual([4, 2, 3, 5, 1]);
        expect(await list({ assignee: 'alice' })).toEqual([5, 1]);
        expect(await list({ label: 'api' })).toEqual([2, 1]);
        expect(await list({ kind: 'bug' })).toEqual([4, 3]);
        expect(await list({ parentId: 1 })).toEqual([4, 5]);
        expect(await list({ statuses: ['open'], assignee: 'alice', label: 'api' })).toEqual([1]);
        expect(await list({ limit: 2 })).toEqual([4, 2]);
        expect(await list({ limit: 0 })).toEqual([]);
        expect(await list({ assignee: 'nobody' })).toEqual([]);
      });
    });

    describe('updateTask', () => {
      it('writes every field and bumps the version', async () => {
        const [task] = await insertAll(store, [{ title: 'before' }]);
        const changed: Task = {
          ...(task as Task),
          title: 'after',
          status: 'in_progress',
          assignee: 'bob',
          labels: ['x'],
          leaseExpiresAt: at(30),
          worktree: '/w',
          branch: 'b',
          updatedAt: at(5),
        };
        const updated = await store.write((tx) => tx.updateTask(changed));
        expect(updated).toEqual({ ...changed, version: 2 });
        expect(await store.read((tx) => tx.getTask(1))).toEqual({ ...changed, version: 2 });
      });

      it('refuses a stale version with CONFLICT and keeps the newer row', async () => {
        const [task] = await insertAll(store, [{ title: 'v1' }]);
        const stale = task as Task;
        await store.write((tx) => tx.updateTask({ ...stale, title: 'v2' }));
        const error = await rejection(store.write((tx) => tx.updateTask({ ...stale, title: 'lost update' })));
        expect(error).toMatchObject({ code: 'CONFLICT' });
        expect(await store.read((tx) => tx.getTask(1))).toMatchObject({ title: 'v2', version: 2 });
      });

      it('refuses an update of a task that does not exist with CONFLICT', async () => {
        const ghost: Task = { ...newTask(), id: 5, version: 1 };
        expect(await rejection(store.write((tx) => tx.updateTask(ghost)))).toMatchObject({ code: 'CONFLICT' });
        expect(await store.read((tx) => tx.countTasks())).toBe(0);
      });

      it('sees a write from another connection and refuses the version it replaced', async () => {
        const [task] = await insertAll(store, [{ title: 'v1' }]);
        const other = await board.connect();
        await other.write(async (tx) => tx.updateTask({ ...(task as Task), title: 'theirs' }));
        await other.close();
        const error = await rejection(store.write((tx) => tx.updateTask({ ...(task as Task), title: 'mine' })));
        expect(error).toMatchObject({ code: 'CONFLICT' });
        expect(await store.read((tx) => tx.getTask(1))).toMatchObject({ title: 'theirs', version: 2 });
      });
    });

    describe('transactions', () => {
      it('leaves nothing behind when the work throws: neither the task nor its event', async () => {
        const failure = new Error('boom after the writes');
        const error = await rejection(
          store.write(async (tx) => {
            const task = await tx.insertTask(newTask({ title: 'doomed' }));
            await tx.appendEvent(newEvent({ taskId: task.id, type: 'task_created' }), at(0));
            await tx.addNote({ taskId: task.id, author: 'alice', body: 'doomed note', createdAt: at(0) });
            throw failure;
          }),
        );
        expect(error).toBe(failure);
        const after = await store.read(async (tx) => ({
          count: await tx.countTasks(),
          task: await tx.getTask(1),
          events: await tx.events({}),
          lastEventId: await tx.lastEventId(),
          notes: await tx.allNotes(),
        }));
        expect(after).toEqual({ count: 0, task: null, events: [], lastEventId: 0, notes: [] });
      });

      it('undoes updates and dependency changes too, and keeps working afterwards', async () => {
        const [a, b] = await insertAll(store, [{ title: 'a' }, { title: 'b' }]);
        await link(store, [{ taskId: 1, dependsOnId: 2, type: 'blocks' }]);
        await rejection(
          store.write(async (tx) => {
            await tx.updateTask({ ...(a as Task), title: 'changed' });
            await tx.removeDependency(1, 2);
            await tx.addDependency({ taskId: 2, dependsOnId: 1, type: 'related' }, at(2));
            await tx.updateTask({ ...(b as Task), version: 99 });
          }),
        );
        const snapshot = await store.read(async (tx) => ({ a: await tx.getTask(1), deps: await tx.allDependencies() }));
        expect(snapshot.a).toEqual(a);
        expect(snapshot.deps).toEqual([{ taskId: 1, dependsOnId: 2, type: 'blocks', createdAt: at(1) }]);
        await insertAll(store, [{ title: 'c' }]);
        expect(await store.read((tx) => tx.countTasks())).toBe(3);
      });

      it('returns what the work returns', async () => {
        expect(await store.write(async () => 42)).toBe(42);
        expect(await store.read(async (tx) => tx.countTasks())).toBe(0);
      });

      it('runs many writes started at once on one connection, each whole', async () => {
        const tasks = await Promise.all(
          Array.from({ length: 12 }, (_, index) =>
            store.write(async (tx) => {
              const task = await tx.insertTask(newTask({ title: `t${index}` }));
              await tx.appendEvent(newEvent({ taskId: task.id, type: 'task_created' }), at(index));
              return task;
            }),
          ),
        );
        expect(new Set(ids(tasks)).size).toBe(12);
        const events = await store.read((tx) => tx.events({}));
        expect(events.map((event) => event.taskId).sort((x, y) => (x as number) - (y as number))).toEqual(
          ids(tasks).sort((x, y) => x - y),
        );
      });

      it('reads one snapshot: a commit from another connection is not seen mid-read', async () => {
        await insertAll(store, [{ title: 'first' }]);
        const other = await board.connect();
        const seen = await store.read(async (tx) => {
          const before = await tx.countTasks();
          await other.write((otherTx) => otherTx.insertTask(newTask({ title: 'second' })));
          return { before, after: await tx.countTasks(), task: await tx.getTask(2) };
        });
        await other.close();
        expect(seen).toEqual({ before: 1, after: 1, task: null });
        expect(await store.read((tx) => tx.countTasks())).toBe(2);
      });
    });

    describe('dependencies', () => {
      beforeEach(async () => {
        await insertAll(store, [
          { title: 'one', status: 'open' },
          { title: 'two', status: 'done' },
          { title: 'three', status: 'in_progress' },
          { title: 'four', status: 'cancelled' },
        ]);
      });

      it('reads both ends of every edge with the task at the other end', async () => {
        await link(store, [
          { taskId: 1, dependsOnId: 3, type: 'blocks' },
          { taskId: 1, dependsOnId: 2, type: 'related' },
          { taskId: 4, dependsOnId: 3, type: 'parent-child' },
        ]);
        const seen = await store.read(async (tx) => ({
          of1: await tx.dependenciesOf(1),
          on3: await tx.dependentsOf(3),
          of3: await tx.dependenciesOf(3),
        }));
        expect(seen.of1).toEqual([
          { taskId: 1, dependsOnId: 2, type: 'related', other: { id: 2, title: 'two', status: 'done' } },
          { taskId: 1, dependsOnId: 3, type: 'blocks', other: { id: 3, title: 'three', status: 'in_progress' } },
        ]);
        expect(seen.on3).toEqual([
          { taskId: 1, dependsOnId: 3, type: 'blocks', other: { id: 1, title: 'one', status: 'open' } },
          { taskId: 4, dependsOnId: 3, type: 'parent-child', other: { id: 4, title: 'four', status: 'cancelled' } },
        ]);
        expect(seen.of3).toEqual([]);
      });

      it('adding an existing edge again replaces its type', async () => {
        await link(store, [{ taskId: 1, dependsOnId: 3, type: 'related' }]);
        await store.write((tx) => tx.addDependency({ taskId: 1, dependsOnId: 3, type: 'blocks' }, at(9)));
        const all = await store.read((tx) => tx.allDependencies());
        expect(all).toHaveLength(1);
        expect(all[0]).toMatchObject({ taskId: 1, dependsOnId: 3, type: 'blocks' });
      });

      it('removes an edge, saying whether there was one', async () => {
        await link(store, [{ taskId: 1, dependsOnId: 3, type: 'blocks' }]);
        expect(await store.write((tx) => tx.removeDependency(1, 3))).toBe(true);
        expect(await store.write((tx) => tx.removeDependency(1, 3))).toBe(false);
        expect(await store.write((tx) => tx.removeDependency(3, 1))).toBe(false);
        expect(await store.read((tx) => tx.dependenciesOf(1))).toEqual([]);
      });

      it('lists only gating edges for cycle checks and readiness', async () => {
        await link(store, [
          { taskId: 1, dependsOnId: 2, type: 'blocks' },
          { taskId: 1, dependsOnId: 3, type: 'parent-child' },
          { taskId: 1, dependsOnId: 4, type: 'related' },
          { taskId: 3, dependsOnId: 4, type: 'discovered-from' },
        ]);
        const gating = await store.read((tx) => tx.gatingDependencyIds(1));
        expect([...gating].sort()).toEqual([2, 3]);
        expect(await store.read((tx) => tx.gatingDependencyIds(3))).toEqual([]);
      });

      it('keeps gating edges whose waiting task is not closed for the ranking graph', async () => {
        await link(store, [
          { taskId: 1, dependsOnId: 3, type: 'blocks' }, // open waits: kept
          { taskId: 3, dependsOnId: 1, type: 'related' }, // not gating: dropped
          { taskId: 2, dependsOnId: 3, type: 'blocks' }, // done waits: dropped
          { taskId: 4, dependsOnId: 3, type: 'parent-child' }, // cancelled waits: dropped
          { taskId: 3, dependsOnId: 2, type: 'parent-child' }, // in_progress waits on a done task: kept
        ]);
        const edges = await store.read((tx) => tx.openGatingEdges());
        const sorted = [...edges].sort((x, y) => x.taskId - y.taskId);
        expect(sorted).toEqual([{ taskId: 1, dependsOnId: 3 }, { taskId: 3, dependsOnId: 2 }]);
      });

      it('names the gating blockers that are not closed yet, by id (a cancelled one gates nothing)', async () => {
        await link(store, [
          { taskId: 1, dependsOnId: 4, type: 'blocks' },
          { taskId: 1, dependsOnId: 2, type: 'blocks' },
          { taskId: 1, dependsOnId: 3, type: 'parent-child' },
        ]);
        await insertAll(store, [{ title: 'five' }]);
        await link(store, [{ taskId: 1, dependsOnId: 5, type: 'related' }]);
        expect(await store.read((tx) => tx.unmetBlockers(1))).toEqual([
          { id: 3, title: 'three', status: 'in_progress' },
        ]);
        expect(await store.read((tx) => tx.unmetBlockers(2))).toEqual([]);
      });

      it('lists the blocked tasks with their unmet blockers, by priority, age, id', async () => {
        await insertAll(store, [
          { title: 'five', status: 'blocked', priority: 3, blockReason: 'legal' },
          { title: 'six', status: 'blocked', priority: 1, createdAt: at(3) },
          { title: 'seven', status: 'blocked', priority: 1, createdAt: at(2) },
        ]);
        await link(store, [
          { taskId: 6, dependsOnId: 3, type: 'blocks' },
          { taskId: 6, dependsOnId: 2, type: 'blocks' },
        ]);
        const blocked = await store.read((tx) => tx.blockedTasks());
        expect(blocked.map((entry) => [entry.task.id, entry.blockers])).toEqual([
          [7, []],
          [6, [{ id: 3, title: 'three', status: 'in_progress' }]],
          [5, []],
        ]);
        expect(blocked[2]?.task.blockReason).toBe('legal');
      });

      it('lists every edge with the time it was made, by task then target', async () => {
        await store.write(async (tx) => {
          await tx.addDependency({ taskId: 3, dependsOnId: 1, type: 'blocks' }, at(7));
          await tx.addDependency({ taskId: 1, dependsOnId: 4, type: 'related' }, at(8));
          await tx.addDependency({ taskId: 1, dependsOnId: 2, type: 'discovered-from' }, at(9));
        });
        expect(await store.read((tx) => tx.allDependencies())).toEqual([
          { taskId: 1, dependsOnId: 2, type: 'discovered-from', createdAt: at(9) },
          { taskId: 1, dependsOnId: 4, type: 'related', createdAt: at(8) },
          { taskId: 3, dependsOnId: 1, type: 'blocks', createdAt: at(7) },
        ]);
      });
    });

    describe('ready queue reads', () => {
      /**
       * 1 open p2 (ready)          5 open p1, waits on 2 (done): ready
       * 2 done                     6 open p1, waits on 3 (in_progress): not ready
       * 3 in_progress              7 open p2 idea: never ready
       * 4 open p0 bob (ready)      8 open p2, related to 3 only: ready
       * 9 open p3 alice, waits on 10 (cancelled): ready         10 cancelled
       * 11 blocked p0: not ready   12 open p2, older than 1: ready, parent-child on 2 (done)
       */
      beforeEach(async () => {
        await insertAll(store, [
          { priority: 2, createdAt: at(10) },
          { status: 'done' },
          { status: 'in_progress', priority: 0 },
          { priority: 0, assignee: 'bob', createdAt: at(11) },
          { priority: 1, createdAt: at(12) },
          { priority: 1 },
          { priority: 2, kind: 'idea' },
          { priority: 2, createdAt: at(10) },
          { priority: 3, assignee: 'alice' },
          { status: 'cancelled' },
          { status: 'blocked', priority: 0 },
          { priority: 2, createdAt: at(5) },
        ]);
        await link(store, [
          { taskId: 5, dependsOnId: 2, type: 'blocks' },
          { taskId: 6, dependsOnId: 3, type: 'blocks' },
          { taskId: 8, dependsOnId: 3, type: 'related' },
          { taskId: 9, dependsOnId: 10, type: 'blocks' },
          { taskId: 12, dependsOnId: 2, type: 'parent-child' },
          // Work waiting on ready tasks: 6 (open) and 3 (in_progress) wait on 1; 2 (done) waits on 4.
          { taskId: 6, dependsOnId: 1, type: 'blocks' },
          { taskId: 3, dependsOnId: 1, type: 'parent-child' },
          { taskId: 2, dependsOnId: 4, type: 'blocks' },
          { taskId: 11, dependsOnId: 8, type: 'related' },
        ]);
      });

      it('ranks open, non-idea tasks whose gating dependencies are all closed: priority, work waiting, age, id', async () => {
        expect(await store.read((tx) => tx.readyQueue({}))).toEqual([
          { id: 4, priority: 0, unblocks: 0, createdAt: at(11) },
          { id: 5, priority: 1, unblocks: 0, createdAt: at(12) },
          // 6 (open) and 3 (in_progress) wait on 1, so it goes before the older 12.
          { id: 1, priority: 2, unblocks: 2, createdAt: at(10) },
          { id: 12, priority: 2, unblocks: 0, createdAt: at(5) },
          { id: 8, priority: 2, unblocks: 0, createdAt: at(10) },
          { id: 9, priority: 3, unblocks: 0, createdAt: at(0) },
        ]);
      });

      it('narrows by claimability and limit', async () => {
        const query = (q: Parameters<BoardWriter['readyQueue']>[0]): Promise<number[]> =>
          store.read(async (tx) => ids(await tx.readyQueue(q)));
        expect(await query({ claimableBy: 'alice' })).toEqual([5, 1, 12, 8, 9]);
        expect(await query({ claimableBy: 'bob' })).toEqual([4, 5, 1, 12, 8]);
        expect(await query({ limit: 2 })).toEqual([4, 5]);
        expect(await query({ claimableBy: 'alice', limit: 1 })).toEqual([5]);
      });

      it('follows changes: the last blocker finishing makes its dependent ready', async () => {
        const finish = (id: number): Promise<Task> =>
          store.write(async (tx) => tx.updateTask({ ...((await tx.getTask(id)) as Task), status: 'done', closedAt: at(20) }));
        const readyAtPriority1 = async (): Promise<number[]> =>
          ids((await store.read((tx) => tx.readyQueue({}))).filter((task) => task.priority === 1));
        await finish(3);
        expect(await readyAtPriority1()).toEqual([5]);
        await finish(1);
        expect(await readyAtPriority1()).toEqual([6, 5]);
      });

      it('keeps the count of waiting work up to date as edges and statuses change', async () => {
        const unblocksOf = async (id: number): Promise<number | undefined> =>
          (await store.read((tx) => tx.readyQueue({}))).find((task) => task.id === id)?.unblocks;
        expect(await unblocksOf(1)).toBe(2);
        // A chain: 13 waits on 6, which waits on 1, so 1 now has three tasks behind it.
        await insertAll(store, [{ title: 'thirteen' }]);
        await link(store, [{ taskId: 13, dependsOnId: 6, type: 'blocks' }]);
        expect(await unblocksOf(1)).toBe(3);
        // 6 closing drops itself and what only reached 1 through it.
        await store.write(async (tx) => tx.updateTask({ ...((await tx.getTask(6)) as Task), status: 'cancelled', closedAt: at(30) }));
        expect(await unblocksOf(1)).toBe(1);
        await store.write(async (tx) => tx.updateTask({ ...((await tx.getTask(6)) as Task), status: 'open', closedAt: null }));
        expect(await unblocksOf(1)).toBe(3);
        // 6 also reaches 1 through 3 (6 → 3 → 1), so dropping 6 → 1 alone changes nothing.
        await store.write((tx) => tx.removeDependency(6, 1));
        expect(await unblocksOf(1)).toBe(3);
        await store.write((tx) => tx.removeDependency(6, 3));
        expect(await unblocksOf(1)).toBe(1);
        // A non-gating type does not count; turning it into blocks does.
        await link(store, [{ taskId: 6, dependsOnId: 1, type: 'related' }]);
        expect(await unblocksOf(1)).toBe(1);
        await link(store, [{ taskId: 6, dependsOnId: 1, type: 'blocks' }]);
        expect(await unblocksOf(1)).toBe(3);
      });

      it('leaves the counts untouched when a transaction rolls back', async () => {
        await expect(
          store.write(async (tx) => {
            await tx.removeDependency(3, 1);
            throw new Error('abandon');
          }),
        ).rejects.toThrow('abandon');
        expect((await store.read((tx) => tx.readyQueue({}))).find((task) => task.id === 1)?.unblocks).toBe(2);
      });
    });

    describe('notes', () => {
      it('adds notes with rising ids and reads them per task and all together', async () => {
        await insertAll(store, [{ title: 'a' }, { title: 'b' }]);
        const notes = await store.write(async (tx) => [
          await tx.addNote({ taskId: 2, author: 'bob', body: 'first', createdAt: at(1) }),
          await tx.addNote({ taskId: 1, author: 'alice', body: 'second', createdAt: at(2) }),
          await tx.addNote({ taskId: 2, author: 'carol', body: 'third\nline', createdAt: at(3) }),
        ]);
        expect(ids(notes)).toEqual([1, 2, 3]);
        expect(await store.read((tx) => tx.notesOf(2))).toEqual([
          { id: 1, taskId: 2, author: 'bob', body: 'first', createdAt: at(1) },
          { id: 3, taskId: 2, author: 'carol', body: 'third\nline', createdAt: at(3) },
        ]);
        expect(await store.read((tx) => tx.notesOf(9))).toEqual([]);
        expect(ids(await store.read((tx) => tx.allNotes()))).toEqual([1, 2, 3]);
      });

      it('keeps an explicit note id (import)', async () => {
        await insertAll(store, [{ title: 'a' }]);
        const note = await store.write((tx) => tx.addNote({ id: 17, taskId: 1, author: 'a', body: 'b', createdAt: at(0) }));
        expect(note.id).toBe(17);
        expect(await store.read((tx) => tx.allNotes())).toEqual([note]);
      });
    });

    describe('events', () => {
      async function append(events: readonly Partial<NewEvent>[], connection = store): Promise<BoardEvent[]> {
        return connection.write(async (tx) => {
          const appended: BoardEvent[] = [];
          for (const [index, fields] of events.entries()) appended.push(await tx.appendEvent(newEvent(fields), at(index)));
          return appended;
        });
      }

      it('appends events with rising ids and reads them back whole', async () => {
        await insertAll(store, [{ title: 'a' }]);
        const first = await append([
          { taskId: 1, type: 'task_created', payload: { title: 'a', nested: { list: [1, 2] } }, recipients: ['bob'] },
        ]);
        const second = await append([{ actor: 'bob', type: 'board_imported' }]);
        expect(first[0]).toEqual({
          id: first[0]?.id,
          at: at(0),
          actor: 'alice',
          taskId: 1,
          type: 'task_created',
          payload: { title: 'a', nested: { list: [1, 2] } },
          recipients: ['bob'],
        });
        expect(second[0]?.id).toBeGreaterThan(first[0]?.id as number);
        expect(await store.read((tx) => tx.events({}))).toEqual([...first, ...second]);
        expect(await store.read((tx) => tx.lastEventId())).toBe(second[0]?.id);
      });

      it('keeps ids rising across connections and after a rolled-back write', async () => {
        const [a] = await append([{}]);
        await rejection(
          store.write(async (tx) => {
            await tx.appendEvent(newEvent(), at(1));
            throw new Error('rolled back');
          }),
        );
        const other = await board.connect();
        const [b] = await append([{}], other);
        await other.close();
        const [c] = await append([{}]);
        expect((b as BoardEvent).id).toBeGreaterThan((a as BoardEvent).id);
        expect((c as BoardEvent).id).toBeGreaterThan((b as BoardEvent).id);
        expect(ids(await store.read((tx) => tx.events({})))).toEqual(ids([a, b, c] as BoardEvent[]));
      });

      it('filters by afterId, task, types, recipient and limit, always in id order', async () => {
        await insertAll(store, [{ title: 'a' }, { title: 'b' }]);
        const all = await append([
          { taskId: 1, type: 'task_created', recipients: [] },
          { taskId: 2, type: 'task_created', recipients: ['bob'] },
          { taskId: 1, type: 'task_claimed', recipients: ['bob', 'carol'] },
          { taskId: null, type: 'board_imported', recipients: ['carol'] },
          { taskId: 2, type: 'note_added', recipients: ['bobby'] },
        ]);
        const [e1, e2, e3, e4, e5] = ids(all) as [number, number, number, number, number];
        const events = async (filter: Parameters<BoardWriter['events']>[0]): Promise<number[]> =>
          store.read(async (tx) => ids(await tx.events(filter)));
        expect(await events({ afterId: e2 })).toEqual([e3, e4, e5]);
        expect(await events({ afterId: e5 })).toEqual([]);
        expect(await events({ taskId: 1 })).toEqual([e1, e3]);
        expect(await events({ types: ['task_created', 'note_added'] })).toEqual([e1, e2, e5]);
        expect(await events({ types: [] })).toEqual([e1, e2, e3, e4, e5]);
        expect(await events({ recipient: 'bob' })).toEqual([e2, e3]);
        expect(await events({ recipient: 'carol', afterId: e3 })).toEqual([e4]);
        expect(await events({ taskId: 2, types: ['note_added'], recipient: 'bobby' })).toEqual([e5]);
        expect(await events({ limit: 2, afterId: e1 })).toEqual([e2, e3]);
      });

      it('reports 0 as the last event id of an empty board', async () => {
        expect(await store.read((tx) => tx.lastEventId())).toBe(0);
        expect(await store.read((tx) => tx.events({}))).toEqual([]);
      });

      it('restores exported events with their ids, and numbers new events after them', async () => {
        const exported: BoardEvent[] = [
          { id: 5, at: at(1), actor: 'alice', taskId: null, type: 'task_created', payload: { a: 1 }, recipients: ['bob'] },
          { id: 9, at: at(2), actor: 'bob', taskId: null, type: 'note_added', payload: {}, recipients: [] },
        ];
        await store.write(async (tx) => {
          for (const event of exported) await tx.restoreEvent(event);
        });
        expect(await store.read((tx) => tx.events({}))).toEqual(exported);
        expect(await store.read((tx) => tx.lastEventId())).toBe(9);
        const [next] = await append([{ type: 'board_imported' }]);
        expect(next?.id).toBeGreaterThan(9);
        expect(ids(await store.read((tx) => tx.events({ afterId: 5 })))).toEqual([9, next?.id]);
      });
    });

    describe('leases and worktrees', () => {
      it('finds in-progress tasks whose lease ran out at or before the given time, by id', async () => {
        await insertAll(store, [
          { status: 'in_progress', leaseExpiresAt: at(10) }, // expired
          { status: 'in_progress', leaseExpiresAt: at(20) }, // expires exactly now
          { status: 'in_progress', leaseExpiresAt: at(21) }, // still held
          { status: 'in_progress', leaseExpiresAt: null }, // no lease
          { status: 'review', leaseExpiresAt: at(1) }, // not in progress
          { status: 'open', leaseExpiresAt: at(1) },
          { status: 'in_progress', leaseExpiresAt: at(0) }, // expired
        ]);
        expect(ids(await store.read((tx) => tx.expiredLeases(at(20))))).toEqual([1, 2, 7]);
        expect(ids(await store.read((tx) => tx.expiredLeases(at(-1))))).toEqual([]);
        const [first] = await store.read((tx) => tx.expiredLeases(at(20)));
        expect(first).toMatchObject({ id: 1, status: 'in_progress', leaseExpiresAt: at(10) });
      });

      it('finds the in-progress task bound to a worktree, and nothing for closed or unbound ones', async () => {
        await insertAll(store, [
          { status: 'done', worktree: '/repo/wt-a', updatedAt: at(9) },
          { status: 'in_progress', worktree: '/repo/wt-a', updatedAt: at(3) },
          { status: 'in_progress', worktree: '/repo/wt-b' },
          { status: 'open', worktree: '/repo/wt-c' },
          { status: 'cancelled', worktree: '/repo/wt-c' },
        ]);
        expect((await store.read((tx) => tx.taskBoundTo('/repo/wt-a')))?.id).toBe(2);
        expect((await store.read((tx) => tx.taskBoundTo('/repo/wt-b')))?.id).toBe(3);
        expect(await store.read((tx) => tx.taskBoundTo('/repo/wt-c'))).toBeNull();
        expect(await store.read((tx) => tx.taskBoundTo('/repo'))).toBeNull();
      });

      it('prefers the most recently updated task when two claim the same worktree', async () => {
        await insertAll(store, [
          { status: 'in_progress', worktree: '/repo/wt', updatedAt: at(5) },
          { status: 'in_progress', worktree: '/repo/wt', updatedAt: at(8) },
          { status: 'in_progress', worktree: '/repo/wt', updatedAt: at(2) },
        ]);
        expect((await store.read((tx) => tx.taskBoundTo('/repo/wt')))?.id).toBe(2);
      });
    });

    describe('run locks and the board id', () => {
      const lock = (taskId: number, token: string) => ({ taskId, token, actor: 'alice', host: 'box', pid: 42, startedAt: at(0), expiresAt: at(30) });

      it('keeps one lock per task, replaced whole, removed only by the token that holds it', async () => {
        await insertAll(store, [{}, {}]);
        expect(await store.read((tx) => tx.runLock(1))).toBeNull();
        await store.write((tx) => tx.saveRunLock(lock(1, 'first')));
        await store.write((tx) => tx.saveRunLock(lock(2, 'other')));
        expect(await store.read((tx) => tx.runLock(1))).toEqual(lock(1, 'first'));
        await store.write((tx) => tx.saveRunLock({ ...lock(1, 'second'), pid: 7 }));
        expect(await store.read((tx) => tx.runLock(1))).toEqual({ ...lock(1, 'second'), pid: 7 });
        expect(await store.write((tx) => tx.deleteRunLock(1, 'first'))).toBe(false);
        expect(await store.read((tx) => tx.runLock(1))).not.toBeNull();
        expect(await store.write((tx) => tx.deleteRunLock(1, 'second'))).toBe(true);
        expect(await store.read((tx) => tx.runLock(1))).toBeNull();
        expect((await store.read((tx) => tx.runLock(2)))?.token).toBe('other');
      });

      it('drops a lock written in a transaction that failed', async () => {
        await insertAll(store, [{}]);
        await expect(
          store.write(async (tx) => {
            await tx.saveRunLock(lock(1, 'doomed'));
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await store.read((tx) => tx.runLock(1))).toBeNull();
      });

      it('describes its own tables, the same until a table changes', async () => {
        const before = await store.read((tx) => tx.schemaText());
        expect(before).toContain('tasks');
        expect(before).toContain('events');
        await insertAll(store, [{}, {}]);
        expect(await store.read((tx) => tx.schemaText())).toBe(before);
      });

      it('has an id of its own that every connection reads alike', async () => {
        const id = await store.read((tx) => tx.boardId());
        expect(id).toMatch(/^[0-9a-f]{32}$/);
        const other = await board.connect();
        expect(await other.read((tx) => tx.boardId())).toBe(id);
      });
    });

    describe('waitForChange', () => {
      it('wakes soon after another connection writes', async () => {
        const other = await board.connect();
        try {
          const started = Date.now();
          const waiting = store.waitForChange(30_000);
          await other.write((tx) => tx.insertTask(newTask({ title: 'from elsewhere' })));
          await waiting;
          // Generous: the point is that it did not sleep through the 30 s timeout.
          expect(Date.now() - started).toBeLessThan(10_000);
        } finally {
          await other.close();
        }
        expect(await store.read((tx) => tx.countTasks())).toBe(1);
      });

      it('wakes on the timeout when nothing changes', async () => {
        await insertAll(store, [{ title: 'already there' }]);
        const started = performance.now();
        await store.waitForChange(400);
        expect(performance.now() - started).toBeGreaterThanOrEqual(350);
      });

      it('counts a change made after the mark and before the call: a follower reading misses nothing', async () => {
        const other = await board.connect();
        try {
          const mark = await store.changeMark();
          await other.write((tx) => tx.insertTask(newTask({ title: 'while the follower read' })));
          const started = Date.now();
          await store.waitForChange(30_000, undefined, mark);
          expect(Date.now() - started).toBeLessThan(10_000);
        } finally {
          await other.close();
        }
      });

      it('wakes for a write through the same store', async () => {
        const started = Date.now();
        const waiting = store.waitForChange(30_000);
        await store.write((tx) => tx.insertTask(newTask({ title: 'written here' })));
        await waiting;
        expect(Date.now() - started).toBeLessThan(10_000);
      });

      it('sleeps through a mark that nothing changed since', async () => {
        await insertAll(store, [{ title: 'before the mark' }]);
        const mark = await store.changeMark();
        await store.read((tx) => tx.countTasks());
        const started = performance.now();
        await store.waitForChange(400, undefined, mark);
        expect(performance.now() - started).toBeGreaterThanOrEqual(350);
      });

      it('wakes when the signal aborts', async () => {
        const controller = new AbortController();
        const started = Date.now();
        const waiting = store.waitForChange(30_000, controller.signal);
        setTimeout(() => controller.abort(), 50);
        await waiting;
        expect(Date.now() - started).toBeLessThan(10_000);
      });
    });

    describe('impact awareness', () => {
      async function saveFootprints(footprints: readonly StoredFootprint[]): Promise<void> {
        await store.write(async (tx) => {
          for (const footprint of footprints) await tx.saveFootprint(footprint);
        });
      }

      function upsert(draft: FindingDraft, recipient: string | null = 'bob', createdAt = at(1)): Promise<FindingChange | null> {
        return store.write((tx) => tx.upsertFinding(draft, recipient, createdAt));
      }

      async function settle(id: number, fields: Partial<Finding>): Promise<Finding> {
        return store.write(async (tx) => {
          const settled = { ...((await tx.getFinding(id)) as Finding), ...fields };
          await tx.updateFinding(settled);
          return settled;
        });
      }

      describe('footprints', () => {
        beforeEach(async () => {
          await insertAll(store, [{ title: 'a' }, { title: 'b' }, { title: 'c' }]);
        });

        it('saves a footprint and reads it back whole, one task or several', async () => {
          await saveFootprints([footprint(2, ['src/b.ts']), footprint(1, ['src/a.ts', 'src/z.ts'])]);
          expect(await store.read((tx) => tx.footprintOf(1))).toEqual(footprint(1, ['src/a.ts', 'src/z.ts']));
          expect(await store.read((tx) => tx.footprintOf(3))).toBeNull();
          const several = await store.read((tx) => tx.footprintsOf([2, 3, 1]));
          expect(several.map((stored) => stored.taskId).sort()).toEqual([1, 2]);
          expect(several.find((stored) => stored.taskId === 2)).toEqual(footprint(2, ['src/b.ts']));
          expect(await store.read((tx) => tx.footprintsOf([]))).toEqual([]);
          expect(await store.read((tx) => tx.footprintsOf([3, 99]))).toEqual([]);
        });

        it('replaces the footprint of a task on the next save, every field', async () => {
          await saveFootprints([footprint(1, ['old.ts'])]);
          const newer: StoredFootprint = {
            taskId: 1,
            worktree: '/repo/wt-new',
            branch: null,
            base: 'trunk',
            mergeBase: null,
            paths: [],
            refreshedAt: at(9),
          };
          await saveFootprints([newer]);
          expect(await store.read((tx) => tx.footprintOf(1))).toEqual(newer);
          expect(await store.read((tx) => tx.footprintsOf([1]))).toEqual([newer]);
        });
      });

      describe('upsertFinding', () => {
        beforeEach(async () => {
          await insertAll(store, [{ title: 'a', assignee: 'bob' }, { title: 'b', assignee: 'carol' }]);
        });

        it('creates a finding with every field, open, under a new id', async () => {
          const change = await upsert(draft(), 'bob', at(3));
          expect(change).toEqual({
            change: 'created',
            finding: {
              ...draft(),
              id: change?.finding.id,
              recipient: 'bob',
              status: 'open',
              createdAt: at(3),
              eventId: null,
              ackedAt: null,
              ackedBy: null,
              ackMessage: null,
              resolvedAt: null,
              resolvedBy: null,
            },
          });
          expect(await store.read((tx) => tx.getFinding(change?.finding.id as number))).toEqual(change?.finding);
          const other = await upsert(draft({ key: 'k2', otherTaskId: null }), null);
          expect(other?.finding.id).not.toBe(change?.finding.id);
          expect(other?.finding).toMatchObject({ otherTaskId: null, recipient: null });
        });

        it('does not repeat a finding whose key and wording are already on record', async () => {
          const created = await upsert(draft());
          expect(await upsert(draft(), 'bob', at(5))).toBeNull();
          expect(await store.read((tx) => tx.findings({}))).toEqual([created?.finding]);
        });

        it('updates an open finding in place when its wording changed, keeping its status and id', async () => {
          const created = (await upsert(draft())) as FindingChange;
          const wider = draft({ message: 'now two files collide', paths: ['a.ts', 'b.ts'], subject: 'a.ts, b.ts' });
          const change = await upsert(wider, 'bob', at(5));
          expect(change?.change).toBe('updated');
          expect(change?.finding).toMatchObject({ id: created.finding.id, status: 'open', message: 'now two files collide', paths: ['a.ts', 'b.ts'], subject: 'a.ts, b.ts' });
          expect(await store.read((tx) => tx.getFinding(created.finding.id))).toEqual(change?.finding);
          expect(await store.read((tx) => tx.findings({}))).toHaveLength(1);
        });

        it('updates an acknowledged finding in place and keeps it acknowledged', async () => {
          const created = (await upsert(draft())) as FindingChange;
          await settle(created.finding.id, { status: 'acknowledged', ackedAt: at(2), ackedBy: 'bob', ackMessage: 'on it' });
          const change = await upsert(draft({ message: 'reworded' }), 'bob', at(5));
          expect(change?.change).toBe('updated');
          expect(await store.read((tx) => tx.getFinding(created.finding.id))).toMatchObject({
            status: 'acknowledged',
            ackedBy: 'bob',
            ackMessage: 'on it',
            message: 'reworded',
          });
        });

        it('moves an open finding to a new recipient when its task changed hands', async () => {
          const created = (await upsert(draft(), 'bob')) as FindingChange;
          const change = await upsert(draft(), 'dave', at(5));
          expect(change?.change).toBe('updated');
          expect(change?.finding).toMatchObject({ id: created.finding.id, recipient: 'dave', status: 'open', message: created.finding.message });
          expect(await store.read((tx) => tx.getFinding(created.finding.id))).toEqual(change?.finding);
          expect(ids(await store.read((tx) => tx.findings({ recipient: 'bob' })))).toEqual([]);
          expect(await upsert(draft(), 'dave', at(6))).toBeNull();
        });

        it('reopens a finding baton resolved itself when it is detected again, as new and unacknowledged', async () => {
          const created = (await upsert(draft())) as FindingChange;
          await settle(created.finding.id, { status: 'acknowledged', ackedAt: at(2), ackedBy: 'bob', ackMessage: 'seen' });
          await settle(created.finding.id, { status: 'resolved', resolvedAt: at(3), resolvedBy: 'baton' });
          const change = await upsert(draft(), 'bob', at(7));
          expect(change?.change).toBe('reopened');
          expect(change?.finding).toMatchObject({
            id: created.finding.id,
            status: 'open',
            createdAt: at(7),
            ackedAt: null,
            ackedBy: null,
            ackMessage: null,
            resolvedAt: null,
            resolvedBy: null,
          });
          expect(await store.read((tx) => tx.getFinding(created.finding.id))).toEqual(change?.finding);
          expect(await upsert(draft(), 'bob', at(8))).toBeNull();
        });

        it('leaves a finding a person resolved resolved, even when it is detected again with new wording', async () => {
          const created = (await upsert(draft())) as FindingChange;
          const resolved = await settle(created.finding.id, { status: 'resolved', resolvedAt: at(2), resolvedBy: 'bob', ackMessage: 'handled' });
          expect(await upsert(draft(), 'bob', at(7))).toBeNull();
          expect(await upsert(draft({ message: 'reworded' }), 'bob', at(8))).toBeNull();
          expect(await store.read((tx) => tx.getFinding(created.finding.id))).toEqual(resolved);
        });
      });

      describe('reading and settling findings', () => {
        let made: Finding[];

        beforeEach(async () => {
          await insertAll(store, [{ title: 'a' }, { title: 'b' }, { title: 'c' }]);
          made = [];
          for (const [fields, recipient] of [
            [{ key: 'f1', taskId: 1, otherTaskId: 2, kind: 'overlap' }, 'bob'],
            [{ key: 'f2', taskId: 2, otherTaskId: 1, kind: 'overlap' }, 'carol'],
            [{ key: 'f3', taskId: 1, otherTaskId: null, kind: 'merge_conflict_predicted' }, 'bob'],
            [{ key: 'f4', taskId: 3, otherTaskId: 1, kind: 'impact_conflict' }, null],
            [{ key: 'f5', taskId: 1, otherTaskId: 3, kind: 'impact_notice' }, 'bob'],
          ] as const) {
            made.push(((await upsert(draft(fields), recipient)) as FindingChange).finding);
          }
          made[4] = await settle(made[4]?.id as number, { status: 'acknowledged', ackedAt: at(4), ackedBy: 'bob', ackMessage: null });
          made[2] = await settle(made[2]?.id as number, { status: 'resolved', resolvedAt: at(4), resolvedBy: 'bob' });
        });

        it('filters by task, other task, recipient, statuses and kinds, always in id order', async () => {
          const [f1, f2, f3, f4, f5] = ids(made) as [number, number, number, number, number];
          const find = (filter: FindingFilter): Promise<number[]> => store.read(async (tx) => ids(await tx.findings(filter)));
          expect(await find({})).toEqual([f1, f2, f3, f4, f5]);
          expect(await find({ taskId: 1 })).toEqual([f1, f3, f5]);
          expect(await find({ otherTaskId: 1 })).toEqual([f2, f4]);
          expect(await find({ recipient: 'bob' })).toEqual([f1, f3, f5]);
          expect(await find({ recipient: 'nobody' })).toEqual([]);
          expect(await find({ statuses: ['open'] })).toEqual([f1, f2, f4]);
          expect(await find({ statuses: ['acknowledged', 'resolved'] })).toEqual([f3, f5]);
          expect(await find({ statuses: [] })).toEqual([f1, f2, f3, f4, f5]);
          expect(await find({ kinds: ['overlap', 'impact_conflict'] })).toEqual([f1, f2, f4]);
          expect(await find({ taskId: 1, statuses: ['open', 'acknowledged'], kinds: ['impact_notice', 'merge_conflict_predicted'] })).toEqual([f5]);
          expect(await find({ taskId: 1, otherTaskId: 2, recipient: 'bob', statuses: ['open'], kinds: ['overlap'] })).toEqual([f1]);
        });

        it('gets one finding by id, or null', async () => {
          expect(await store.read((tx) => tx.getFinding(made[3]?.id as number))).toEqual(made[3]);
          expect(await store.read((tx) => tx.getFinding(999))).toBeNull();
        });

        it('writes the settled state and the event id of a finding', async () => {
          const settled: Finding = {
            ...(made[0] as Finding),
            status: 'resolved',
            eventId: 42,
            ackedAt: at(5),
            ackedBy: 'bob',
            ackMessage: 'will rebase',
            resolvedAt: at(6),
            resolvedBy: 'carol',
          };
          await store.write((tx) => tx.updateFinding(settled));
          expect(await store.read((tx) => tx.getFinding(settled.id))).toEqual(settled);
          expect(await store.read((tx) => tx.getFinding(made[1]?.id as number))).toEqual(made[1]);
        });

        it('counts the open findings of each task, leaving out tasks with none', async () => {
          const counts = await store.read((tx) => tx.openFindingCounts([1, 2, 3, 99]));
          expect([...counts.entries()].sort()).toEqual([[1, 1], [2, 1], [3, 1]]);
          await settle(made[0]?.id as number, { status: 'acknowledged', ackedAt: at(5), ackedBy: 'bob' });
          const after = await store.read((tx) => tx.openFindingCounts([1, 2]));
          expect(after.has(1)).toBe(false);
          expect(after.get(2)).toBe(1);
          expect((await store.read((tx) => tx.openFindingCounts([]))).size).toBe(0);
        });
      });

      describe('reservations', () => {
        function reservation(fields: Partial<Omit<Reservation, 'id'>> = {}): Omit<Reservation, 'id'> {
          return { taskId: 1, pattern: 'src/a.ts', shared: false, holder: 'bob', createdAt: at(1), expiresAt: null, ...fields };
        }

        async function reserve(reservations: readonly Omit<Reservation, 'id'>[]): Promise<Reservation[]> {
          return store.write(async (tx) => {
            const saved: Reservation[] = [];
            for (const fields of reservations) saved.push(await tx.saveReservation(fields));
            return saved;
          });
        }

        const active = async (nowIso = at(10)): Promise<[number, string][]> =>
          (await store.read((tx) => tx.activeReservations(nowIso))).map((r) => [r.taskId, r.pattern]);

        beforeEach(async () => {
          await insertAll(store, [
            { title: 'open' },
            { title: 'running', status: 'in_progress' },
            { title: 'done', status: 'done' },
            { title: 'cancelled', status: 'cancelled' },
            { title: 'review', status: 'review' },
          ]);
        });

        it('saves a reservation whole and lists the active ones in id order', async () => {
          const [first, second] = await reserve([
            reservation({ taskId: 2, pattern: 'src/**', shared: true, holder: 'carol', expiresAt: at(60) }),
            reservation(),
          ]);
          expect(first).toEqual({ id: first?.id, taskId: 2, pattern: 'src/**', shared: true, holder: 'carol', createdAt: at(1), expiresAt: at(60) });
          expect(second?.id).toBeGreaterThan(first?.id as number);
          expect(await store.read((tx) => tx.activeReservations(at(10)))).toEqual([first, second]);
        });

        it('leaves out reservations of closed tasks and those whose TTL ran out', async () => {
          await reserve([
            reservation({ taskId: 1, pattern: 'open.ts' }),
            reservation({ taskId: 2, pattern: 'running.ts', expiresAt: at(11) }),
            reservation({ taskId: 3, pattern: 'done.ts' }),
            reservation({ taskId: 4, pattern: 'cancelled.ts' }),
            reservation({ taskId: 5, pattern: 'review.ts' }),
            reservation({ taskId: 1, pattern: 'expired.ts', expiresAt: at(9) }),
            reservation({ taskId: 1, pattern: 'expires-now.ts', expiresAt: at(10) }),
          ]);
          expect(await active(at(10))).toEqual([[1, 'open.ts'], [2, 'running.ts'], [5, 'review.ts']]);
          expect(await active(at(11))).toEqual([[1, 'open.ts'], [5, 'review.ts']]);
          expect(await active(at(0))).toEqual([[1, 'open.ts'], [2, 'running.ts'], [5, 'review.ts'], [1, 'expired.ts'], [1, 'expires-now.ts']]);
        });

        it('replaces the reservation of the same task and pattern instead of adding one', async () => {
          const [first] = await reserve([reservation({ expiresAt: at(20) })]);
          const [again] = await reserve([reservation({ shared: true, holder: 'carol', createdAt: at(5), expiresAt: null })]);
          expect(again).toEqual({ id: again?.id, taskId: 1, pattern: 'src/a.ts', shared: true, holder: 'carol', createdAt: at(5), expiresAt: null });
          expect(await store.read((tx) => tx.activeReservations(at(10)))).toEqual([again]);
          expect(first?.pattern).toBe(again?.pattern);
          await reserve([reservation({ taskId: 2 })]);
          expect(await active()).toEqual([[1, 'src/a.ts'], [2, 'src/a.ts']]);
        });

        it("removes a task's reservations of the given patterns, or all of them, and counts what it removed", async () => {
          await reserve([
            reservation({ pattern: 'a.ts' }),
            reservation({ pattern: 'b/**' }),
            reservation({ pattern: 'c.ts' }),
            reservation({ taskId: 2, pattern: 'a.ts' }),
          ]);
          expect(await store.write((tx) => tx.removeReservations(1, ['a.ts', 'not-held.ts']))).toBe(1);
          expect(await active()).toEqual([[1, 'b/**'], [1, 'c.ts'], [2, 'a.ts']]);
          expect(await store.write((tx) => tx.removeReservations(1, []))).toBe(0);
          expect(await store.write((tx) => tx.removeReservations(1, null))).toBe(2);
          expect(await active()).toEqual([[2, 'a.ts']]);
          expect(await store.write((tx) => tx.removeReservations(1, null))).toBe(0);
        });
      });

      it('lists only tasks with declared resources, links or a non-empty footprint when asked for the impact surface', async () => {
        await insertAll(store, [
          { title: 'resources', resources: [{ mode: 'reads', kind: 'table', name: 'users' }] },
          { title: 'links', links: [{ kind: 'url', url: 'https://example.com/' }], status: 'in_progress' },
          { title: 'nothing' },
          { title: 'footprint', status: 'in_progress' },
          { title: 'empty footprint', status: 'in_progress' },
          { title: 'closed with resources', status: 'done', resources: [{ mode: 'adds', kind: 'file', name: 'x.ts' }] },
        ]);
        await saveFootprints([footprint(4, ['src/x.ts']), footprint(5, [])]);
        const list = (filter: TaskFilter): Promise<number[]> => store.read(async (tx) => ids(await tx.listTasks(filter)));
        expect((await list({ withImpactSurface: true })).sort()).toEqual([1, 2, 4, 6]);
        expect((await list({ withImpactSurface: true, statuses: ['in_progress'] })).sort()).toEqual([2, 4]);
        expect((await list({ withImpactSurface: false })).sort()).toEqual([1, 2, 3, 4, 5, 6]);
        // A footprint that empties drops the task out again.
        await saveFootprints([footprint(4, [])]);
        expect((await list({ withImpactSurface: true, statuses: ['in_progress'] })).sort()).toEqual([2]);
      });

      it('pages through the ready queue: each offset and limit is a slice of the full queue', async () => {
        const tasks: Partial<NewTask>[] = [];
        for (let index = 0; index < 23; index += 1) {
          tasks.push({
            title: `t${index}`,
            priority: (index % 3) as Priority,
            createdAt: at(index % 5),
            ...(index % 7 === 0 && { assignee: 'bob' }),
            ...(index === 11 && { status: 'in_progress' as const }),
          });
        }
        await insertAll(store, tasks);
        await link(store, [
          { taskId: 2, dependsOnId: 5, type: 'blocks' },
          { taskId: 3, dependsOnId: 5, type: 'blocks' },
          { taskId: 9, dependsOnId: 12, type: 'blocks' },
        ]);
        for (const claimableBy of [undefined, 'alice']) {
          const base = claimableBy === undefined ? {} : { claimableBy };
          const full = await store.read((tx) => tx.readyQueue(base));
          expect(full.length).toBeGreaterThan(10);
          for (const limit of [1, 4, 7]) {
            const pages: number[] = [];
            for (let offset = 0; offset <= full.length; offset += limit) {
              const page = await store.read((tx) => tx.readyQueue({ ...base, limit, offset }));
              expect(page).toEqual(full.slice(offset, offset + limit));
              pages.push(...ids(page));
            }
            expect(pages).toEqual(ids(full));
          }
          expect(await store.read((tx) => tx.readyQueue({ ...base, offset: 5 }))).toEqual(full.slice(5));
          expect(await store.read((tx) => tx.readyQueue({ ...base, offset: full.length + 3 }))).toEqual([]);
          expect(await store.read((tx) => tx.readyQueue({ ...base, offset: 0, limit: 3 }))).toEqual(full.slice(0, 3));
        }
      });
    });
  });
}
