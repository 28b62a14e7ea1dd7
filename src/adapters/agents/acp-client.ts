import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { client, ndJsonStream, PROTOCOL_VERSION, RequestError, type ClientContext, type InitializeResponse } from '@agentclientprotocol/sdk';
import type { AgentRequest } from '../../app/run-ports.js';
import { AcpUpdateReader } from '../../core/agent-stream/acp-updates.js';
import type { AgentEvent } from '../../core/agent-stream/agent-event.js';
import type { EventLog } from './agent-process.js';

/** What the ACP conversation learned, even when it ended early. */
export interface AcpTurnState {
  sessionId: string | null;
}

type JsonObject = Record<string, unknown>;

/** Params as the agent sent them: the SDK's schemas would drop fields the reader needs (`_meta`, `rawOutput`). */
const raw = (params: unknown): JsonObject => (typeof params === 'object' && params !== null ? (params as JsonObject) : {});

/** ACP's error code for "authenticate first". */
const AUTH_REQUIRED_CODE = -32000;
/** JSON-RPC's error code for a method the other side does not implement. */
const METHOD_NOT_FOUND_CODE = -32601;

/** The agent's stdin and stdout as web streams of bytes (newline-delimited JSON-RPC). */
export interface AcpChannel {
  toAgent: WritableStream<Uint8Array>;
  fromAgent: ReadableStream<Uint8Array>;
}

/**
 * One prompt turn with an ACP agent over `channel`: initialize, open or continue a session,
 * send the prompt, and turn what comes back into events in `log`. Permission requests are
 * granted (the agent works in its own worktree; baton's checks judge the result), and file
 * reads and writes are served inside the worktree only. Never throws: a failed request
 * becomes the turn's `finished` event.
 */
export async function runAcpTurn(channel: AcpChannel, request: AgentRequest, log: EventLog, state: AcpTurnState): Promise<void> {
  const reader = new AcpUpdateReader();
  let replaying = false;
  const app = client({ name: 'baton' })
    .onNotification('session/update', raw, ({ params }) => {
      // `session/load` replays the old conversation: it was the earlier attempt's, not this one's.
      if (!replaying) log.add(reader.update(params['update']));
    })
    .onRequest('session/request_permission', raw, ({ params }) => {
      // Some agents (Qwen) announce a tool call only here.
      if (isObject(params['toolCall'])) log.add(reader.update({ ...params['toolCall'], sessionUpdate: 'tool_call' }));
      return { outcome: permissionOutcome(params['options']) };
    })
    .onRequest('fs/read_text_file', raw, async ({ params }) => ({ content: await fileRequest(() => readWithin(request.cwd, params)) }))
    .onRequest('fs/write_text_file', raw, async ({ params }) => {
      await fileRequest(() => writeWithin(request.cwd, params));
      return {};
    });
  const connection = app.connect(ndJsonStream(channel.toAgent, channel.fromAgent));
  try {
    const agent = connection.agent;
    const init = await agent.request('initialize', {
      protocolVersion: PROTOCOL_VERSION,
      clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: false },
      clientInfo: { name: 'baton', version: '1' },
    });
    const opened = await openSession(agent, init, request, (on) => (replaying = on));
    state.sessionId = opened.sessionId;
    log.add([...opened.warnings, ...reader.sessionStarted(opened.sessionId)]);
    const response = await agent.request('session/prompt', { sessionId: opened.sessionId, prompt: [{ type: 'text', text: request.prompt }] });
    await notificationsHandled();
    log.add(reader.promptFinished(response));
  } catch (error) {
    await notificationsHandled();
    log.add(reader.promptFailed());
    if (!connection.signal.aborted) log.add([failedTurn(error)]);
  } finally {
    connection.close();
  }
}

/**
 * Continues `request.resumeSession` when the agent can (`session/resume`, which replays
 * nothing, else `session/load`), else starts a new session and says so in a warning.
 * Qwen Code 0.15 advertises `session/resume` but answers it "Method not found": then
 * `session/load` is tried as if resume had not been offered.
 */
async function openSession(agent: ClientContext, init: InitializeResponse, request: AgentRequest, setReplaying: (on: boolean) => void): Promise<{ sessionId: string; warnings: AgentEvent[] }> {
  const warnings: AgentEvent[] = [];
  const previous = request.resumeSession;
  if (previous) {
    const continued = { sessionId: previous, cwd: request.cwd, mcpServers: [] };
    try {
      if (init.agentCapabilities?.sessionCapabilities?.resume && (await resumed(agent, continued))) return { sessionId: previous, warnings };
      if (init.agentCapabilities?.loadSession) {
        setReplaying(true);
        await agent.request('session/load', continued);
        await notificationsHandled();
        return { sessionId: previous, warnings };
      }
      warnings.push({ kind: 'warning', message: `the agent cannot continue a session; started a new one instead of ${previous}` });
    } catch (error) {
      warnings.push({ kind: 'warning', message: `the agent could not continue session ${previous} (${errorMessage(error)}); started a new one` });
    } finally {
      setReplaying(false);
    }
  }
  const created = await agent.request('session/new', { cwd: request.cwd, mcpServers: [] });
  return { sessionId: created.sessionId, warnings };
}

