import type { ServerResponse } from 'node:http';
import type { SSEStreamingApi } from 'hono/streaming';
import { followEvents } from '../app/follow-events.js';
import { BatonError } from '../core/errors.js';
import { SCHEMA_VERSION } from '../cli/output.js';
import type { ServerDeps } from './server-deps.js';

/**
 * How much of the feed may wait for one client. A client that stops reading fills the socket,
 * then this: past it, the client is dropped (it reconnects with Last-Event-ID and misses nothing),
 * so one stalled tab never grows the server's memory or holds back the others.
 */
export const MAX_PENDING_BYTES = 1024 * 1024;

type Outgoing = { id: number; data: string } | { comment: string };

/**
 * Streams the board's events after `afterId` to one client, each as an SSE message whose id is
 * the event's id, then live ones as they are committed (by any process), with a comment every
 * `heartbeatMs` so proxies and clients know the connection lives.
 */
export async function streamEvents(stream: SSEStreamingApi, deps: ServerDeps, afterId: number, socket: ServerResponse | undefined): Promise<void> {
  const controller = new AbortController();
  const queue: Outgoing[] = [];
  let pendingBytes = 0;
  let wake: (() => void) | null = null;
  let dropped = false;
  const stop = (): void => {
    controller.abort();
    wake?.();
  };
  const push = (item: Outgoing): void => {
    queue.push(item);
    pendingBytes += 'data' in item ? item.data.length : item.comment.length;
    if (pendingBytes > MAX_PENDING_BYTES && !dropped) {
      dropped = true;
      deps.log(`dropped a client of the event stream that stopped reading (${pendingBytes} bytes waiting); it may reconnect with Last-Event-ID`);
      stop();
    }
    wake?.();
  };
  deps.stopping.addEventListener('abort', stop, { once: true });
  stream.onAbort(stop);
  const heartbeat = setInterval(() => {
    if (queue.length === 0) push({ comment: 'heartbeat' });
  }, deps.heartbeatMs);
  let failure: unknown = null;
  const following = followEvents(deps.store, { afterId }, (event) => push({ id: event.id, data: JSON.stringify({ schemaVersion: SCHEMA_VERSION, event }) }), controller.signal)
    .catch((error: unknown) => {
      failure = error;
    })
    .finally(stop);
  const aborted = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
  try {
    await stream.write(': baton event stream\n\n');
    while (!controller.signal.aborted) {
      const item = queue.shift();
      if (item === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      pendingBytes -= 'data' in item ? item.data.length : item.comment.length;
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
    deps.stopping.removeEventListener('abort', stop);
    await following;
    // A dropped client's socket is full: closing would wait on it, so it is cut instead.
    if (dropped) socket?.destroy();
    else if (!stream.aborted) await stream.close().catch(() => undefined);
  }
}
