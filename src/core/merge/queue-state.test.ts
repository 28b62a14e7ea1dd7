import { describe, expect, it } from 'vitest';
import type { BoardEvent, EventType } from '../event.js';
import { queueStateOf } from './queue-state.js';

let nextId = 1;
function event(type: EventType, payload: Record<string, unknown> = {}): BoardEvent {
  return { id: nextId++, at: '2026-12-06T00:00:00.000Z', actor: 'x', taskId: 1, type, payload, recipients: [] };
}

describe('queueStateOf', () => {
  it('follows a task through review: verified, approved, queued, sent back, run again', () => {
    const queued = event('merge_queued');
    const events = [event('run_succeeded', { commit: 'c1', branch: 'baton/1-x' }), event('review_approved'), queued];
    expect(queueStateOf(events)).toMatchObject({ verifiedCommit: 'c1', branch: 'baton/1-x', approved: true, queuedEventId: queued.id, returns: 0, sentBack: null });

    const failure = { checkId: 'merge:conflict', kind: 'merge', summary: 'conflicts in a.txt', detail: 'a.txt' };
    events.push(event('merge_returned', { failures: [failure, { not: 'a failure' }], conflicts: ['a.txt', 7], baseCommit: 'b2' }));
    expect(queueStateOf(events)).toMatchObject({ approved: false, queuedEventId: null, returns: 1, sentBack: { kind: 'merge', failures: [failure], conflicts: ['a.txt'], baseCommit: 'b2' } });

    // A new successful run: a new commit to judge, approval to give again; the returns still count.
    events.push(event('run_succeeded', { commit: 'c2', branch: 'baton/1-x' }));
    expect(queueStateOf(events)).toMatchObject({ verifiedCommit: 'c2', approved: false, queuedEventId: null, returns: 1, sentBack: null });
  });

  it('a rejection sends the task back with the reviewer\'s words; landing takes it out of the queue', () => {
    const rejected = queueStateOf([event('run_succeeded', { commit: 'c1' }), event('merge_queued'), event('review_rejected', { failures: [{ checkId: 'review:rejected', kind: 'review', summary: 's', detail: 'use a transaction' }] })]);
    expect(rejected).toMatchObject({ queuedEventId: null, sentBack: { kind: 'rejected', conflicts: [], baseCommit: null } });
    expect(rejected.sentBack?.failures[0]?.detail).toBe('use a transaction');
    expect(queueStateOf([event('run_succeeded', { commit: 'c1' }), event('merge_queued'), event('merge_landed')]).queuedEventId).toBeNull();
  });
});
