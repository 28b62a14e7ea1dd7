import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { serve } from '@hono/node-server';
import { parseDurationMs } from '../core/duration.js';
import { BatonError, InvalidInputError } from '../core/errors.js';
import { quoted } from '../core/quoted.js';
import type { CommandInput } from '../cli/command.js';
import { stringOption } from '../cli/command.js';
import type { CommandContext } from '../cli/context.js';
import { jsonDocument, type CommandOutput } from '../cli/output.js';
import { createApp } from './app.js';
import { EventHub } from './event-hub.js';
import { isLoopback } from './guard.js';
import { mergeGate } from './merge-gate.js';

export const DEFAULT_PORT = 7390;
const STOP_GRACE_MS = 2_000;

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text.trim()) || Number(text) > 65535) throw new InvalidInputError('--port', `${quoted(text)} is not a port; use 0 to 65535 (0 picks a free one)`);
  return Number(text);
}

/**
 * The token written beside the board, readable by its owner only. It goes to a new file (O_EXCL)
 * renamed over the old one: in a folder others may write to (a group-shared repository), a
 * symlink planted as serve-token is replaced, never followed to overwrite the file it points at.
 */
function writeToken(tokenFile: string, token: string): void {
  const fresh = `${tokenFile}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(fresh, `${token}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(fresh, tokenFile);
}

/** `baton serve`: the HTTP API and event stream over this board, until SIGINT or SIGTERM. */
export async function serveCommandRun(ctx: CommandContext, { options }: CommandInput): Promise<CommandOutput> {
  const port = parsePort(stringOption(options, 'port') ?? String(DEFAULT_PORT));
  const host = stringOption(options, 'host') ?? '127.0.0.1';
  if (host.trim() === '') throw new InvalidInputError('--host', 'is empty; name the address to listen on, e.g. 127.0.0.1');
  const heartbeatMs = parseDurationMs(stringOption(options, 'heartbeat') ?? '15s', '--heartbeat');
  const store = ctx.openStore();
  const boardPath = ctx.boardPath();
  const token = randomBytes(24).toString('base64url');
  const tokenFile = join(dirname(boardPath), 'serve-token');
  const stopping = new AbortController();
  let listening = { host, port };
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const url = (): string => `http://${urlHost}:${listening.port}`;
  const app = createApp({
    store,
    clock: ctx.clock,
    merge: mergeGate(ctx.io, boardPath),
    evidenceRoot: join(dirname(boardPath), 'runs'),
    token,
    tokenFile,
    readsOpen: isLoopback(host),
    address: () => listening,
    url,
    hub: new EventHub(store, stopping.signal),
    heartbeatMs,
    log: (line) => ctx.io.stderr(`baton serve: ${line}`),
    stopping: stopping.signal,
  });
  const server = serve({ fetch: app.fetch, port, hostname: host });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new BatonError('FAILED', error.code === 'EADDRINUSE' ? `port ${port} on ${host} is in use; pick another with --port (0 picks a free one)` : `cannot listen on ${host}:${port}: ${error.message}`)),
    );
  });
  listening = { host, port: (server.address() as AddressInfo).port };
  // Only once listening: a second server that cannot listen leaves the running one's token in place.
  try {
    writeToken(tokenFile, token);
  } catch (error) {
    server.close();
    throw error;
  }
  ctx.io.stderr(`baton serve: listening on ${url()}/api, token ${token} (also in ${tokenFile}); every change needs Authorization: Bearer TOKEN${isLoopback(host) ? '' : ', and so does every read off loopback'}`);
  ctx.io.stdout(ctx.json ? jsonDocument({ url: url(), host, port: listening.port, tokenFile }) : `listening on ${url()}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  stopping.abort();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, STOP_GRACE_MS);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  });
  return { json: {}, text: '', streamed: true };
}
