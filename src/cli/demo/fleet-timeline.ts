import type { BoardEvent } from '../../core/event.js';

/*
 * The fleet part's timeline: who started what, what waited for what, what landed, what came
 * back and why, and what a person approved. Pure: it comes from the board's events and the
 * two things only the supervisor's output says (a task deferred, a task held for a person).
 */

export type Moment =
  /** `dispatch`: the supervisor's how-manyth start of the task; `cameBack`: the merge queue had sent it back. */
  | { kind: 'started'; taskId: number; agent: string; dispatch: number; cameBack: boolean }
  | { kind: 'deferred'; taskId: number; waitsFor: number[]; reason: string }
  | { kind: 'ended'; taskId: number; run: number; outcome: string; attempts: number }
  | { kind: 'held'; taskId: number; reason: string }
  | { kind: 'approved'; taskId: number; by: string; message: string | null }
  | { kind: 'landed'; taskId: number; commit: string }
  | { kind: 'returned'; taskId: number; reason: string; conflicts: string[] };

/** A moment and when it happened, in milliseconds since the supervisor started. */
export type TimelineEntry = Moment & { atMs: number };

const STARTED = /^supervisor: starting #(\d+) .* with (.+) \(\d+ running\)$/;
const DEFERRED = /^supervisor: #(\d+) waits: (.*)$/;
const HELD = /^supervisor: #(\d+) waits_for_approval: (.*)$/;
/** The words of an approval refusal that say why, between these. */
const HELD_REASON = /before it merges: it (.*?); look at it with/;
const RUN_END_EVENTS: readonly BoardEvent['type'][] = ['run_succeeded', 'run_failed', 'stalled', 'budget_exceeded', 'run_interrupted'];

/**
 * The moments of the given tasks, oldest first; events at `startedMs` or later. Starts come from
 * the supervisor's lines, like the deferrals they are interleaved with, so the two read in the
 * order the supervisor decided them.
 */
export function fleetTimeline(events: readonly BoardEvent[], lines: readonly { atMs: number; text: string }[], taskIds: readonly number[], startedMs: number): TimelineEntry[] {
  const ours = (taskId: number | null): taskId is number => taskId !== null && taskIds.includes(taskId);
  const fromEvents = events.flatMap((event): TimelineEntry[] => {
    if (!ours(event.taskId)) return [];
    const moment = momentOf(event, event.taskId);
    return moment === null ? [] : [{ ...moment, atMs: Date.parse(event.at) - startedMs }];
  });
  const fromLines = lines.flatMap((line): TimelineEntry[] => {
    const moment = momentOfLine(line.text);
    return moment !== null && ours(moment.taskId) ? [{ ...moment, atMs: line.atMs }] : [];
  });
  // Stable: a line read at the same millisecond as an event stays after it.
  const timeline = [...fromEvents, ...fromLines].filter((entry) => entry.atMs >= 0).sort((a, b) => a.atMs - b.atMs);
  return timeline.map((entry, index) => {
    if (entry.kind !== 'started') return entry;
    const before = timeline.slice(0, index).filter((earlier) => earlier.taskId === entry.taskId);
    return { ...entry, dispatch: before.filter((earlier) => earlier.kind === 'started').length + 1, cameBack: before.some((earlier) => earlier.kind === 'returned') };
  });
}

function momentOf(event: BoardEvent, taskId: number): Moment | null {
  const { payload } = event;
  if (RUN_END_EVENTS.includes(event.type)) return { kind: 'ended', taskId, run: numberOf(payload.run), outcome: String(payload.outcome ?? event.type), attempts: numberOf(payload.attempts) };
  if (event.type === 'merge_landed') return { kind: 'landed', taskId, commit: String(payload.commit ?? '') };
  if (event.type === 'merge_returned') {
    const conflicts = Array.isArray(payload.conflicts) ? payload.conflicts.map(String) : [];
    return { kind: 'returned', taskId, reason: String(payload.reason ?? ''), conflicts };
  }
  if (event.type === 'review_approved') return { kind: 'approved', taskId, by: event.actor, message: typeof payload.message === 'string' ? payload.message : null };
  return null;
}

/** A start, a deferral or an approval hold, from the supervisor's own line for it. */
export function momentOfLine(text: string): Moment | null {
  const started = STARTED.exec(text);
  if (started !== null) return { kind: 'started', taskId: Number(started[1]), agent: started[2] as string, dispatch: 1, cameBack: false };
  const deferred = DEFERRED.exec(text);
  if (deferred !== null) {
    const reason = deferred[2] as string;
    // Each collision's reason starts with the running task it waits for: "#13 'Title' ...".
    const waitsFor = [...reason.matchAll(/(?:^|; )#(\d+) /g)].map((match) => Number(match[1]));
    return { kind: 'deferred', taskId: Number(deferred[1]), waitsFor, reason };
  }
  const held = HELD.exec(text);
  if (held !== null) return { kind: 'held', taskId: Number(held[1]), reason: HELD_REASON.exec(held[2] as string)?.[1] ?? (held[2] as string) };
  return null;
}

function numberOf(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/** One moment as a sentence, for the report. */
export function momentText(entry: Moment, titles: ReadonlyMap<number, string>): string {
  const task = `#${entry.taskId}`;
  switch (entry.kind) {
    case 'started':
      if (entry.cameBack) return `${task} started again with ${entry.agent}: the base merged into its branch, why it came back as its feedback`;
      if (entry.dispatch > 1) return `${task} started again with ${entry.agent}`;
      return titles.has(entry.taskId) ? `${task} started with ${entry.agent}: ${titles.get(entry.taskId)}` : `${task} started with ${entry.agent}`;
    case 'deferred':
      return `${task} waits for ${entry.waitsFor.map((id) => `#${id}`).join(', ') || 'a running task'}: ${entry.reason}`;
    case 'ended':
      return `${task} run ${entry.run} ${entry.outcome} after ${entry.attempts} attempt${entry.attempts === 1 ? '' : 's'}${entry.outcome === 'succeeded' ? '; its work is in review' : ''}`;
    case 'held':
      return `${task} waits for a person before it merges: it ${entry.reason}`;
    case 'approved':
      return `${entry.by} approved ${task}${entry.message === null ? '' : `: "${entry.message}"`}`;
    case 'landed':
      return `${task} landed as ${entry.commit.slice(0, 10)}`;
    case 'returned':
      return `${task} came back: ${entry.reason}`;
  }
}
