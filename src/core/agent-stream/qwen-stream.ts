import type { AgentEvent, TokenCounts } from './agent-event.js';
import { assistantEvents, finishedOf, systemEvents, userEvents } from './claude-shape.js';
import { CumulativeUsage } from './cumulative-usage.js';
import { eventsOfLine, numberField, objectField, stringField, type JsonObject } from './json-fields.js';
import type { StreamParser, StreamParserOptions } from './stream-parser.js';

/**
 * Qwen Code: `qwen PROMPT --output-format stream-json`, Claude's shape with two differences.
 * The `result` usage is a running total for the session (a resumed session reports the
 * earlier runs too), and at its turn limit Qwen exits 53 with no `result` at all: then the
 * usage of the assistant messages seen is all there is to count.
 */
export function createQwenParser(options: StreamParserOptions = {}): StreamParser {
  const cumulative = new CumulativeUsage(options.usageBaseline);
  const unreported: TokenCounts = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
  let resultSeen = false;

  const read = (line: JsonObject): AgentEvent[] | null => {
    switch (stringField(line, 'type')) {
      case 'system':
        return systemEvents(line);
      case 'assistant':
        addTokens(unreported, qwenTokens(objectField(objectField(line, 'message'), 'usage')));
        return assistantEvents(line);
      case 'user':
        return userEvents(line);
      case 'stream_event':
        return [];
      case 'result': {
        resultSeen = true;
        const total = qwenTokens(objectField(line, 'usage'));
        return [...(total ? [cumulative.advance(total)] : []), finishedOf(line)];
      }
      default:
        return null;
    }
  };
  return {
    parseLine: (line) => eventsOfLine(line, read),
    end() {
      if (resultSeen || unreported.inputTokens + unreported.outputTokens === 0) return [];
      cumulative.add(unreported);
      return [{ kind: 'usage', ...unreported }];
    },
    usageBaseline: () => cumulative.totals(),
  };
}

/** Qwen's input tokens already include the cached ones (its usage comes from a Gemini-style count). */
function qwenTokens(usage: JsonObject | undefined): TokenCounts | null {
  if (!usage) return null;
  return {
    inputTokens: numberField(usage, 'input_tokens') ?? 0,
    outputTokens: numberField(usage, 'output_tokens') ?? 0,
    cachedTokens: numberField(usage, 'cache_read_input_tokens') ?? 0,
  };
}

function addTokens(total: TokenCounts, more: TokenCounts | null): void {
  if (!more) return;
  total.inputTokens += more.inputTokens;
  total.outputTokens += more.outputTokens;
  total.cachedTokens += more.cachedTokens;
}
