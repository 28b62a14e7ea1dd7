import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { parseTaskId } from '../../core/ids.js';
import { parseCursor } from '../../cli/commands/watch.js';
import { parseLimit } from '../../cli/commands/task-list.js';
import { SCHEMA_VERSION } from '../../cli/output.js';
import { streamEvents } from '../event-stream.js';
import { HttpRefusal } from '../http-errors.js';
import type { ServerEnv } from '../server-deps.js';

const DEFAULT_PAGE = 500;

/**
 * The event streams open at once. Each holds a socket, a file descriptor and a timer for as long
 * as its client likes, and on loopback any user of the machine may open one without the token:
 * past this, a new one is refused (503) rather than the server running out of descriptors.
 */
export const MAX_STREAMS = 100;

/** The event feed: a page after a cursor, or the live stream (server-sent events). */
export function eventRoutes(): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  routes.get('/events', async (c) => {
    const afterId = parseCursor(c.req.query('after'), 'after');
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? DEFAULT_PAGE : parseLimit(limitText, 'limit');
    const task = c.req.query('task');
    const taskId = task === undefined ? undefined : parseTaskId(task, 'task');
    const events = await c.get('deps').store.read((tx) => tx.events({ afterId, limit, ...(taskId !== undefined && { taskId }) }));
    // The cursor for the next page: the last event's id, or the one given when there is none.
    return c.json({ schemaVersion: SCHEMA_VERSION, events, count: events.length, next: events.at(-1)?.id ?? afterId });
  });

  let open = 0;
  routes.get('/events/stream', (c) => {
    // An EventSource that reconnects sends the id of the last event it got; a first connection may name one with ?after=.
    const resumeFrom = c.req.header('last-event-id');
    const afterId = resumeFrom !== undefined ? parseCursor(resumeFrom, 'Last-Event-ID') : parseCursor(c.req.query('after'), 'after');
    // A HEAD gets a GET's headers but no body: its answer ends at once, and a stream started
    // for it would never learn so (it held its place among MAX_STREAMS, and its timer, for good).
    if (c.req.method === 'HEAD') return c.body(null, 200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    // Only a stream takes a place: a HEAD is answered whatever the count.
    if (open >= MAX_STREAMS) throw new HttpRefusal('BUSY', `${MAX_STREAMS} event streams are open, the most this server keeps; close one (or page with GET /api/events?after=ID) and retry`);
    const deps = c.get('deps');
    const socket = c.env?.outgoing;
    open += 1;
    return streamSSE(c, async (stream) => {
      try {
        await streamEvents(stream, deps, afterId, socket);
      } finally {
        open -= 1;
      }
    });
  });

  return routes;
}
