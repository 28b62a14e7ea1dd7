/**
 * The OpenAI Chat Completions wire format (what Qwen Code and OpenCode speak to an
 * OpenAI-compatible provider): `POST /v1/chat/completions`, streamed as `chat.completion.chunk`
 * events whose `choices[0].delta` carries text and `tool_calls`, a chunk with `finish_reason`,
 * a usage chunk when `stream_options.include_usage` asks for one, then `data: [DONE]`.
 */
import type { ServerResponse } from 'node:http';
import { DEFAULT_USAGE, mcpToolName, offeredTools, type ConversationView, type Reply, type ToolCall, type Usage } from './script.js';
import { openEventStream, writeJson } from './sse.js';

type JsonObject = Record<string, unknown>;
interface Message {
  role?: unknown;
  content?: unknown;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return '';
  return (value as JsonObject[]).map((part) => (typeof part.text === 'string' ? part.text : '')).join('\n');
}

/** Reads the prompt and pending tool results out of a Chat Completions request body. */
export function chatCompletionsView(body: JsonObject): ConversationView {
  const messages = Array.isArray(body.messages) ? (body.messages as Message[]) : [];
  const userTexts = messages.filter((message) => message.role === 'user' && textOf(message.content) !== '');
  const prompt = textOf(userTexts.at(-1)?.content);
  const toolResults: string[] = [];
  for (const message of [...messages].reverse()) {
    if (message.role !== 'tool') break;
    toolResults.unshift(textOf(message.content));
  }
  return { protocol: 'openai-chat', prompt, toolResults, tools: offeredTools(body.tools, (tool) => (tool.function as { name?: unknown } | undefined)?.name), body };
}

/** True for the requests that carry the agent's conversation (they offer tools), as opposed to side questions. */
export function isChatConversation(body: JsonObject): boolean {
  return Array.isArray(body.tools) && body.tools.length > 0;
}

/** Qwen Code's shell tool is `run_shell_command {command}`; OpenCode's is `bash {command}`, sent with `tool()`. */
function functionOf(call: ToolCall): { name: string; input: JsonObject } {
  if (call.kind === 'shell') return { name: 'run_shell_command', input: { command: call.command, description: 'scripted command' } };
  // The flat name, as Claude Code's; not checked against a Chat Completions CLI's own MCP naming.
  if (call.kind === 'mcp') return { name: mcpToolName(call.server, call.tool), input: call.input };
  return { name: call.name, input: call.input };
}


function usageBody(usage: Usage): JsonObject {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
}

/** Answers with a scripted message: streamed chunks when the request asked for a stream, else one completion. */
export function writeChatMessage(response: ServerResponse, reply: Extract<Reply, { kind: 'message' }>, body: JsonObject, serial: number): void {
  const usage = reply.usage ?? DEFAULT_USAGE;
  const model = typeof body.model === 'string' ? body.model : 'scripted-model';
  const calls = (reply.toolCalls ?? []).map((call, index) => {
    const { name, input } = functionOf(call);
    return { index, id: `call_scripted_${serial}_${index}`, type: 'function', function: { name, arguments: JSON.stringify(input) } };
  });
  const finishReason = calls.length > 0 ? 'tool_calls' : 'stop';
  const base = { id: `chatcmpl-scripted-${serial}`, created: Math.floor(Date.now() / 1000), model };
  if (body.stream !== true) {
    const message = { role: 'assistant', content: reply.text ?? null, ...(calls.length > 0 ? { tool_calls: calls.map(({ index: _index, ...call }) => call) } : {}) };
    writeJson(response, 200, { ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: finishReason }], usage: usageBody(usage) });
    return;
  }
  const chunk = (choices: JsonObject[], extra: JsonObject = {}): void => {
    response.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...extra })}\n\n`);
  };
  openEventStream(response);
  chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
  if (reply.text !== undefined) chunk([{ index: 0, delta: { content: reply.text }, finish_reason: null }]);
  for (const call of calls) {
    // The name comes first and the arguments after, as providers stream them.
    chunk([{ index: 0, delta: { tool_calls: [{ ...call, function: { name: call.function.name, arguments: '' } }] }, finish_reason: null }]);
    chunk([{ index: 0, delta: { tool_calls: [{ index: call.index, function: { arguments: call.function.arguments } }] }, finish_reason: null }]);
  }
  chunk([{ index: 0, delta: {}, finish_reason: finishReason }]);
  const options = body.stream_options;
  if (typeof options === 'object' && options !== null && (options as JsonObject).include_usage === true) chunk([], { usage: usageBody(usage) });
  response.write('data: [DONE]\n\n');
  response.end();
}
