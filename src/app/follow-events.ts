import { BatonError } from '../core/errors.js';
import type { BoardEvent } from '../core/event.js';
import type { BoardReader, BoardStore, EventFilter } from './ports.js';

/**
 * How often a follower reads the board whether or not the store saw a change. The store wakes it
 * for every commit on this machine, so this is only a safety net, and a slow one: every wake-up
 * costs a process CPU (a few milliseconds on a busy machine), and an idle follower should cost none.
 */
const SAFETY_POLL_MS = 60_000;
const PAGE_SIZE = 500;
/**
 * A board copied over in place (`cp backup.db baton.db`) reads as damaged while the copy is
 * being written. A follower that meets that looks again as the file changes, and gives up only
 * once the board has stayed unreadable this long.
 */
const UNREADABLE_GRACE_MS = 1_000;
const UNREADABLE_RETRY_MS = 50;

/**
 * Streams events after `filter.afterId`, oldest first, then waits for new ones until `signal`
 * aborts. Waiting is the store's (no CPU while idle); it is measured from a mark taken before
 * each read, so a change that lands while the follower reads wakes it again at once.
 */
export async function followEvents(
  store: BoardStore,
  filter: EventFilter,
  onEvent: (event: BoardEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  let cursor = filter.afterId ?? 0;
  let lastSeen = 0;
  let unreadableSinceMs: number | null = null;
  const anchors = new Anchors();
  while (!signal.aborted) {
    const mark = await store.changeMark();
    let page: { events: BoardEvent[]; last: number; newest: BoardEvent | null; divergedTo: number | null };
    try {
      page = await store.read(async (tx) => {
        // The board put back to an earlier state (restored from a backup) and written to again
        // reuses the event ids the follower has passed: it follows on from where the two agree.
        const divergedTo = await anchors.divergedTo(tx);
        const from = divergedTo ?? cursor;
        const events = await tx.events({ ...filter, afterId: from, limit: PAGE_SIZE });
        const last = await tx.lastEventId();
        return { events, last, newest: last > 0 ? await eventWithId(tx, last) : null, divergedTo };
      });
      unreadableSinceMs = null;
    } catch (error) {
      if (!(error instanceof BatonError && error.code === 'BOARD_UNREADABLE')) throw error;
      unreadableSinceMs ??= performance.now();
      if (performance.now() - unreadableSinceMs >= UNREADABLE_GRACE_MS) throw error;
      // The store's look at a changed file re-opens it, or says it is another board now.
      await store.waitForChange(UNREADABLE_RETRY_MS, signal, mark);
      continue;
    }
    if (page.divergedTo !== null) {
      cursor = page.divergedTo;
      lastSeen = page.divergedTo;
      anchors.dropAfter(page.divergedTo);
      continue;
    }
    // The last event id going down means the board was put back to an earlier state (restored
    // from a backup): its next events reuse ids past the cursor, so follow them from there.
    if (page.last < lastSeen && page.last < cursor) {
      cursor = page.last;
      lastSeen = page.last;
      anchors.dropAfter(page.last);
      continue;
    }
    lastSeen = page.last;
    if (page.newest !== null) anchors.remember(page.newest);
    for (const event of page.events) onEvent(event);
    // Filtered-out events still move the cursor, so they are never scanned twice.
    const advancedTo = page.events.length === PAGE_SIZE ? (page.events.at(-1) as BoardEvent).id : page.last;
    if (advancedTo > cursor) cursor = advancedTo;
    if (page.events.length === PAGE_SIZE) continue;
    await store.waitForChange(SAFETY_POLL_MS, signal, mark);
  }
}

async function eventWithId(tx: BoardReader, id: number): Promise<BoardEvent | null> {
  return (await tx.events({ afterId: id - 1, limit: 1 }))[0] ?? null;
}

/** What makes an event the one the follower saw: a restored board reuses its id for another. */
function fingerprint(event: BoardEvent): string {
  return `${event.at}|${event.type}|${event.taskId ?? ''}|${event.actor}`;
}

const ANCHORS_KEPT = 64;

/**
 * The newest event of the last few looks, as the follower saw it. While the board holds them
 * unchanged, its history is the one the follower passed; when the newest no longer matches, the
 * history was rewritten (a restore, then new writes) and the follower goes back to the newest
 * anchor that still matches.
 */
class Anchors {
  private readonly kept: { id: number; print: string }[] = [];

  remember(event: BoardEvent): void {
    const newest = this.kept.at(-1);
    if (newest?.id === event.id) return;
    this.kept.push({ id: event.id, print: fingerprint(event) });
    if (this.kept.length > ANCHORS_KEPT) this.kept.shift();
  }

  dropAfter(id: number): void {
    while ((this.kept.at(-1)?.id ?? 0) > id) this.kept.pop();
  }

  /** Null while the newest anchor still matches; else the id to follow on from. */
  async divergedTo(tx: BoardReader): Promise<number | null> {
    const newest = this.kept.at(-1);
    if (newest === undefined || (await this.matches(tx, newest))) return null;
    for (let index = this.kept.length - 2; index >= 0; index--) {
      const anchor = this.kept[index] as { id: number; print: string };
      if (await this.matches(tx, anchor)) return anchor.id;
    }
    // Rewritten further back than the anchors reach: the follower goes on by the ids alone.
    this.kept.length = 0;
    return null;
  }

  private async matches(tx: BoardReader, anchor: { id: number; print: string }): Promise<boolean> {
    const event = await eventWithId(tx, anchor.id);
    return event !== null && fingerprint(event) === anchor.print;
  }
}
