import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { InvalidInputError } from '../../core/errors.js';
import { idArgument } from '../../cli/input.js';
import { evidenceFile, evidenceSegments } from '../evidence-file.js';
import type { ServerEnv } from '../server-deps.js';

const FILES_MARKER = '/files/';

/** A run's evidence files (prompt, transcript, diff, check logs), always as plain text. */
export function runRoutes(): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  routes.get('/runs/:task/:run/files/*', (c) => {
    const task = idArgument(c.req.param('task'), 'task');
    const runText = c.req.param('run');
    if (!/^\d{1,9}$/.test(runText) || Number(runText) === 0) throw new InvalidInputError('run', `${JSON.stringify(runText)} is not a run number; \`baton runs ${task}\` lists them`);
    // The raw path, not the router's decoded one: each segment is decoded and judged on its own.
    const raw = new URL(c.req.url).pathname;
    const segments = evidenceSegments(raw.slice(raw.indexOf(FILES_MARKER) + FILES_MARKER.length));
    const { path, size } = evidenceFile(c.get('deps').evidenceRoot, task, Number(runText), segments);
    // Text only, never sniffed: an agent's transcript rendered as HTML would run in the server's origin.
    const headers = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'", 'Content-Length': String(size) };
    if (size === 0) return c.body('', 200, headers);
    // Streamed at the client's pace, never read whole: reads need no token on loopback, and a
    // hundred clients that stop reading an 8 MB file would otherwise hold 800 MB of the server.
    const file = Readable.toWeb(createReadStream(path, { start: 0, end: size - 1 })) as ReadableStream<Uint8Array>;
    return c.body(file, 200, headers);
  });

  return routes;
}