/**
 * The SDK settles a request the moment its response or error is read, but hands the
 * notifications read just before it (the turn's last update, with its usage; the last replayed
 * message of a load) to their handlers a few promise steps later: on a busy machine the turn
 * ended, or the replay was over, before they were seen. Their handling needs no I/O, so it is
 * done once the event loop has gone round.
 */
function notificationsHandled(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** Whether `session/resume` continued the session; false when the agent does not implement it after all. */
async function resumed(agent: ClientContext, continued: { sessionId: string; cwd: string; mcpServers: never[] }): Promise<boolean> {
  try {
    await agent.request('session/resume', continued);
    return true;
  } catch (error) {
    if (isObject(error) && error['code'] === METHOD_NOT_FOUND_CODE) return false;
    throw error;
  }
}

/** The first option that allows the call once, else always; a call nothing allows is refused. */
function permissionOutcome(options: unknown): { outcome: 'selected'; optionId: string } | { outcome: 'cancelled' } {
  const list = Array.isArray(options) ? options.filter(isObject) : [];
  const allow = list.find((option) => option['kind'] === 'allow_once') ?? list.find((option) => option['kind'] === 'allow_always');
  return typeof allow?.['optionId'] === 'string' ? { outcome: 'selected', optionId: allow['optionId'] } : { outcome: 'cancelled' };
}

/** A file request's failure as a JSON-RPC error the agent can read (a plain Error would be "Internal error"). */
async function fileRequest<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof RequestError) throw error;
    const code = isObject(error) ? error['code'] : undefined;
    if (code === 'ENOENT' && isObject(error) && typeof error['path'] === 'string') throw RequestError.resourceNotFound(error['path']);
    throw RequestError.internalError(undefined, errorMessage(error));
  }
}

async function readWithin(cwd: string, params: JsonObject): Promise<string> {
  const text = await readFile(pathWithin(cwd, params['path']), 'utf8');
  const line = typeof params['line'] === 'number' ? params['line'] : null;
  const limit = typeof params['limit'] === 'number' ? params['limit'] : null;
  if (line === null && limit === null) return text;
  const start = Math.max((line ?? 1) - 1, 0);
  const lines = text.split('\n');
  return lines.slice(start, limit === null ? undefined : start + limit).join('\n');
}

async function writeWithin(cwd: string, params: JsonObject): Promise<void> {
  const path = pathWithin(cwd, params['path']);
  if (typeof params['content'] !== 'string') throw RequestError.invalidParams(undefined, 'fs/write_text_file needs a string content');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, params['content']);
}

/** The agent's files are the worktree's; anything outside it is refused. */
function pathWithin(cwd: string, path: unknown): string {
  if (typeof path !== 'string' || !isAbsolute(path)) throw RequestError.invalidParams(undefined, 'a file path must be absolute');
  const resolved = resolve(path);
  const inside = relative(resolve(cwd), resolved);
  if (inside === '' || inside === '..' || inside.startsWith('../') || isAbsolute(inside)) throw RequestError.invalidParams({ path }, `baton lets the agent use files inside ${cwd} only, not ${path}`);
  return resolved;
}

/**
 * A request the agent answered with an error ends the turn with that error. Qwen Code answers a
 * prompt its model provider refused with the provider's HTTP status as the error code (429
 * after its retries): a code in the HTTP error range is kept as the turn's status. Any other
 * failure an agent built on the ACP SDK answers "Internal error", its own words in
 * `data.details` (Qwen's model call that lost its connection: "Connection error."): they are
 * the reason.
 */
function failedTurn(error: unknown): AgentEvent {
  const code = isObject(error) && typeof error['code'] === 'number' ? error['code'] : null;
  const details = isObject(error) && isObject(error['data']) && typeof error['data']['details'] === 'string' ? error['data']['details'] : '';
  const said = details === '' ? errorMessage(error) : `${errorMessage(error)}: ${details}`;
  // Worded so the classifier recognises refused credentials.
  const message = code === AUTH_REQUIRED_CODE ? `authentication failed: ${said}` : `the agent answered with an error: ${said}`;
  const httpStatus = code !== null && code >= 400 && code <= 599 ? code : null;
  return { kind: 'finished', status: 'error', message, httpStatus, deniedTools: [], turns: null };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
