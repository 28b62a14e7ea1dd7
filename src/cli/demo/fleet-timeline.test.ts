import { describe, expect, it } from 'vitest';
import type { BoardEvent } from '../../core/event.js';
import { fleetTimeline, momentOfLine, momentText } from './fleet-timeline.js';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
let nextId = 1;
function event(type: BoardEvent['type'], taskId: number, atMs: number, payload: Record<string, unknown> = {}, actor = 'supervisor'): BoardEvent {
  return { id: nextId++, at: new Date(T0 + atMs).toISOString(), actor, taskId, type, payload, recipients: [] };
}

const CONFLICT = 'bringing baton/14-add-slugify onto main (at 0cb0c09c1454) conflicts in 1 file(s): index.mjs';
const HELD_LINE =
  "supervisor: #15 waits_for_approval: task #15 needs a person's approval before it merges: it declares removes:export:shout (resources: removes:*); look at it with `baton review`, then `baton approve 15` or `baton reject 15 -m \"why\"`";

describe('momentOfLine', () => {
  it('reads a start, a deferral with the tasks it waits for, and an approval hold from the supervisor\'s lines', () => {
    expect(momentOfLine("supervisor: starting #13 'Make truncate end with an ellipsis' with claude (1 running)")).toEqual({ kind: 'started', taskId: 13, agent: 'claude', dispatch: 1, cameBack: false });
    expect(momentOfLine("supervisor: #15 waits: #13 'Make truncate' is already working on text.mjs; #12 'Other' (agent-2) is already working on text.mjs")).toEqual({
      kind: 'deferred',
      taskId: 15,
      waitsFor: [13, 12],
      reason: "#13 'Make truncate' is already working on text.mjs; #12 'Other' (agent-2) is already working on text.mjs",
    });
    expect(momentOfLine(HELD_LINE)).toEqual({ kind: 'held', taskId: 15, reason: 'declares removes:export:shout (resources: removes:*)' });
    expect(momentOfLine('#13 attempt 1/2...')).toBeNull();
    expect(momentOfLine('supervisor: #13 ended succeeded, task review')).toBeNull();
  });
});

describe('fleetTimeline', () => {
  const lines = [
    { atMs: 300, text: "supervisor: starting #13 'Make truncate end with an ellipsis' with claude (1 running)" },
    { atMs: 310, text: "supervisor: #15 waits: #13 'Make truncate end with an ellipsis' is already working on text.mjs" },
    { atMs: 320, text: "supervisor: starting #14 'Add slugify' with claude (2 running)" },
    { atMs: 7_200, text: "supervisor: starting #14 'Add slugify' with claude (2 running)" },
    { atMs: 9_000, text: HELD_LINE },
    { atMs: 9_100, text: "supervisor: starting #99 'Not ours' with codex (3 running)" },
  ];
  const events = [
    event('task_created', 13, -5_000),
    event('run_succeeded', 13, 5_000, { run: 1, outcome: 'succeeded', attempts: 1 }),
    event('merge_landed', 13, 6_000, { commit: 'f6756b3d3a67aaaa' }),
    event('merge_returned', 14, 7_000, { reason: CONFLICT, conflicts: ['index.mjs'] }),
    event('review_approved', 15, 9_500, { message: 'fine' }, 'person'),
    event('run_failed', 16, 9_600, { run: 1, outcome: 'stalled', attempts: 2 }),
    event('merge_landed', 99, 9_700, { commit: 'abc' }),
  ];
  const timeline = fleetTimeline(events, lines, [13, 14, 15, 16], T0);

  it('puts the supervisor\'s lines and the board\'s events of the fleet\'s tasks in one order, and knows a start after a return', () => {
    expect(timeline.map((entry) => [entry.atMs, entry.kind, entry.taskId])).toEqual([
      [300, 'started', 13],
      [310, 'deferred', 15],
      [320, 'started', 14],
      [5_000, 'ended', 13],
      [6_000, 'landed', 13],
      [7_000, 'returned', 14],
      [7_200, 'started', 14],
      [9_000, 'held', 15],
      [9_500, 'approved', 15],
      [9_600, 'ended', 16],
    ]);
    expect(timeline[6]).toMatchObject({ kind: 'started', dispatch: 2, cameBack: true });
    expect(timeline[5]).toMatchObject({ kind: 'returned', conflicts: ['index.mjs'], reason: CONFLICT });
  });

  it('tells each moment as a sentence', () => {
    const titles = new Map([[13, 'Make truncate end with an ellipsis']]);
    expect(timeline.map((entry) => momentText(entry, titles))).toEqual([
      '#13 started with claude: Make truncate end with an ellipsis',
      "#15 waits for #13: #13 'Make truncate end with an ellipsis' is already working on text.mjs",
      '#14 started with claude',
      '#13 run 1 succeeded after 1 attempt; its work is in review',
      '#13 landed as f6756b3d3a',
      `#14 came back: ${CONFLICT}`,
      '#14 started again with claude: the base merged into its branch, why it came back as its feedback',
      '#15 waits for a person before it merges: it declares removes:export:shout (resources: removes:*)',
      'person approved #15: "fine"',
      '#16 run 1 stalled after 2 attempts',
    ]);
  });
});
