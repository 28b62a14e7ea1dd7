import type { ServerResponse } from 'node:http';
import type { SSEStreamingApi } from 'hono/streaming';
import { BatonError } from '../core/errors.js';
import { SCHEMA_VERSION } from '../cli/output.js';
import { streamMessage, type StreamMessage } from './event-hub.js';
import type { ServerDeps } from './server-deps.js';

/**
 * How much of the feed may wait for one client. A client that stops reading fills the socket,
 * then this: past it, the client is dropped (it reconnects with Last-Event-ID and misses nothing),
 * so one stalled tab never grows the server's memory or holds back the others.
 */
export const MAX_PENDING_BYTES = 1024 * 1024;
/** Older events are read a page at a time, the next one only once the client took the last. */
const CATCH_UP_PAGE = 200;

type Outgoing = StreamMessage | { comment: string };

const sizeOf = (item: Outgoing): number => ('data' in item ? item.data.length : item.comment.length);

/** What waits to be written; `counted` when it came at the board's pace, not the client's (see MAX_PENDING_BYTES). */
interface Queued {
  item: Outgoing;
  counted: boolean;
}

/**
 * Streams the board's events after `afterId` to one client, each as an SSE message whose id is
 * the event's id: first the ones already on the board, read page by page as the client keeps up,
 * then live ones from the server's hub, with a comment every `heartbeatMs` while the board is quiet.
 */
export async function streamEvents(stream: SSEStreamingApi, deps: ServerDeps, afterId: number, socket: ServerResponse | undefined): Promise<void> {
  const controller = new AbortController();
  const queue: Queued[] = [];
  // Live events that came while the client was catching up, sent after the older ones.
  let early: StreamMessage[] = [];
  let catchingUp = true;
  let lastQueued = afterId;
  let pendingBytes = 0;
  let wake: (() => void) | null = null;
  let dropped = false;
  let failure: unknown = null;
  const stop = (): void => {
    controller.abort();
    wake?.();
  };
  const count = (bytes: number): void => {
    pendingBytes += bytes;
    if (pendingBytes > MAX_PENDING_BYTES && !dropped) {
      dropped = true;
      deps.log(`dropped a client of the event stream that stopped reading (${pendingBytes} bytes waiting); it may reconnect with Last-Event-ID`);
      stop();
    }
  };
  // Older events are read only when the queue is empty, so they are bounded by the page and
  // never count towards dropping; live ones come whatever the client's pace, and do.
  const enqueue = (item: Outgoing, counted = true): void => {
    if ('id' in item) {
      if (item.id <= lastQueued) return;
      lastQueued = item.id;
    }
    queue.push({ item, counted });
    if (counted) count(sizeOf(item));
    wake?.();
  };
  deps.stopping.addEventListener('abort', stop, { once: true });
  stream.onAbort(stop);
  const unsubscribe = await deps.hub.subscribe({
    event: (message) => {
      if (!catchingUp) return enqueue(message);
      early.push(message);
      count(message.data.length);
    },
    fail: (error) => {
      failure = error;
      stop();
    },
  });
  const heartbeat = setInterval(() => {
    if (queue.length === 0) enqueue({ comment: 'heartbeat' });
  }, deps.heartbeatMs);
  const aborted = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
  try {
    await stream.write(': baton event stream\n\n');
    while (!controller.signal.aborted) {
      if (queue.length === 0 && catchingUp) {
        const from = lastQueued;
        const page = await deps.store.read((tx) => tx.events({ afterId: from, limit: CATCH_UP_PAGE }));
        for (const event of page) enqueue(streamMessage(event), false);
        // A short page is the board's end: what comes after it, the hub (subscribed before the read) brings.
        if (page.length < CATCH_UP_PAGE) {
          catchingUp = false;
          for (const message of early) {
            pendingBytes -= message.data.length;
            enqueue(message);
          }
          early = [];
        }
        continue;
      }
      const next = queue.shift();
      if (next === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      const { item, counted } = next;
      if (counted) pendingBytes -= sizeOf(item);
      // A write waits while the client does not read (the socket is full); the abort ends the wait.
      const written = 'data' in item ? stream.writeSSE({ id: String(item.id), data: item.data }) : stream.write(`: ${item.comment}\n\n`);
      await Promise.race([written, aborted]);
    }
    if (failure !== null && !dropped && !stream.aborted) {
      const error = failure instanceof BatonError ? { code: failure.code, message: failure.message } : { code: 'FAILED', message: String(failure) };
      await Promise.race([stream.writeSSE({ event: 'error', data: JSON.stringify({ schemaVersion: SCHEMA_VERSION, error }) }), aborted]);
    }
  } finally {
    clearInterval(heartbeat);
    unsubscribe();
    deps.stopping.removeEventListener('abort', stop);
    // A dropped client's socket is full: closing would wait on it, so it is cut instead.
    if (dropped) socket?.destroy();
    else if (!stream.aborted) await stream.close().catch(() => undefined);
  }
}
