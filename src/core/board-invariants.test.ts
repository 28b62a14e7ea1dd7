import { describe, expect, it } from 'vitest';
import { boardToJsonl, parseBoardJsonl, type BoardSnapshot, type ExportedTask } from './board-jsonl.js';
import { BatonError } from './errors.js';

const AT = '2025-01-02T03:04:05.000Z';
const LATER = '2025-01-02T03:34:05.000Z';

function task(id: number, fields: Partial<ExportedTask> = {}): ExportedTask {
  return {
    id, title: `Task ${id}`, description: '', kind: 'task', status: 'open', priority: 2, assignee: null, labels: [], due: null,
    parentId: null, acceptance: [], verify: [], resources: [], links: [], createdBy: 'alice', createdAt: AT, updatedAt: AT,
    closedAt: null, blockReason: null, completionMessage: null, leaseExpiresAt: null, worktree: null, branch: null, ...fields,
  };
}

/** #1 in progress, #2 blocked waiting on #1, #3 done, #4 open waiting on #3 (met), #5 cancelled. */
function board(): BoardSnapshot {
  return {
    tasks: [
      task(1, { status: 'in_progress', assignee: 'agent-a', leaseExpiresAt: LATER, links: [{ kind: 'file', path: 'src/a.ts', startLine: 3 }] }),
      task(2, { status: 'blocked' }),
      task(3, { status: 'done', closedAt: AT, completionMessage: 'merged' }),
      task(4, { parentId: 3 }),
      task(5, { status: 'cancelled', closedAt: AT }),
    ],
    dependencies: [
      { taskId: 2, dependsOnId: 1, type: 'blocks', createdAt: AT },
      { taskId: 4, dependsOnId: 3, type: 'blocks', createdAt: AT },
      { taskId: 4, dependsOnId: 5, type: 'parent-child', createdAt: AT },
    ],
    notes: [],
    events: [],
  };
}

/** The file with task `id` changed; task lines start at line 2, in id order. */
function withTask(id: number, fields: Partial<ExportedTask>, snapshot = board()): string {
  return boardToJsonl({ ...snapshot, tasks: snapshot.tasks.map((t) => (t.id === id ? { ...t, ...fields } : t)) }, AT).join('\n');
}

function refusal(text: string): { message: string; details: unknown } {
  try {
    parseBoardJsonl(text);
  } catch (error) {
    if (error instanceof BatonError) return { message: error.message, details: error.details };
    throw error;
  }
  throw new Error('the file was accepted');
}

describe('import refuses what no command can make', () => {
  it('accepts the consistent board', () => {
    expect(parseBoardJsonl(boardToJsonl(board(), AT).join('\n')).tasks).toHaveLength(5);
  });

  it.each([
    { what: 'in progress with no holder', id: 1, fields: { assignee: null }, field: 'task.assignee', says: 'held by someone' },
    { what: 'in progress with no lease', id: 1, fields: { leaseExpiresAt: null }, field: 'task.leaseExpiresAt', says: 'has a lease' },
    { what: 'a lease on an open task', id: 4, fields: { leaseExpiresAt: LATER }, field: 'task.leaseExpiresAt', says: 'only an in-progress claim' },
    { what: 'done with no close time', id: 3, fields: { closedAt: null }, field: 'task.closedAt', says: 'records when it closed' },
    { what: 'cancelled with no close time', id: 5, fields: { closedAt: null }, field: 'task.closedAt', says: 'records when it closed' },
    { what: 'a close time on an open task', id: 4, fields: { closedAt: AT }, field: 'task.closedAt', says: 'only a done or cancelled task' },
    { what: 'a block reason on an open task', id: 4, fields: { blockReason: 'why' }, field: 'task.blockReason', says: 'only a blocked task' },
    { what: 'a completion message on an open task', id: 4, fields: { completionMessage: 'hm' }, field: 'task.completionMessage', says: 'only a done task' },
    { what: 'open with an unmet blocker', id: 2, fields: { status: 'open' as const }, field: 'task.status', says: 'waits on #1 (in_progress)' },
    { what: 'blocked by nothing', id: 4, fields: { status: 'blocked' as const }, field: 'task.status', says: 'nothing unfinished to wait on' },
    { what: 'a link outside the repository', id: 1, fields: { links: [{ kind: 'file' as const, path: '../secret.txt' }] }, field: 'task.links', says: 'outside the repository' },
    { what: 'an absolute link', id: 1, fields: { links: [{ kind: 'file' as const, path: '/etc/passwd' }] }, field: 'task.links', says: 'outside the repository' },
    { what: 'a URL link that is no URL', id: 1, fields: { links: [{ kind: 'url' as const, url: 'not a url' }] }, field: 'task.links', says: 'not a URL' },
    { what: 'a time not in ISO form', id: 4, fields: { createdAt: 'yesterday' }, field: 'task.createdAt', says: 'UTC time' },
    { what: 'a lease time not in ISO form', id: 1, fields: { leaseExpiresAt: '2025-01-02 03:34' }, field: 'task.leaseExpiresAt', says: 'UTC time' },
  ])('$what: names the line and field', ({ id, fields, field, says }) => {
    const { message, details } = refusal(withTask(id, fields));
    expect(details).toEqual({ line: id + 1, field });
    expect(message).toContain(says);
    expect(message).toContain('nothing was imported');
  });

  it('refuses a loop of parents, naming it', () => {
    const snapshot = board();
    const looped = withTask(3, { parentId: 4 }, snapshot);
    const { message, details } = refusal(looped);
    expect(details).toMatchObject({ field: 'task.parentId' });
    expect(message).toMatch(/loop of parents: #3 → #4 → #3|#4 → #3 → #4/);
  });

  it('counts a cancelled blocker as met: open behind it is fine, blocked by it alone is not', () => {
    const snapshot = board();
    snapshot.dependencies.push({ taskId: 3, dependsOnId: 5, type: 'blocks', createdAt: AT });
    expect(() => parseBoardJsonl(boardToJsonl(snapshot, AT).join('\n'))).not.toThrow();
  });
});
