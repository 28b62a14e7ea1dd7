import { describe, expect, it } from 'vitest';
import { boardToJsonl, parentFirstOrder, parseBoardJsonl, type BoardSnapshot, type ExportedTask } from './board-jsonl.js';
import { BatonError } from './errors.js';

const AT = '2025-01-02T03:04:05.000Z';

function task(id: number, fields: Partial<ExportedTask> = {}): ExportedTask {
  return {
    id, title: `Task ${id}`, description: '', kind: 'task', status: 'open', priority: 2, assignee: null, labels: [], due: null,
    parentId: null, acceptance: [], verify: [], resources: [], links: [], createdBy: 'alice', createdAt: AT, updatedAt: AT,
    closedAt: null, blockReason: null, completionMessage: null, leaseExpiresAt: null, worktree: null, branch: null, ...fields,
  };
}

/** A small board that uses every field, both link kinds and every record type. */
function richBoard(): BoardSnapshot {
  return {
    tasks: [
      task(3, { title: 'Child "quoted" [x]', parentId: 5, status: 'blocked', blockReason: 'waiting on keys' }),
      task(1, {
        description: 'line one\nline two', kind: 'bug', status: 'in_progress', priority: 0, assignee: 'agent-1', labels: ['api', 'auth'],
        due: '2025-09-01', acceptance: ['logs in'], verify: ['npm test'],
        resources: [{ mode: 'modifies', kind: 'endpoint', name: 'POST /api/login' }],
        links: [{ kind: 'file', path: 'app/auth.py', startLine: 10, endLine: 24 }, { kind: 'file', path: 'README.md' }, { kind: 'url', url: 'https://example.com/' }],
        leaseExpiresAt: '2025-01-02T03:34:05.000Z', worktree: '/repo/wt', branch: 'feat/auth',
      }),
      task(5, { status: 'done', closedAt: AT, completionMessage: 'Merged PR #123' }),
    ],
    dependencies: [
      { taskId: 3, dependsOnId: 1, type: 'blocks', createdAt: AT },
      { taskId: 1, dependsOnId: 5, type: 'related', createdAt: AT },
      { taskId: 3, dependsOnId: 5, type: 'parent-child', createdAt: AT },
    ],
    notes: [{ id: 2, taskId: 1, author: 'bob', body: 'a "note"\nwith lines', createdAt: AT }],
    events: [
      { id: 7, at: AT, actor: 'alice', taskId: 1, type: 'task_claimed', payload: { lease: { ttlMs: 1800000 }, list: [1, 'a', null] }, recipients: ['bob'] },
      { id: 1, at: AT, actor: 'alice', taskId: null, type: 'task_created', payload: {}, recipients: [] },
    ],
  };
}

/** The error a refused file raises, for asserting on its message and details. */
function refusal(text: string): BatonError {
  try {
    parseBoardJsonl(text);
  } catch (error) {
    if (error instanceof BatonError) return error;
    throw error;
  }
  throw new Error('the file was accepted');
}

const lines = (snapshot: BoardSnapshot = richBoard()): string[] => boardToJsonl(snapshot, AT);
const withLine = (index: number, edit: (record: Record<string, unknown>) => void): string => {
  const all = lines();
  const record = JSON.parse(all[index] as string) as Record<string, unknown>;
  edit(record);
  all[index] = JSON.stringify(record);
  return all.join('\n');
};

describe('boardToJsonl', () => {
  it('writes a header with the counts, then tasks, dependencies, notes and events, each sorted', () => {
    const records = lines().map((line) => JSON.parse(line) as Record<string, Record<string, number>>);
    expect(records[0]).toEqual({ type: 'header', schemaVersion: 1, exportedAt: AT, counts: { tasks: 3, dependencies: 3, notes: 1, events: 2 } });
    expect(records.slice(1).map((record) => record.type)).toEqual(['task', 'task', 'task', 'dependency', 'dependency', 'dependency', 'note', 'event', 'event']);
    expect(records.slice(1, 4).map((record) => record.task?.id)).toEqual([1, 3, 5]);
    expect(records.slice(4, 7).map((record) => [record.dependency?.taskId, record.dependency?.dependsOnId])).toEqual([[1, 5], [3, 1], [3, 5]]);
    expect(records.slice(8).map((record) => record.event?.id)).toEqual([1, 7]);
  });

  it('does not depend on the key order of its input, and leaves out the store version', () => {
    const board = richBoard();
    const shuffled = Object.fromEntries(Object.entries(board.tasks[1] as ExportedTask).reverse()) as unknown as ExportedTask;
    const withVersion = { ...(board.tasks[0] as ExportedTask), version: 9 };
    const again = lines({ ...board, tasks: [withVersion, shuffled, board.tasks[2] as ExportedTask] });
    expect(again).toEqual(lines());
    expect(again.join('\n')).not.toContain('"version"');
  });
});

