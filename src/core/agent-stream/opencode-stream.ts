import { NO_TOKENS, type AgentEvent, type UsageEvent } from './agent-event.js';
import { eventsOfLine, numberField, objectField, outputText, stringField, type JsonObject } from './json-fields.js';
import type { StreamParser } from './stream-parser.js';

/**
 * OpenCode: `opencode run --format json`. Every line carries the session id; there is no
 * final event. A run succeeded when it exits 0 and its last `step_finish` has reason `stop`,
 * so `end()` turns that last step into the `finished` event. Usage is per step.
 */
export function createOpencodeParser(): StreamParser {
  let sessionSeen = false;
  let lastStepReason: string | null = null;

  const readBody = (line: JsonObject): AgentEvent[] | null => {
    const part = objectField(line, 'part');
    switch (stringField(line, 'type')) {
      case 'step_start':
        return [];
      case 'text': {
        const text = stringField(part, 'text');
        return text ? [{ kind: 'assistant_text', text }] : [];
      }
      case 'tool_use':
        return toolEvents(part);
      case 'step_finish':
        lastStepReason = stringField(part, 'reason') ?? null;
        return [stepUsage(part)];
      case 'error':
        return [errorOf(objectField(line, 'error'))];
      default:
        return null;
    }
  };
  const read = (line: JsonObject): AgentEvent[] | null => {
    const body = readBody(line);
    const sessionId = stringField(line, 'sessionID');
    if (body === null || sessionSeen || !sessionId) return body;
    sessionSeen = true;
    return [{ kind: 'session_started', sessionId, model: null }, ...body];
  };
  return {
    parseLine: (line) => eventsOfLine(line, read),
    end() {
      if (lastStepReason === null) return [];
      const stopped = lastStepReason === 'stop';
      const message = stopped ? null : `the last step ended with reason '${lastStepReason}'`;
      return [{ kind: 'finished', status: stopped ? 'success' : 'error', message, httpStatus: null, deniedTools: [], turns: null }];
    },
    usageBaseline: () => ({ ...NO_TOKENS }),
  };
}

/** A tool part is printed once it has finished: its call and result together. */
function toolEvents(part: JsonObject | undefined): AgentEvent[] {
  const state = objectField(part, 'state');
  const id = stringField(part, 'callID') ?? null;
  const call: AgentEvent = { kind: 'tool_call', id, name: stringField(part, 'tool') ?? 'unknown', input: objectField(state, 'input') ?? {} };
  const status = stringField(state, 'status');
  if (status !== 'completed' && status !== 'error') return [call];
  const output = outputText(state?.['output'] ?? state?.['error']);
  return [call, { kind: 'tool_result', id, isError: status === 'error', output }];
}

/** OpenCode's input tokens leave out the cache reads and writes, so they are added back. */
function stepUsage(part: JsonObject | undefined): UsageEvent {
  const tokens = objectField(part, 'tokens');
  const cache = objectField(tokens, 'cache');
  const cachedTokens = numberField(cache, 'read') ?? 0;
  const costUsd = numberField(part, 'cost');
  return {
    kind: 'usage',
    inputTokens: (numberField(tokens, 'input') ?? 0) + cachedTokens + (numberField(cache, 'write') ?? 0),
    outputTokens: (numberField(tokens, 'output') ?? 0) + (numberField(tokens, 'reasoning') ?? 0),
    cachedTokens,
    ...(costUsd === undefined ? {} : { costUsd }),
  };
}

function errorOf(error: JsonObject | undefined): AgentEvent {
  const data = objectField(error, 'data');
  const message = stringField(data, 'message') ?? stringField(error, 'name') ?? 'error';
  return { kind: 'error', message, httpStatus: numberField(data, 'statusCode') ?? null, retrying: false, retryDelayMs: null };
}
