import type { AgentEvent, FinishedEvent, FinishStatus, TokenCounts } from './agent-event.js';
import { arrayField, httpStatusIn, isObject, numberField, objectField, outputText, stringField, type JsonObject } from './json-fields.js';

/*
 * Claude Code's stream-json and Qwen Code's (which copies it) share one shape:
 * `system` (subtype `init` carries the session id; `api_retry` a retried API error),
 * `assistant` and `user` messages made of content blocks, and a final `result`.
 */

/** `system` lines: the session's start and retried API errors; other subtypes are chatter. */
export function systemEvents(line: JsonObject): AgentEvent[] {
  const subtype = stringField(line, 'subtype');
  if (subtype === 'init') {
    const sessionId = stringField(line, 'session_id');
    return sessionId ? [{ kind: 'session_started', sessionId, model: stringField(line, 'model') ?? null }] : [];
  }
  if (subtype === 'api_retry') {
    const httpStatus = numberField(line, 'error_status') ?? null;
    const delay = numberField(line, 'retry_delay_ms');
    const retryDelayMs = delay === undefined ? null : Math.max(0, Math.round(delay));
    return [{ kind: 'error', message: stringField(line, 'error') ?? 'API error', httpStatus, retrying: true, retryDelayMs }];
  }
  return [];
}

/**
 * An assistant message: text and tool calls. An API failure arrives as a synthetic assistant
 * message (`error` set, model `<synthetic>`) whose text is the error, not an answer.
 */
export function assistantEvents(line: JsonObject): AgentEvent[] {
  const message = objectField(line, 'message');
  const failed = stringField(line, 'error') !== undefined || stringField(message, 'model') === '<synthetic>';
  const events: AgentEvent[] = [];
  for (const block of arrayField(message, 'content')) {
    const type = stringField(block, 'type');
    const text = stringField(block, 'text');
    if (type === 'text' && text && failed) {
      const httpStatus = numberField(line, 'api_error_status') ?? httpStatusIn(text);
      events.push({ kind: 'error', message: text, httpStatus, retrying: false, retryDelayMs: null });
    } else if (type === 'text' && text) {
      events.push({ kind: 'assistant_text', text });
    } else if (type === 'tool_use') {
      const input = objectField(block, 'input') ?? {};
      events.push({ kind: 'tool_call', id: stringField(block, 'id') ?? null, name: stringField(block, 'name') ?? 'unknown', input });
    }
  }
  return events;
}

/** A user message the CLI sends back to the model: the results of the tools it ran. */
export function userEvents(line: JsonObject): AgentEvent[] {
  const events: AgentEvent[] = [];
  for (const block of arrayField(objectField(line, 'message'), 'content')) {
    if (!isObject(block) || block['type'] !== 'tool_result') continue;
    const id = stringField(block, 'tool_use_id') ?? null;
    events.push({ kind: 'tool_result', id, isError: block['is_error'] === true, output: outputText(block['content']) });
  }
  return events;
}

const STATUS_BY_SUBTYPE: Record<string, FinishStatus> = {
  error_max_turns: 'turn_limit',
  error_max_budget_usd: 'budget_limit',
};

/**
 * The final `result`. A rate-limited Claude run ends with subtype `success` but `is_error`
 * true, so `is_error` decides; a refused tool shows only in `permission_denials`.
 */
export function finishedOf(line: JsonObject): FinishedEvent {
  const subtype = stringField(line, 'subtype') ?? '';
  const isError = line['is_error'] === true || subtype.startsWith('error');
  const status: FinishStatus = STATUS_BY_SUBTYPE[subtype] ?? (isError ? 'error' : 'success');
  const errors = arrayField(line, 'errors').filter((item): item is string => typeof item === 'string');
  const message = stringField(line, 'result') ?? (errors.length > 0 ? errors.join('; ') : null);
  const httpStatus = numberField(line, 'api_error_status') ?? (status === 'success' ? null : httpStatusIn(message));
  const deniedTools = arrayField(line, 'permission_denials').map((denial) => stringField(denial, 'tool_name') ?? 'unknown');
  return { kind: 'finished', status, message, httpStatus, deniedTools, turns: numberField(line, 'num_turns') ?? null };
}

/** Anthropic-style usage: input tokens exclude cache reads and writes, so they are added back. */
export function tokensOf(usage: JsonObject | undefined): TokenCounts | null {
  if (!usage) return null;
  const cachedTokens = numberField(usage, 'cache_read_input_tokens') ?? 0;
  const written = numberField(usage, 'cache_creation_input_tokens') ?? 0;
  return {
    inputTokens: (numberField(usage, 'input_tokens') ?? 0) + written + cachedTokens,
    outputTokens: numberField(usage, 'output_tokens') ?? 0,
    cachedTokens,
  };
}
