import type { CommandSpec } from '../command.js';

/*
 * `baton serve`: the HTTP API and the event stream. The server and its framework live in a
 * chunk of their own (scripts/bundles.mjs), loaded here only, so board commands never load hono.
 */

export const serveCommand: CommandSpec = {
  name: 'serve',
  summary: 'serve the board over HTTP (JSON API and a server-sent event stream) until Ctrl-C',
  args: [],
  options: [
    { name: 'port', kind: 'string', value: 'PORT', help: 'port to listen on (default 7390; 0 picks a free one, printed)' },
    { name: 'host', kind: 'string', value: 'HOST', help: 'address to listen on (default 127.0.0.1; off loopback, reads need the token too)' },
    { name: 'heartbeat', kind: 'string', value: 'DURATION', help: 'how often the event stream sends a keep-alive comment (default 15s)' },
  ],
  async run(ctx, input) {
    const { serveCommandRun } = await import('../../server/start-server.js');
    return serveCommandRun(ctx, input);
  },
};