describe('parseBoardJsonl', () => {
  it('reads back exactly what was written, so a second export is identical', () => {
    const parsed = parseBoardJsonl(lines().join('\n'));
    expect(lines(parsed)).toEqual(lines());
    expect(parsed.tasks.find((t) => t.id === 1)).toEqual(richBoard().tasks[1]);
    expect(parsed.events.find((e) => e.id === 7)?.payload).toEqual({ lease: { ttlMs: 1800000 }, list: [1, 'a', null] });
  });

  it('accepts CRLF line ends, a byte-order mark and blank lines', () => {
    const text = `\uFEFF${lines().join('\r\n')}\r\n\r\n`;
    expect(lines(parseBoardJsonl(text))).toEqual(lines());
  });

  it('refuses a line that is not JSON, naming its line number', () => {
    const all = lines();
    all[4] = '{"type":"task",';
    const error = refusal(all.join('\n'));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/^line 5: JSON is not valid/);
    expect(error.details).toEqual({ line: 5, field: 'JSON' });
  });

  it('names the missing field and its line', () => {
    const error = refusal(withLine(2, (record) => delete (record.task as Record<string, unknown>).title));
    expect(error.message).toBe('line 3: task.title is missing; nothing was imported');
    expect(error.details).toEqual({ line: 3, field: 'task.title' });
  });

  it('names a field of the wrong type down to the list item', () => {
    const error = refusal(withLine(1, (record) => ((record.task as Record<string, unknown>).labels = ['api', 7])));
    expect(error.details).toEqual({ line: 2, field: 'task.labels[1]' });
    expect(refusal(withLine(1, (record) => ((record.task as Record<string, unknown>).priority = 5))).details).toEqual({ line: 2, field: 'task.priority' });
    expect(refusal(withLine(1, (record) => ((record.task as Record<string, unknown>).status = 'doing'))).message).toContain('must be one of open');
    const badLink = refusal(withLine(1, (record) => ((record.task as { links: unknown[] }).links[0] = { kind: 'file' })));
    expect(badLink.details).toEqual({ line: 2, field: 'task.links[0].path' });
    const badEvent = refusal(withLine(9, (record) => ((record.event as Record<string, unknown>).payload = 'text')));
    expect(badEvent.details).toEqual({ line: 10, field: 'event.payload' });
  });

  it('refuses control characters the commands refuse: in a title, a description beyond newline and tab, a note', () => {
    expect(refusal(withLine(1, (record) => ((record.task as Record<string, unknown>).title = 'Clear \u001b[2J'))).details).toEqual({ line: 2, field: 'task.title' });
    expect(refusal(withLine(1, (record) => ((record.task as Record<string, unknown>).description = 'a\nb\tc\u0007'))).message).toContain('control character (U+0007)');
    expect(refusal(withLine(7, (record) => ((record.note as Record<string, unknown>).body = 'red \u001b[31m'))).details).toEqual({ line: 8, field: 'note.body' });
    expect(() => parseBoardJsonl(withLine(1, (record) => ((record.task as Record<string, unknown>).description = 'two\nlines\twith a tab')))).not.toThrow();
  });

  it('refuses control characters in every other field a terminal shows: resources, links, verify, reasons, names', () => {
    const taskWith = (edit: (fields: Record<string, unknown>) => void): string => withLine(1, (record) => edit(record.task as Record<string, unknown>));
    const cases: [string, string][] = [
      [taskWith((t) => ((t.resources as { name: string }[])[0] as { name: string }).name = 'POST /api\u001b[8m'), 'task.resources'],
      [taskWith((t) => ((t.links as { path: string }[])[0] as { path: string }).path = 'app\u001b]0;x\u0007.py'), 'task.links'],
      [taskWith((t) => (t.verify = ['npm test\u001b[2J'])), 'task.verify'],
      [taskWith((t) => (t.createdBy = 'alice\u001b[8m')), 'task.createdBy'],
      [taskWith((t) => (t.branch = 'feat\u001b[8m')), 'task.branch'],
      [withLine(3, (record) => ((record.task as Record<string, unknown>).completionMessage = 'Merged\u001b[8m')), 'task.completionMessage'],
      [withLine(7, (record) => ((record.note as Record<string, unknown>).author = 'bob\u001b[8m')), 'note.author'],
      [withLine(9, (record) => ((record.event as Record<string, unknown>).actor = 'alice\r')), 'event.actor'],
    ];
    for (const [text, field] of cases) {
      const error = refusal(text);
      expect(error.details, field).toMatchObject({ field });
      expect(error.message).toContain('control character');
    }
  });

  it('refuses what the commands would refuse: a bad label, due date or resource, an over-long description', () => {
    const taskWith = (edit: (fields: Record<string, unknown>) => void): string => withLine(1, (record) => edit(record.task as Record<string, unknown>));
    const cases: [string, string][] = [
      [taskWith((t) => (t.labels = ['Not A Label'])), 'task.labels'],
      [taskWith((t) => (t.due = 'someday')), 'task.due'],
      [taskWith((t) => (t.resources = [{ mode: 'modifies', kind: 'Has Spaces', name: 'x' }])), 'task.resources'],
      [taskWith((t) => (t.description = 'x'.repeat(20_001))), 'task.description'],
    ];
    for (const [text, field] of cases) expect(refusal(text).details, field).toMatchObject({ field });
    expect(() => parseBoardJsonl(lines().join('\n'))).not.toThrow();
  });

  it('refuses unknown record types and unknown fields rather than drop them', () => {
    expect(refusal(withLine(7, (record) => (record.type = 'comment'))).details).toEqual({ line: 8, field: 'type' });
    expect(refusal(withLine(7, (record) => ((record.note as Record<string, unknown>).pinned = true))).details).toEqual({ line: 8, field: 'note.pinned' });
  });

  it('needs the header first, once, and of a version it reads', () => {
    expect(refusal('').details).toEqual({ line: 1, field: 'header' });
    expect(refusal(lines().slice(1).join('\n')).message).toContain('first line must be the header');
    expect(refusal([...lines(), lines()[0]].join('\n')).details).toEqual({ line: 11, field: 'type' });
    expect(refusal(withLine(0, (record) => (record.schemaVersion = 2))).message).toContain('newer than this baton reads');
  });

  it('refuses a file whose header counts disagree with its lines (a truncated file)', () => {
    const error = refusal(lines().slice(0, -1).join('\n'));
    expect(error.details).toEqual({ line: 1, field: 'counts.events' });
    expect(error.message).toContain('says 2 but the file holds 1');
  });

  it('refuses duplicate ids and references to tasks that are not in the file', () => {
    expect(refusal(withLine(2, (record) => ((record.task as Record<string, unknown>).id = 1))).details).toEqual({ line: 3, field: 'task.id' });
    expect(refusal(withLine(9, (record) => ((record.event as Record<string, unknown>).id = 1))).details).toEqual({ line: 10, field: 'event.id' });
    expect(refusal(withLine(4, (record) => ((record.dependency as Record<string, unknown>).dependsOnId = 42))).message)
      .toBe('line 5: dependency.dependsOnId names task #42, which is not in the file; nothing was imported');
    expect(refusal(withLine(7, (record) => ((record.note as Record<string, unknown>).taskId = 42))).details).toEqual({ line: 8, field: 'note.taskId' });
    expect(refusal(withLine(1, (record) => ((record.task as Record<string, unknown>).parentId = 42))).details).toEqual({ line: 2, field: 'task.parentId' });
    expect(refusal(withLine(4, (record) => ((record.dependency as Record<string, unknown>).dependsOnId = 1))).message).toContain('depend on itself');
    expect(refusal(withLine(5, (record) => ((record.dependency as Record<string, unknown>).dependsOnId = 5))).message).toContain('line 7: dependency #3 → #5 repeats line 6');
  });

  it('refuses a cycle of gating dependencies but not a loop of related ones', () => {
    const board = richBoard();
    const cyclic = { ...board, dependencies: [...board.dependencies, { taskId: 1, dependsOnId: 3, type: 'blocks' as const, createdAt: AT }] };
    cyclic.dependencies = cyclic.dependencies.filter((d) => d.type !== 'related');
    const error = refusal(lines(cyclic).join('\n'));
    expect(error.message).toBe('line 5: dependency closes a cycle: #1 → #3 → #1; remove one of these dependencies; nothing was imported');
    expect(error.details).toEqual({ line: 5, field: 'dependency' });
    const related = { ...board, dependencies: [...board.dependencies, { taskId: 5, dependsOnId: 1, type: 'related' as const, createdAt: AT }] };
    expect(parseBoardJsonl(lines(related).join('\n')).dependencies).toHaveLength(4);
  });
});

describe('parentFirstOrder', () => {
  it('puts every parent before its children, even when the parent has the higher id', () => {
    const { order, laterParents } = parentFirstOrder([task(1, { parentId: 4 }), task(2), task(3, { parentId: 1 }), task(4)]);
    const position = new Map(order.map((t, index) => [t.id, index]));
    expect(order).toHaveLength(4);
    expect(position.get(4)).toBeLessThan(position.get(1) as number);
    expect(position.get(1)).toBeLessThan(position.get(3) as number);
    expect(laterParents).toEqual([]);
  });

  it('breaks a loop of parents by setting one parent after every task exists', () => {
    const { order, laterParents } = parentFirstOrder([task(1, { parentId: 2 }), task(2, { parentId: 1 }), task(3, { parentId: 2 })]);
    expect(order.map((t) => [t.id, t.parentId])).toEqual([[1, null], [2, 1], [3, 2]]);
    expect(laterParents).toEqual([{ id: 1, parentId: 2 }]);
  });
});
