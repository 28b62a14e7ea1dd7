/**
 * The event stream of `baton serve` (server-sent events) with real clients: events committed by
 * other baton processes arrive, a reconnect resumes from Last-Event-ID, heartbeats keep the line
 * alive, and a client that stops reading is dropped while the others go on.
 */
import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baton, batonAsync, makeRepo } from './helpers/baton.js';
import { startServe, stopAllServes, type Served } from './helpers/serve.js';

interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A client of the stream reading with fetch, keeping every message it got. */
interface StreamClient {
  messages: SseMessage[];
  eventIds(): number[];
  waitFor(match: (messages: SseMessage[]) => boolean, timeoutMs: number): Promise<void>;
  close(): void;
}

function parseMessages(block: string): SseMessage {
  const message: SseMessage = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) message.comment = line.slice(1).trim();
    else {
      const colon = line.indexOf(':');
      const field = line.slice(0, colon);
      const value = line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id' || field === 'event' || field === 'data') message[field] = value;
    }
  }
  return message;
}

async function connect(served: Served, headers: Record<string, string> = {}, query = ''): Promise<StreamClient> {
  const controller = new AbortController();
  const response = await fetch(`${served.url}/api/events/stream${query}`, { headers, signal: controller.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const messages: SseMessage[] = [];
  const waiters = new Set<() => void>();
  void (async () => {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop() ?? '';
        messages.push(...blocks.filter((block) => block.trim() !== '').map(parseMessages));
        for (const waiter of [...waiters]) waiter();
      }
    } catch {
      // Aborted by close().
    }
  })();
  return {
    messages,
    eventIds: () => messages.filter((message) => message.id !== undefined).map((message) => Number(message.id)),
    waitFor(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!match(messages)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`not within ${timeoutMs} ms; got ${messages.length} messages: ${JSON.stringify(messages.slice(-3))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}

const eventOf = (message: SseMessage): { id: number; type: string; actor: string; payload: Record<string, unknown> } =>
  (JSON.parse(message.data as string) as { event: { id: number; type: string; actor: string; payload: Record<string, unknown> } }).event;

const repo = makeRepo('baton-serve-sse-');
let served: Served;

beforeAll(async () => {
  expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
  for (const title of ['one', 'two', 'three']) expect(baton(['add', title], { cwd: repo.dir }).code).toBe(0);
  served = await startServe(repo.dir, ['--heartbeat', '300ms']);
}, 60_000);

afterAll(async () => {
  await stopAllServes();
  repo.cleanup();
});

describe('the event stream', () => {
  it('sends the backlog, then an event another baton process commits, each with its id', async () => {
    const client = await connect(served);
    try {
      await client.waitFor(() => client.eventIds().length === 3, 5_000);
      const added = await batonAsync(['add', 'from another process', '--as', 'dora'], { cwd: repo.dir });
      expect(added.code, added.stderr).toBe(0);
      await client.waitFor((messages) => messages.some((message) => message.data?.includes('from another process')), 5_000);
      const last = client.messages.filter((message) => message.id !== undefined).at(-1) as SseMessage;
      expect(eventOf(last)).toMatchObject({ id: 4, type: 'task_created', actor: 'dora', payload: { title: 'from another process' } });
      expect(client.eventIds()).toEqual([1, 2, 3, 4]);
    } finally {
      client.close();
    }
  });

  it('resumes after Last-Event-ID with exactly the events missed, then goes on live', async () => {
    const first = await connect(served);
    await first.waitFor(() => first.eventIds().length >= 4, 5_000);
    const seen = Math.max(...first.eventIds());
    first.close();
    // Missed while away: two events by two other processes.
    for (const title of ['missed one', 'missed two']) expect((await batonAsync(['add', title], { cwd: repo.dir })).code).toBe(0);
    const again = await connect(served, { 'last-event-id': String(seen) });
    try {
      await again.waitFor(() => again.eventIds().length >= 2, 5_000);
      expect(again.eventIds()).toEqual([seen + 1, seen + 2]);
      expect(again.messages.filter((message) => message.data !== undefined).map((message) => eventOf(message).payload.title)).toEqual(['missed one', 'missed two']);
      expect((await batonAsync(['add', 'live again'], { cwd: repo.dir })).code).toBe(0);
      await again.waitFor(() => again.eventIds().length >= 3, 5_000);
      expect(again.eventIds()).toEqual([seen + 1, seen + 2, seen + 3]);
    } finally {
      again.close();
    }
  });

  it('?after= names the cursor of a first connection; a bad Last-Event-ID is a 400', async () => {
    const client = await connect(served, {}, '?after=5');
    try {
      await client.waitFor(() => client.eventIds().length > 0, 5_000);
      expect(client.eventIds()[0]).toBe(6);
    } finally {
      client.close();
    }
    const bad = await fetch(`${served.url}/api/events/stream`, { headers: { 'last-event-id': 'abc' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^Last-Event-ID: /) as unknown });
  });

  it('sends a heartbeat comment while the board is quiet', async () => {
    const client = await connect(served, {}, '?after=1000');
    try {
      await client.waitFor((messages) => messages.filter((message) => message.comment === 'heartbeat').length >= 2, 3_000);
      expect(client.eventIds()).toEqual([]);
    } finally {
      client.close();
    }
  });
});

/** A client that reads the headers and then nothing more: its socket fills up. */
function stalledClient(served: Served): Promise<{ response: IncomingMessage; ended: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${served.url}/api/events/stream?after=1`, (response) => {
      response.pause();
      let text = '';
      const ended = new Promise<string>((resolveEnd) => {
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolveEnd(text));
        response.on('error', () => resolveEnd(text));
        response.on('close', () => resolveEnd(text));
      });
      resolve({ response, ended });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('backpressure', () => {
  it('a client that stops reading is dropped, never buffered without bound, while another receives every event', async () => {
    const other = makeRepo('baton-serve-slow-');
    expect(baton(['init'], { cwd: other.dir }).code).toBe(0);
    expect(baton(['add', 'noted'], { cwd: other.dir }).code).toBe(0);
    const server = await startServe(other.dir);
    try {
      const reading = await connect(server, {}, '?after=1');
      const stalled = await stalledClient(server);
      // ~11 MB of events: far more than the socket buffers and the 1 MiB a client may have waiting.
      const body = 'n'.repeat(19_000);
      const NOTES = 600;
      for (let index = 0; index < NOTES; index += 4) {
        const batch = await Promise.all([0, 1, 2, 3].map(() => server.call('POST', '/api/tasks/1/notes', { text: body })));
        expect(batch.map((result) => result.status)).toEqual([201, 201, 201, 201]);
      }
      await reading.waitFor(() => reading.eventIds().length === NOTES, 30_000);
      expect(reading.eventIds()).toEqual(Array.from({ length: NOTES }, (_, index) => index + 2));
      reading.close();
      // The stalled client, reading again, finds its stream cut short: it got some events, not all.
      stalled.response.resume();
      const text = await Promise.race([stalled.ended, new Promise<string>((_, reject) => setTimeout(() => reject(new Error('the stalled client was never cut off')), 20_000))]);
      const got = (text.match(/^id: /gm) ?? []).length;
      expect(got).toBeLessThan(NOTES);
      // A client resuming from the start reads the 600 older events page by page, in order, once each.
      const late = await connect(server, { 'last-event-id': '1' });
      await late.waitFor(() => late.eventIds().length >= NOTES, 30_000);
      expect(late.eventIds()).toEqual(Array.from({ length: NOTES }, (_, index) => index + 2));
      late.close();
    } finally {
      await server.stop();
      other.cleanup();
    }
    expect((await server.baton.exited).stderr).toContain('dropped a client of the event stream that stopped reading');
  }, 120_000);
});
