/**
 * A scripted language model on 127.0.0.1 for tests: the one stand-in in front of the real agent
 * CLIs. It speaks Anthropic Messages (Claude Code), OpenAI Responses (Codex) and OpenAI Chat
 * Completions (Qwen Code, OpenCode), answers each
 * conversation request with the next turn of a script, and records every request it gets.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { anthropicView, isAnthropicConversation, writeAnthropicError, writeAnthropicMessage } from './anthropic-messages.js';
import { chatCompletionsView, isChatConversation, writeChatMessage } from './chat-completions.js';
import { responsesView, writeOpenAiError, writeResponsesMessage } from './openai-responses.js';
import { ScriptCursor, type ConversationView, type Protocol, type Reply, type Script } from './script.js';
import { writeJson } from './sse.js';

export interface RecordedRequest {
  method: string;
  /** Path and query string, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body; undefined when there was none or it was not JSON. */
  body: unknown;
  /**
   * `conversation`: a turn of the agent's conversation, answered from the script;
   * `side`: a request the CLI makes on the side (token counts, probes), answered by the server;
   * `unknown`: a path this server does not know, answered 404.
   */
  role: 'conversation' | 'side' | 'unknown';
  /** For a conversation request: what a matcher saw. */
  view?: ConversationView;
  /** For a conversation request: the index of the script turn that answered, or null when the script had none left. */
  turn?: number | null;
}

export interface ModelServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** Every request received so far, in arrival order. */
  requests: RecordedRequest[];
  /** Conversation requests only: the model's side of each agent turn. */
  conversation(): RecordedRequest[];
  /** Indexes of script turns that no request used yet. */
  unusedTurns(): number[];
  /** Stops listening and drops every open connection, hung ones included. */
  close(): Promise<void>;
}

const SIDE_ANSWER = { kind: 'message', text: '{"title": "Scripted session"}', usage: { inputTokens: 1, outputTokens: 1 } } as const;
const EXHAUSTED: Reply = { kind: 'error', status: 400, message: 'scripted model server: the script has no turn left for this request' };

type MessageReply = Extract<Reply, { kind: 'message' }>;
type ErrorReply = Extract<Reply, { kind: 'error' }>;
const WRITERS: Record<Protocol, { message: (response: ServerResponse, reply: MessageReply, body: Record<string, unknown>, serial: number) => void; error: (response: ServerResponse, reply: ErrorReply) => void }> = {
  anthropic: { message: writeAnthropicMessage, error: writeAnthropicError },
  'openai-responses': { message: writeResponsesMessage, error: writeOpenAiError },
  'openai-chat': { message: writeChatMessage, error: writeOpenAiError },
};

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function decode(raw: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'gzip') return gunzipSync(raw);
  if (encoding === 'br') return brotliDecompressSync(raw);
  if (encoding === 'deflate') return inflateSync(raw);
  return raw;
}

function parseJson(raw: Buffer, encoding: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(decode(raw, encoding).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A rough token count: Claude Code only uses it to budget its context. */
function countTokens(body: unknown): number {
  return Math.ceil(JSON.stringify(body ?? '').length / 4);
}

/** Starts the server on 127.0.0.1 on a free port. */
export async function startModelServer(script: Script): Promise<ModelServer> {
  const cursor = new ScriptCursor(script);
  const requests: RecordedRequest[] = [];
  let serial = 0;

  const answerConversation = (record: RecordedRequest, response: ServerResponse, view: ConversationView): void => {
    const taken = cursor.take(view);
    record.role = 'conversation';
    record.view = view;
    record.turn = taken?.index ?? null;
    const reply: Reply = taken?.turn ?? EXHAUSTED;
    serial += 1;
    if (reply.kind === 'hang') return;
    if (reply.kind === 'disconnect') return void response.socket?.destroy();
    const writers = WRITERS[view.protocol];
    if (reply.kind === 'error') writers.error(response, reply);
    else writers.message(response, reply, view.body, serial);
  };

  const route = (record: RecordedRequest, response: ServerResponse): void => {
    const path = new URL(record.url, 'http://127.0.0.1').pathname.replace(/\/+$/, '');
    const body = asObject(record.body);
    if (record.method === 'POST' && path === '/v1/messages') {
      if (isAnthropicConversation(body)) return answerConversation(record, response, anthropicView(body));
      // A request without tools is Claude Code asking something on the side, such as a session title.
      serial += 1;
      return writeAnthropicMessage(response, SIDE_ANSWER, body, serial);
    }
    if (record.method === 'POST' && path === '/v1/messages/count_tokens') return writeJson(response, 200, { input_tokens: countTokens(record.body) });
    if (record.method === 'POST' && path === '/v1/responses') return answerConversation(record, response, responsesView(body));
    if (record.method === 'POST' && path === '/v1/chat/completions') {
      if (isChatConversation(body)) return answerConversation(record, response, chatCompletionsView(body));
      // A request without tools is a question on the side (a session title, a summary).
      serial += 1;
      return writeChatMessage(response, SIDE_ANSWER, body, serial);
    }
    if ((record.method === 'HEAD' || record.method === 'GET') && path === '') {
      response.writeHead(200);
      return void response.end();
    }
    record.role = 'unknown';
    writeJson(response, 404, { error: { type: 'not_found_error', message: `scripted model server: no route for ${record.method} ${record.url}` } });
  };

  const server = createServer((request, response) => {
    readBody(request).then(
      (raw) => {
        const record: RecordedRequest = {
          method: request.method ?? 'GET',
          url: request.url ?? '/',
          headers: request.headers,
          body: parseJson(raw, request.headers['content-encoding']),
          role: 'side',
        };
        requests.push(record);
        try {
          route(record, response);
        } catch (error) {
          // A script matcher that throws is a bug in the test: make the agent fail visibly.
          writeJson(response, 500, { error: { type: 'api_error', message: `scripted model server: ${String(error)}` } });
        }
      },
      () => response.destroy(),
    );
  });
  // Node closes a connection that has been idle for about 5 s. An agent CLI slow between two
  // model calls (its tool running on a loaded machine) could send its next request on the
  // connection just as it closed: the request was lost ("Connection error.") and, with the
  // client's own retries off as the tests set them, the agent's turn failed. Here only the
  // client closes an idle connection, or `close` does.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    conversation: () => requests.filter((request) => request.role === 'conversation'),
    unusedTurns: () => cursor.unused(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
