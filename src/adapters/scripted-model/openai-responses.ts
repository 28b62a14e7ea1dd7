/**
 * The OpenAI Responses wire format (what Codex speaks): `POST /v1/responses`, streamed as
 * `response.created`, `response.output_item.added/done`, `response.output_text.delta`,
 * `response.completed` with `usage`.
 */
import type { ServerResponse } from 'node:http';
import { DEFAULT_USAGE, offeredTools, type ConversationView, type Reply, type ToolCall } from './script.js';
import { openEventStream, writeEvent, writeJson } from './sse.js';

type Item = Record<string, unknown> & { type?: unknown; role?: unknown };

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return '';
  return (value as Item[]).map((part) => (typeof part.text === 'string' ? part.text : '')).join('\n');
}

const TOOL_TRAFFIC = new Set(['function_call', 'function_call_output', 'custom_tool_call', 'custom_tool_call_output', 'reasoning']);

/** Reads the prompt and pending tool results out of a Responses request body. */
export function responsesView(body: Record<string, unknown>): ConversationView {
  const input = Array.isArray(body.input) ? (body.input as Item[]) : [];
  const userTexts = input.filter((item) => item.role === 'user' && textOf(item.content) !== '');
  const prompt = textOf(userTexts.at(-1)?.content);
  const toolResults: string[] = [];
  for (const item of [...input].reverse()) {
    if (typeof item.type !== 'string' || !TOOL_TRAFFIC.has(item.type)) break;
    if (item.type.endsWith('_output')) toolResults.unshift(textOf(item.output));
  }
  return { protocol: 'openai-responses', prompt, toolResults, tools: responsesToolNames(body.tools), body };
}

function functionCall(call: ToolCall, callId: string): Item {
  const base = { type: 'function_call', id: `fc_${callId}`, call_id: callId, status: 'completed' };
  if (call.kind === 'shell') return { ...base, name: 'exec_command', arguments: JSON.stringify({ cmd: call.command }) };
  // Codex offers an MCP server's tools as a `namespace` tool `mcp__<server>` holding its functions.
  if (call.kind === 'mcp') return { ...base, namespace: `mcp__${call.server}`, name: call.tool, arguments: JSON.stringify(call.input) };
  return { ...base, name: call.name, arguments: JSON.stringify(call.input) };
}

/** Offered tool names; a namespace's functions as `<namespace>__<function>` (an MCP server's: `mcp__<server>__<tool>`). */
function responsesToolNames(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  return (tools as Item[]).flatMap((tool) => {
    if (tool.type === 'namespace' && typeof tool.name === 'string') return offeredTools(tool.tools, (inner) => inner.name).map((name) => `${tool.name as string}__${name}`);
    return offeredTools([tool], (one) => one.name);
  });
}

const ERROR_CODES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_api_key',
  403: 'permission_denied',
  404: 'not_found',
  429: 'rate_limit_exceeded',
  500: 'server_error',
};

/** An error as OpenAI's APIs send one, the same body for Responses and Chat Completions. */
export function writeOpenAiError(response: ServerResponse, reply: Extract<Reply, { kind: 'error' }>): void {
  const headers: Record<string, string> = reply.retryAfterSeconds === undefined ? {} : { 'retry-after': String(reply.retryAfterSeconds) };
  const code = ERROR_CODES[reply.status] ?? 'server_error';
  const type = reply.status === 429 ? 'requests' : code;
  writeJson(response, reply.status, { error: { message: reply.message ?? code, type, param: null, code } }, headers);
}

/** Streams a scripted response: text first, then one function call item per tool call. */
export function writeResponsesMessage(response: ServerResponse, reply: Extract<Reply, { kind: 'message' }>, body: Record<string, unknown>, serial: number): void {
  const usage = reply.usage ?? DEFAULT_USAGE;
  const id = `resp_scripted_${serial}`;
  const model = typeof body.model === 'string' ? body.model : 'scripted-model';
  const output: Item[] = [];
  openEventStream(response);
  writeEvent(response, 'response.created', { type: 'response.created', response: { id, object: 'response', model, status: 'in_progress', output: [] } });
  if (reply.text !== undefined) {
    const itemId = `msg_scripted_${serial}`;
    const done: Item = { type: 'message', id: itemId, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: reply.text, annotations: [] }] };
    writeEvent(response, 'response.output_item.added', { type: 'response.output_item.added', output_index: 0, item: { ...done, status: 'in_progress', content: [] } });
    writeEvent(response, 'response.output_text.delta', { type: 'response.output_text.delta', item_id: itemId, output_index: 0, content_index: 0, delta: reply.text });
    writeEvent(response, 'response.output_item.done', { type: 'response.output_item.done', output_index: 0, item: done });
    output.push(done);
  }
  for (const [index, call] of (reply.toolCalls ?? []).entries()) {
    const item = functionCall(call, `call_scripted_${serial}_${index}`);
    writeEvent(response, 'response.output_item.added', { type: 'response.output_item.added', output_index: output.length, item });
    writeEvent(response, 'response.output_item.done', { type: 'response.output_item.done', output_index: output.length, item });
    output.push(item);
  }
  const cached = usage.cachedInputTokens ?? 0;
  const reasoning = usage.reasoningTokens ?? 0;
  writeEvent(response, 'response.completed', {
    type: 'response.completed',
    response: {
      id,
      object: 'response',
      model,
      status: 'completed',
      output,
      usage: {
        input_tokens: usage.inputTokens,
        input_tokens_details: { cached_tokens: cached },
        output_tokens: usage.outputTokens,
        output_tokens_details: { reasoning_tokens: reasoning },
        total_tokens: usage.inputTokens + usage.outputTokens,
      },
    },
  });
  response.end();
}
