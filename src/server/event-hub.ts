import { followEvents } from '../app/follow-events.js';
import type { BoardStore } from '../app/ports.js';
import { SCHEMA_VERSION } from '../cli/output.js';
import type { BoardEvent } from '../core/event.js';

/** An event as the stream sends it: its id, and its JSON (made once, whatever the number of clients). */
export interface StreamMessage {
  id: number;
  data: string;
}

export interface HubSubscriber {
  event(message: StreamMessage): void;
  fail(error: unknown): void;
}

export function streamMessage(event: BoardEvent): StreamMessage {
  return { id: event.id, data: JSON.stringify({ schemaVersion: SCHEMA_VERSION, event }) };
}

/**
 * One follower of the board (the one `watch --follow` runs) for every client of the stream: a
 * commit wakes one reader, not one per client, and each event is serialized once. It follows on
 * from the board's last event at its start; a client catches up on older events itself.
 */
export class EventHub {
  private readonly subscribers = new Set<HubSubscriber>();
  private following: Promise<number> | null = null;

  constructor(
    private readonly store: BoardStore,
    private readonly stopping: AbortSignal,
  ) {}

  /**
   * Live events from now on. Resolves once the hub follows the board: an event committed before
   * is on the board for the subscriber to read, one after reaches it here (maybe both: ids dedupe).
   */
  async subscribe(subscriber: HubSubscriber): Promise<() => void> {
    this.subscribers.add(subscriber);
    await this.start();
    return () => this.subscribers.delete(subscriber);
  }

  private start(): Promise<number> {
    if (this.following) return this.following;
    const started = this.store.read((tx) => tx.lastEventId());
    this.following = started;
    const fail = (error: unknown): void => {
      // A board gone or replaced ends every stream; the next client starts a new follower.
      this.following = null;
      for (const subscriber of [...this.subscribers]) subscriber.fail(error);
    };
    void started.then((from) => followEvents(this.store, { afterId: from }, (event) => this.broadcast(streamMessage(event)), this.stopping).catch(fail), fail);
    return started;
  }

  private broadcast(message: StreamMessage): void {
    for (const subscriber of [...this.subscribers]) subscriber.event(message);
  }
}
