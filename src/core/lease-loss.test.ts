import { describe, expect, it } from 'vitest';
import type { BoardEvent, EventType } from './event.js';
import { leaseLoss } from './lease-loss.js';

let nextId = 10;
function event(type: EventType, actor: string, payload: Record<string, unknown> = {}): BoardEvent {
  return { id: nextId++, at: '2026-01-01T00:00:00.000Z', actor, taskId: 1, type, payload, recipients: [] };
}

describe('leaseLoss', () => {
  it('is the first hold-ending event after the claim, when someone else wrote it', () => {
    const loss = leaseLoss('agent-a', 1, [
      event('note_added', 'agent-b'),
      event('lease_expired', 'baton', { leaseExpiresAt: '2025-12-31T23:59:00.000Z' }),
      event('task_claimed', 'agent-b'),
    ]);
    expect(loss).toMatchObject({ taskId: 1, endedBy: { type: 'lease_expired', actor: 'baton' } });
    expect(loss?.reason).toContain('its lease expired (2025-12-31T23:59:00.000Z) and baton reaped it');
  });

  it('is nothing when the agent let go itself', () => {
    expect(leaseLoss('agent-a', 1, [event('task_completed', 'agent-a'), event('task_reopened', 'agent-b')])).toBeNull();
    expect(leaseLoss('agent-a', 1, [event('task_released', 'agent-a')])).toBeNull();
  });

  it('is nothing once the agent wrote on the task after losing it (told, or noted it)', () => {
    expect(leaseLoss('agent-a', 1, [event('task_released', 'agent-b'), event('lease_lost', 'agent-a')])).toBeNull();
    expect(leaseLoss('agent-a', 1, [event('task_cancelled', 'agent-b'), event('note_added', 'agent-a')])).toBeNull();
  });

  it('names how the task was taken away', () => {
    const reason = (type: EventType, payload: Record<string, unknown> = {}): string => leaseLoss('agent-a', 1, [event(type, 'agent-b', payload)])?.reason ?? '';
    expect(reason('task_released')).toContain('agent-b released it');
    expect(reason('task_completed')).toContain('agent-b completed it');
    expect(reason('task_cancelled')).toContain('agent-b cancelled it');
    expect(reason('task_blocked', { reason: 'legal' })).toContain('agent-b blocked it at 2026-01-01T00:00:00.000Z (legal)');
    expect(reason('status_changed', { to: 'failed' })).toContain('moved it to failed');
  });

  it('says the feed is silent when no event ended the hold', () => {
    expect(leaseLoss('agent-a', 1, [event('note_added', 'agent-b')])).toMatchObject({ endedBy: null, reason: expect.stringContaining('does not say why') });
    // Once: the heartbeat that reported it wrote lease_lost.
    expect(leaseLoss('agent-a', 1, [event('task_updated', 'agent-b'), event('lease_lost', 'agent-a')])).toBeNull();
  });
});
