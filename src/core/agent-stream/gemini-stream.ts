import { NO_TOKENS, type AgentEvent, type TokenCounts } from './agent-event.js';
import { eventsOfLine, httpStatusIn, numberField, objectField, outputText, stringField, type JsonObject } from './json-fields.js';
import type { StreamParser } from './stream-parser.js';

/**
 * Gemini CLI: `gemini -p … --output-format stream-json --skip-trust`. The final `result` has
 * status `success` or `error` and this run's usage. Some endings show only in the exit code
 * (see `classifyAttempt`): 173 after exhausted 429 retries, 55 for an untrusted folder.
 */
export function createGeminiParser(): StreamParser {
  const read = (line: JsonObject): AgentEvent[] | null => {
    switch (stringField(line, 'type')) {
      case 'init': {
        const sessionId = stringField(line, 'session_id');
        return sessionId ? [{ kind: 'session_started', sessionId, model: stringField(line, 'model') ?? null }] : [];
      }
      case 'message': {
        const text = stringField(line, 'content');
        return stringField(line, 'role') === 'assistant' && text ? [{ kind: 'assistant_text', text }] : [];
      }
      case 'tool_use':
        return [{ kind: 'tool_call', id: stringField(line, 'tool_id') ?? null, name: stringField(line, 'tool_name') ?? 'unknown', input: objectField(line, 'parameters') ?? {} }];
      case 'tool_result': {
        const isError = stringField(line, 'status') !== 'success';
        const output = outputText(line['output'] ?? stringField(objectField(line, 'error'), 'message'));
        return [{ kind: 'tool_result', id: stringField(line, 'tool_id') ?? null, isError, output }];
      }
      case 'error':
        return [geminiNotice(line)];
      case 'result':
        return geminiResultEvents(line);
      default:
        return null;
    }
  };
  return { parseLine: (line) => eventsOfLine(line, read), end: () => [], usageBaseline: () => ({ ...NO_TOKENS }) };
}

/** Mid-stream `error` lines: a warning unless Gemini marks them as errors. */
function geminiNotice(line: JsonObject): AgentEvent {
  const message = stringField(line, 'message') ?? 'error';
  if (stringField(line, 'severity') === 'warning') return { kind: 'warning', message };
  return { kind: 'error', message, httpStatus: httpStatusIn(message), retrying: false, retryDelayMs: null };
}

function geminiResultEvents(line: JsonObject): AgentEvent[] {
  const stats = objectField(line, 'stats');
  const usage: AgentEvent[] = stats ? [{ kind: 'usage', ...geminiTokens(stats) }] : [];
  const failed = stringField(line, 'status') !== 'success';
  const message = failed ? (stringField(objectField(line, 'error'), 'message') ?? 'error') : null;
  return [...usage, { kind: 'finished', status: failed ? 'error' : 'success', message, httpStatus: httpStatusIn(message), deniedTools: [], turns: null }];
}

/** Gemini's input tokens already include the cached ones. */
function geminiTokens(stats: JsonObject): TokenCounts {
  return {
    inputTokens: numberField(stats, 'input_tokens') ?? 0,
    outputTokens: numberField(stats, 'output_tokens') ?? 0,
    cachedTokens: numberField(stats, 'cached') ?? 0,
  };
}
