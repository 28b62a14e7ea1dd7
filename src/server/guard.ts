import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { InvalidInputError } from '../core/errors.js';
import { validateAgentName } from '../core/task.js';
import { HttpRefusal } from './http-errors.js';
import type { ServerEnv } from './server-deps.js';

export const ACTOR_HEADER = 'X-Baton-Actor';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The Host headers this server answers to. A page on another site that rebinds its own name to
 * 127.0.0.1 (DNS rebinding) still sends its own name as Host, so only the served name passes;
 * for a loopback server, its other loopback spellings too. A wildcard bind (0.0.0.0) has no one
 * name: it checks the port only, and the token guards every request there.
 */
export function hostAllowed(hostHeader: string | undefined, served: { host: string; port: number }): boolean {
  if (hostHeader === undefined) return false;
  const host = hostHeader.toLowerCase();
  if (WILDCARD_HOSTS.has(served.host)) return host.endsWith(`:${served.port}`);
  const bracketed = served.host.includes(':') && !served.host.startsWith('[') ? `[${served.host}]` : served.host;
  const names = isLoopback(served.host) ? [bracketed, ...LOOPBACK_NAMES] : [bracketed];
  return names.some((name) => host === `${name.toLowerCase()}:${served.port}`);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A header's text. Node hands header bytes over one per character (Latin-1); a client that sends
 * a name in UTF-8, as curl and most do, would be recorded as mojibake (`jÃ¶sÃ©` for `jösé`).
 * Bytes that are valid UTF-8 are read as UTF-8; any others stay Latin-1, as a browser's fetch sends them.
 */
export function headerText(value: string): string {
  const bytes = Buffer.from(value, 'latin1');
  try {
    return UTF8.decode(bytes);
  } catch {
    return value;
  }
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1] as string);
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * Every request: Host and Origin checked (a browser page of another origin may neither read nor
 * write), then the token (every mutation; reads too off loopback), then the acting agent of a mutation.
 */
export function guard(): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const deps = c.get('deps');
    const served = deps.address();
    const host = c.req.header('host');
    if (!hostAllowed(host, served)) {
      throw new HttpRefusal('FORBIDDEN', `Host ${JSON.stringify(host ?? '')} is not this server; use ${deps.url()}`);
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== `http://${host}`) {
      throw new HttpRefusal('FORBIDDEN', `Origin ${JSON.stringify(origin)} is not this server's; baton serve answers its own pages and non-browser clients only`);
    }
    // A page of another site may send a request no-cors (an <img>, a fetch): no Origin to judge
    // it by, but browsers name where it came from. Its answer is opaque to the page; it is refused all the same.
    const site = c.req.header('sec-fetch-site');
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      throw new HttpRefusal('FORBIDDEN', `a request from another site (Sec-Fetch-Site: ${JSON.stringify(site)}) is refused; baton serve answers its own pages and non-browser clients only`);
    }
    const mutation = c.req.method !== 'GET' && c.req.method !== 'HEAD';
    if ((mutation || !deps.readsOpen) && !tokenMatches(c.req.header('authorization'), deps.token)) {
      const why = mutation ? 'every change' : 'every request to a server off loopback';
      throw new HttpRefusal('UNAUTHORIZED', `${why} needs the header Authorization: Bearer TOKEN, the token baton serve printed and wrote to ${deps.tokenFile}`);
    }
    if (mutation) {
      const actor = c.req.header(ACTOR_HEADER);
      if (actor === undefined) throw new InvalidInputError(ACTOR_HEADER, 'missing; name the agent or person who makes this change (X-Baton-Actor: alice)');
      c.set('actor', validateAgentName(headerText(actor), ACTOR_HEADER));
    }
    await next();
  };
}
