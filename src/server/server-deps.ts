import type { HttpBindings } from '@hono/node-server';
import type { BoardDeps } from '../app/deps.js';
import type { BoardStore, Clock } from '../app/ports.js';
import type { EventHub } from './event-hub.js';

/** The merge queue's gates, reached through the same functions as `baton queue/approve/reject`. */
export interface MergeGate {
  queue(): Promise<Record<string, unknown>>;
  approve(actor: string, id: string, message: string | undefined): Promise<Record<string, unknown>>;
  reject(actor: string, id: string, message: string | undefined): Promise<Record<string, unknown>>;
}

/** What the routes use: one open board for the whole server, and how it is served. */
export interface ServerDeps {
  store: BoardStore;
  clock: Clock;
  merge: MergeGate;
  /** Where runs keep their evidence (`<board folder>/runs`). */
  evidenceRoot: string;
  token: string;
  tokenFile: string;
  /** Reads need no token (a loopback server: only this machine's users reach it). */
  readsOpen: boolean;
  /** Where the server listens; known once it does (port 0 picks one). */
  address(): { host: string; port: number };
  url(): string;
  /** The one follower of the board every event-stream client listens to. */
  hub: EventHub;
  heartbeatMs: number;
  /** A line for the server's operator (stderr). */
  log(line: string): void;
  /** Aborts every event stream when the server stops. */
  stopping: AbortSignal;
}

export interface ServerEnv {
  Bindings: HttpBindings;
  Variables: { deps: ServerDeps; actor: string };
}

/** The board as the acting agent of this request (named by X-Baton-Actor) sees it. */
export function boardDeps(deps: ServerDeps, actor: string): BoardDeps {
  return { store: deps.store, clock: deps.clock, actor };
}
