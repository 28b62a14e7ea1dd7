import type { AgentEvent, TokenCounts } from './agent-event.js';
import { claudeResultEvents } from './claude-stream.js';
import { eventsOfLine, httpStatusIn, numberField, objectField, stringField, type JsonObject } from './json-fields.js';

/**
 * The one JSON document Claude Code prints with `--output-format json`: its stream's final
 * `result` alone, so no tool calls, only the answer, usage and how the run ended.
 */
export function parseClaudeDocument(text: string): AgentEvent[] {
  return eventsOfLine(text.trim(), (document) => (stringField(document, 'type') === 'result' ? claudeResultEvents(document, false, true) : null));
}

/**
 * The one JSON document Gemini CLI prints with `--output-format json`: the session id, the
 * answer, per-model token counts, and an `error` object when the run failed.
 */
export function parseGeminiDocument(text: string): AgentEvent[] {
  return eventsOfLine(text.trim(), (document) => {
    const events: AgentEvent[] = [];
    const sessionId = stringField(document, 'session_id');
    if (sessionId) events.push({ kind: 'session_started', sessionId, model: null });
    const answer = stringField(document, 'response');
    if (answer) events.push({ kind: 'assistant_text', text: answer });
    const models = objectField(objectField(document, 'stats'), 'models');
    if (models) events.push({ kind: 'usage', ...sumModelTokens(models) });
    const error = objectField(document, 'error');
    const message = error ? (stringField(error, 'message') ?? 'error') : null;
    const httpStatus = numberField(error, 'code') ?? httpStatusIn(message);
    events.push({ kind: 'finished', status: error ? 'error' : 'success', message, httpStatus, deniedTools: [], turns: null });
    return events;
  });
}

/** Gemini counts per model: `prompt` tokens (cached ones included) and `candidates` written. */
function sumModelTokens(models: JsonObject): TokenCounts {
  const total = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
  for (const model of Object.values(models)) {
    const tokens = objectField(model, 'tokens');
    total.inputTokens += numberField(tokens, 'prompt') ?? 0;
    total.outputTokens += numberField(tokens, 'candidates') ?? 0;
    total.cachedTokens += numberField(tokens, 'cached') ?? 0;
  }
  return total;
}
