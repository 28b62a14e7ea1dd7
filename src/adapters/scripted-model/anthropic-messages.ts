/**
 * The Anthropic Messages wire format (what Claude Code speaks): `POST /v1/messages`, streamed
 * as `message_start`, `content_block_start/delta/stop`, `message_delta`, `message_stop`.
 */
import type { ServerResponse } from 'node:http';
import { DEFAULT_USAGE, mcpToolName, offeredTools, type ConversationView, type Reply, type ToolCall } from './script.js';
import { openEventStream, writeEvent, writeJson } from './sse.js';

type Block = Record<string, unknown> & { type?: unknown };
interface Message {
  role?: unknown;
  content?: unknown;
}

function blocksOf(message: Message): Block[] {
  if (typeof message.content === 'string') return [{ type: 'text', text: message.content }];
  return Array.isArray(message.content) ? (message.content as Block[]) : [];
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return '';
  return (value as Block[]).map((block) => (typeof block.text === 'string' ? block.text : '')).join('\n');
}

/** Reads the prompt and pending tool results out of a Messages request body. */
export function anthropicView(body: Record<string, unknown>): ConversationView {
  const messages = Array.isArray(body.messages) ? (body.messages as Message[]) : [];
  const userMessages = messages.filter((message) => message.role === 'user');
  const withText = userMessages.filter((message) => blocksOf(message).some((block) => block.type === 'text'));
  const prompt = textOf(blocksOf(withText.at(-1) ?? {}).filter((block) => block.type === 'text'));
  const last = messages.at(-1);
  const toolResults =
    last?.role === 'user'
      ? blocksOf(last)
          .filter((block) => block.type === 'tool_result')
          .map((block) => textOf(block.content))
      : [];
  return { protocol: 'anthropic', prompt, toolResults, tools: offeredTools(body.tools, (tool) => tool.name), body };
}

/** True for the requests that carry the agent's conversation, as opposed to side requests. */
export function isAnthropicConversation(body: Record<string, unknown>): boolean {
  return Array.isArray(body.tools) && body.tools.length > 0;
}

function toolUse(call: ToolCall, id: string): Block {
  if (call.kind === 'shell') return { type: 'tool_use', id, name: 'Bash', input: { command: call.command, description: 'scripted command' } };
  if (call.kind === 'mcp') return { type: 'tool_use', id, name: mcpToolName(call.server, call.tool), input: call.input };
  return { type: 'tool_use', id, name: call.name, input: call.input };
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export function writeAnthropicError(response: ServerResponse, reply: Extract<Reply, { kind: 'error' }>): void {
  const headers: Record<string, string> = reply.retryAfterSeconds === undefined ? {} : { 'retry-after': String(reply.retryAfterSeconds) };
  const type = ERROR_TYPES[reply.status] ?? 'api_error';
  writeJson(response, reply.status, { type: 'error', error: { type, message: reply.message ?? type } }, headers);
}

/** Answers with a scripted message, streamed when the request asked for a stream. */
export function writeAnthropicMessage(response: ServerResponse, reply: Extract<Reply, { kind: 'message' }>, body: Record<string, unknown>, serial: number): void {
  const usage = reply.usage ?? DEFAULT_USAGE;
  const content: Block[] = [];
  if (reply.text !== undefined) content.push({ type: 'text', text: reply.text });
  for (const [index, call] of (reply.toolCalls ?? []).entries()) content.push(toolUse(call, `toolu_scripted_${serial}_${index}`));
  const stopReason = reply.toolCalls?.length ? 'tool_use' : 'end_turn';
  const usageBody = {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: usage.cachedInputTokens ?? 0,
  };
  const message = {
    id: `msg_scripted_${serial}`,
    type: 'message',
    role: 'assistant',
    model: typeof body.model === 'string' ? body.model : 'scripted-model',
    stop_sequence: null,
  };
  if (body.stream !== true) {
    writeJson(response, 200, { ...message, content, stop_reason: stopReason, usage: usageBody });
    return;
  }
  openEventStream(response);
  writeEvent(response, 'message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...usageBody, output_tokens: 1 } } });
  for (const [index, block] of content.entries()) {
    if (block.type === 'text') {
      writeEvent(response, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      writeEvent(response, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } });
    } else {
      writeEvent(response, 'content_block_start', { type: 'content_block_start', index, content_block: { ...block, input: {} } });
      const partial = JSON.stringify(block.input);
      writeEvent(response, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partial } });
    }
    writeEvent(response, 'content_block_stop', { type: 'content_block_stop', index });
  }
  writeEvent(response, 'message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.outputTokens } });
  writeEvent(response, 'message_stop', { type: 'message_stop' });
  response.end();
}
