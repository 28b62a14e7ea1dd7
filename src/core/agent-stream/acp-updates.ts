import type { AgentEvent, FinishStatus, TokenCounts } from './agent-event.js';
import { isObject, numberField, objectField, outputText, stringField, type JsonObject } from './json-fields.js';

/**
 * Agent Client Protocol agents (Gemini, Qwen, OpenCode, and adapters for Claude Code and
 * Codex) speak JSON-RPC, not a stream of their own; the ACP client hands this reader the
 * `update` of each `session/update` notification and the `session/prompt` response. What the
 * recorded probes (`acp-probe-*.txt`) show:
 * - a tool call is announced (`tool_call`, often `pending` with an empty or partial
 *   `rawInput`) and then updated until `completed` or `failed`; the tool's name is in
 *   `_meta.claudeCode.toolName` (Claude) or `_meta.toolName` (Qwen), else only its `kind`.
 *   Qwen announces a call only in `session/request_permission`: pass that request's
 *   `toolCall` here as a `tool_call` update. So a call is reported once it is done.
 * - usage arrives in the prompt response (`usage`, with input tokens excluding cache reads, or
 *   Gemini's `_meta.quota.token_count`), or only per model call in Qwen's message chunks'
 *   `_meta.usage`. `usage_update` is the context window's occupancy, not spend; its `cost` is
 *   a session total and priced as Claude even for a local model, so it is not counted.
 * - the response's `stopReason` ends the turn; the agent process keeps running until the
 *   client closes it, so its exit code says nothing about the attempt.
 */
export class AcpUpdateReader {
  private readonly calls = new Map<string, { name: string; input: unknown }>();
  private readonly chunkTokens: TokenCounts = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };

  sessionStarted(sessionId: string, model: string | null = null): AgentEvent[] {
    return [{ kind: 'session_started', sessionId, model }];
  }

  /** The events of one `session/update` notification's `update`. */
  update(update: unknown): AgentEvent[] {
    if (!isObject(update)) return [{ kind: 'unknown', reason: 'not_an_object', line: JSON.stringify(update) ?? '' }];
    switch (stringField(update, 'sessionUpdate')) {
      case 'agent_message_chunk':
        return this.messageChunk(update);
      case 'tool_call':
      case 'tool_call_update':
        return this.toolCall(update);
      case 'agent_thought_chunk':
      case 'user_message_chunk':
      case 'usage_update':
      case 'available_commands_update':
      case 'current_mode_update':
      case 'config_option_update':
      case 'plan':
        return [];
      default:
        return [{ kind: 'unknown', reason: 'unknown_type', line: JSON.stringify(update) }];
    }
  }

  /** The `session/prompt` response: calls that never finished, usage, and how the turn ended. */
  promptFinished(response: unknown): AgentEvent[] {
    const events = this.unfinishedCalls();
    const tokens = responseTokens(response) ?? this.tokensFromChunks();
    if (tokens) events.push({ kind: 'usage', ...tokens });
    const stopReason = stringField(response, 'stopReason') ?? 'unknown';
    const status: FinishStatus = stopReason === 'end_turn' ? 'success' : stopReason === 'max_turn_requests' ? 'turn_limit' : 'error';
    const message = status === 'success' ? null : `the agent stopped: ${stopReason}`;
    events.push({ kind: 'finished', status, message, httpStatus: null, deniedTools: [], turns: null });
    return events;
  }

  /**
   * A turn that ended without a `session/prompt` response (the agent answered it with an error,
   * or went away): the calls that never finished and the usage reported so far, since the
   * model calls the agent made before it broke off were spent all the same.
   */
  promptFailed(): AgentEvent[] {
    const events = this.unfinishedCalls();
    const tokens = this.tokensFromChunks();
    if (tokens) events.push({ kind: 'usage', ...tokens });
    return events;
  }

  private unfinishedCalls(): AgentEvent[] {
    const events: AgentEvent[] = [...this.calls].map(([id, call]) => ({ kind: 'tool_call', id, name: call.name, input: call.input }));
    this.calls.clear();
    return events;
  }

  /** The usage Qwen reported per model call in its message chunks, summed. */
  private tokensFromChunks(): TokenCounts | null {
    return this.chunkTokens.inputTokens + this.chunkTokens.outputTokens > 0 ? { ...this.chunkTokens } : null;
  }

  private messageChunk(update: JsonObject): AgentEvent[] {
    const usage = objectField(objectField(update, '_meta'), 'usage');
    if (usage) {
      this.chunkTokens.inputTokens += numberField(usage, 'inputTokens') ?? 0;
      this.chunkTokens.outputTokens += numberField(usage, 'outputTokens') ?? 0;
      this.chunkTokens.cachedTokens += numberField(usage, 'cachedReadTokens') ?? 0;
    }
    const text = stringField(objectField(update, 'content'), 'text');
    return text ? [{ kind: 'assistant_text', text }] : [];
  }

  private toolCall(update: JsonObject): AgentEvent[] {
    const id = stringField(update, 'toolCallId') ?? '';
    const known = this.calls.get(id) ?? { name: 'unknown', input: {} };
    const meta = objectField(update, '_meta');
    const name = stringField(objectField(meta, 'claudeCode'), 'toolName') ?? stringField(meta, 'toolName');
    const rawInput = objectField(update, 'rawInput');
    const call = {
      name: name ?? (known.name !== 'unknown' ? known.name : (stringField(update, 'kind') ?? stringField(update, 'title') ?? 'unknown')),
      input: rawInput && Object.keys(rawInput).length > 0 ? rawInput : known.input,
    };
    const status = stringField(update, 'status');
    if (status !== 'completed' && status !== 'failed') {
      this.calls.set(id, call);
      return [];
    }
    this.calls.delete(id);
    const rawOutput = update['rawOutput'];
    // OpenCode puts a command's output in `output`; Qwen puts an edit's diff in `fileDiff`, beside both whole files.
    const output = outputText(stringField(rawOutput, 'output') ?? stringField(rawOutput, 'fileDiff') ?? rawOutput ?? update['content']);
    return [
      { kind: 'tool_call', id, name: call.name, input: call.input },
      { kind: 'tool_result', id, isError: status === 'failed', output },
    ];
  }
}

function responseTokens(response: unknown): TokenCounts | null {
  const usage = objectField(response, 'usage');
  if (usage) {
    const cachedTokens = numberField(usage, 'cachedReadTokens') ?? 0;
    const inputTokens = (numberField(usage, 'inputTokens') ?? 0) + cachedTokens + (numberField(usage, 'cachedWriteTokens') ?? 0);
    return { inputTokens, outputTokens: numberField(usage, 'outputTokens') ?? 0, cachedTokens };
  }
  const quota = objectField(objectField(objectField(response, '_meta'), 'quota'), 'token_count');
  if (!quota) return null;
  return { inputTokens: numberField(quota, 'input_tokens') ?? 0, outputTokens: numberField(quota, 'output_tokens') ?? 0, cachedTokens: 0 };
}
