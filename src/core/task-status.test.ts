import { describe, expect, it } from 'vitest';
import type { BatonError } from './errors.js';
import { applyStatus } from './task-status.js';
import { newTaskRecord, type Task } from './task.js';

const CREATED = '2025-03-01T09:00:00.000Z';
const NOW = '2025-03-02T10:30:00.000Z';

function task(fields: Partial<Task>): Task {
  return { ...newTaskRecord({ title: 'Implement auth', createdBy: 'alice', createdAt: CREATED }), id: 4, version: 3, ...fields };
}

describe('applyStatus', () => {
  it('moves the task and stamps updatedAt without touching the version or the input', () => {
    const before = task({});
    const after = applyStatus(before, 'in_progress', NOW);
    expect(after).toMatchObject({ status: 'in_progress', updatedAt: NOW, version: 3, closedAt: null });
    expect(before.status).toBe('open');
    expect(before.updatedAt).toBe(CREATED);
  });

  it('refuses an illegal transition and names the legal ones', () => {
    let error: BatonError | undefined;
    try {
      applyStatus(task({ status: 'done' }), 'in_progress', NOW);
    } catch (caught) {
      error = caught as BatonError;
    }
    expect(error?.code).toBe('ILLEGAL_TRANSITION');
    expect(error?.message).toContain('task #4 is done and cannot become in_progress');
    expect(error?.details).toMatchObject({ legal: ['open'] });
  });

  it('stamps closedAt when the task is done or cancelled', () => {
    expect(applyStatus(task({ status: 'in_progress' }), 'done', NOW).closedAt).toBe(NOW);
    expect(applyStatus(task({ status: 'review' }), 'done', NOW).closedAt).toBe(NOW);
    expect(applyStatus(task({ status: 'open' }), 'cancelled', NOW).closedAt).toBe(NOW);
  });

  it('clears closedAt and the completion message when a closed task is reopened', () => {
    const done = task({ status: 'done', closedAt: CREATED, completionMessage: 'Merged PR #123' });
    const reopened = applyStatus(done, 'open', NOW);
    expect(reopened).toMatchObject({ status: 'open', closedAt: null, completionMessage: null });
    expect(applyStatus(task({ status: 'cancelled', closedAt: CREATED }), 'open', NOW).closedAt).toBeNull();
  });

  it('keeps the completion message when completing and when failing', () => {
    const working = task({ status: 'in_progress', completionMessage: 'Merged PR #123' });
    expect(applyStatus(working, 'done', NOW).completionMessage).toBe('Merged PR #123');
    expect(applyStatus(working, 'failed', NOW)).toMatchObject({ completionMessage: 'Merged PR #123', closedAt: null });
  });

  it('keeps the lease only while the task stays in progress', () => {
    const lease = '2025-03-02T11:00:00.000Z';
    expect(applyStatus(task({ leaseExpiresAt: lease }), 'in_progress', NOW).leaseExpiresAt).toBe(lease);
    for (const to of ['open', 'review', 'done', 'blocked', 'cancelled', 'failed'] as const) {
      expect(applyStatus(task({ status: 'in_progress', leaseExpiresAt: lease }), to, NOW).leaseExpiresAt).toBeNull();
    }
  });

  it('keeps a block reason only while blocked', () => {
    expect(applyStatus(task({ blockReason: 'waiting on legal' }), 'blocked', NOW).blockReason).toBe('waiting on legal');
    expect(applyStatus(task({ status: 'blocked', blockReason: 'waiting on legal' }), 'open', NOW).blockReason).toBeNull();
  });

  it('leaves the other fields alone', () => {
    const before = task({ assignee: 'bob', labels: ['api'], worktree: '/w/a', branch: 'a', priority: 0 });
    const after = applyStatus(before, 'in_progress', NOW);
    expect(after).toMatchObject({ assignee: 'bob', labels: ['api'], worktree: '/w/a', branch: 'a', priority: 0, id: 4 });
  });
});
