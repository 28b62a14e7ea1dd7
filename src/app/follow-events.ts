import type { BoardEvent } from '../core/event.js';
import type { BoardStore, EventFilter } from './ports.js';

/**
 * How often a follower reads the board whether or not the store saw a change. The store wakes it
 * for every commit on this machine, so this is only a safety net, and a slow one: every wake-up
 * costs a process CPU (a few milliseconds on a busy machine), and an idle follower should cost none.
 */
const SAFETY_POLL_MS = 60_000;
const PAGE_SIZE = 500;

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
  while (!signal.aborted) {
    const mark = await store.changeMark();
    const page = await store.read(async (tx) => ({
      events: await tx.events({ ...filter, afterId: cursor, limit: PAGE_SIZE }),
      last: await tx.lastEventId(),
    }));
    // The last event id going down means the board was put back to an earlier state (restored
    // from a backup): its next events reuse ids past the cursor, so follow them from there.
    if (page.last < lastSeen && page.last < cursor) {
      cursor = page.last;
      lastSeen = page.last;
      continue;
    }
    lastSeen = page.last;
    for (const event of page.events) onEvent(event);
    // Filtered-out events still move the cursor, so they are never scanned twice.
    const advancedTo = page.events.length === PAGE_SIZE ? (page.events.at(-1) as BoardEvent).id : page.last;
    if (advancedTo > cursor) cursor = advancedTo;
    if (page.events.length === PAGE_SIZE) continue;
    await store.waitForChange(SAFETY_POLL_MS, signal, mark);
  }
}
