import { NO_TOKENS, type AgentEvent } from './agent-event.js';
import { assistantEvents, finishedOf, systemEvents, tokensOf, userEvents } from './claude-shape.js';
import { eventsOfLine, numberField, objectField, stringField, type JsonObject } from './json-fields.js';
import type { StreamParser } from './stream-parser.js';

/**
 * Claude Code: `claude -p … --output-format stream-json --verbose`. Usage is reported once, in
 * the final `result`, for this run alone (a resumed session starts again from zero). The cost
 * is priced as Claude even when the model behind it is local: the adapter decides whether it
 * counts.
 */
export function createClaudeParser(): StreamParser {
  let sessionSeen = false;
  return {
    parseLine(line) {
      const events = eventsOfLine(line, (json) => claudeLineEvents(json, sessionSeen));
      sessionSeen ||= events.some((event) => event.kind === 'session_started');
      return events;
    },
    end: () => [],
    usageBaseline: () => ({ ...NO_TOKENS }),
  };
}

function claudeLineEvents(line: JsonObject, sessionSeen: boolean): AgentEvent[] | null {
  switch (stringField(line, 'type')) {
    case 'system':
      return systemEvents(line);
    case 'assistant':
      return assistantEvents(line);
    case 'user':
      return userEvents(line);
    case 'stream_event':
      // Partial deltas (--include-partial-messages): the whole message follows as `assistant`.
      return [];
    case 'result':
      return claudeResultEvents(line, sessionSeen);
    default:
      return null;
  }
}

/**
 * The final `result`: usage, then how it ended. `withAnswer` adds its answer as text, for
 * `--output-format json`, where the result is all there is.
 */
export function claudeResultEvents(line: JsonObject, sessionSeen: boolean, withAnswer = false): AgentEvent[] {
  const events: AgentEvent[] = [];
  const sessionId = stringField(line, 'session_id');
  if (!sessionSeen && sessionId) events.push({ kind: 'session_started', sessionId, model: null });
  const answer = stringField(line, 'result');
  if (withAnswer && answer && line['is_error'] !== true) events.push({ kind: 'assistant_text', text: answer });
  const tokens = tokensOf(objectField(line, 'usage'));
  const costUsd = numberField(line, 'total_cost_usd');
  if (tokens) events.push({ kind: 'usage', ...tokens, ...(costUsd === undefined ? {} : { costUsd }) });
  events.push(finishedOf(line));
  return events;
}
