import type { AgentEvent, TokenCounts } from './agent-event.js';
import { CumulativeUsage } from './cumulative-usage.js';
import { eventsOfLine, httpStatusIn, isObject, numberField, objectField, outputText, stringField, type JsonObject } from './json-fields.js';
import type { StreamParser, StreamParserOptions } from './stream-parser.js';

/**
 * Codex: `codex exec --json`. A run is one turn ending in `turn.completed` (with usage) or
 * `turn.failed`. Usage is a running total for the thread, so a resumed thread reports the
 * earlier runs too. With the model server unreachable Codex retries forever, printing
 * `Reconnecting...` errors and no final event: only a timeout ends it.
 */
export function createCodexParser(options: StreamParserOptions = {}): StreamParser {
  const cumulative = new CumulativeUsage(options.usageBaseline);
  const announced = new Set<string>();

  const read = (line: JsonObject): AgentEvent[] | null => {
    switch (stringField(line, 'type')) {
      case 'thread.started': {
        const sessionId = stringField(line, 'thread_id');
        return sessionId ? [{ kind: 'session_started', sessionId, model: null }] : [];
      }
      case 'turn.started':
      case 'item.updated':
        return [];
      case 'item.started':
      case 'item.completed':
        return itemEvents(objectField(line, 'item'), line['type'] === 'item.completed', announced);
      case 'turn.completed': {
        const total = codexTokens(objectField(line, 'usage'));
        const usage = total ? [cumulative.advance(total)] : [];
        return [...usage, { kind: 'finished', status: 'success', message: null, httpStatus: null, deniedTools: [], turns: null }];
      }
      case 'turn.failed': {
        const message = stringField(objectField(line, 'error'), 'message') ?? 'turn failed';
        return [{ kind: 'finished', status: 'error', message, httpStatus: httpStatusIn(message), deniedTools: [], turns: null }];
      }
      case 'error': {
        const message = stringField(line, 'message') ?? 'error';
        // `Reconnecting... 1/5 (…429…)` announces a retry but not how long Codex waits first.
        return [{ kind: 'error', message, httpStatus: httpStatusIn(message), retrying: message.startsWith('Reconnecting'), retryDelayMs: null }];
      }
      default:
        return null;
    }
  };
  return { parseLine: (line) => eventsOfLine(line, read), end: () => [], usageBaseline: () => cumulative.totals() };
}

/** Items the runner has no use for; other item types it does not know stay as evidence. */
const QUIET_ITEMS = new Set(['reasoning', 'todo_list']);

/** Items: the answer, commands, file changes and tool calls; a call is announced once. */
function itemEvents(item: JsonObject | undefined, completed: boolean, announced: Set<string>): AgentEvent[] | null {
  const type = stringField(item, 'type');
  const id = stringField(item, 'id') ?? null;
  if (type === 'agent_message') {
    const text = stringField(item, 'text');
    return completed && text ? [{ kind: 'assistant_text', text }] : [];
  }
  if (type === 'error') return completed ? [{ kind: 'warning', message: stringField(item, 'message') ?? 'error' }] : [];
  if (type !== undefined && QUIET_ITEMS.has(type)) return [];
  const call = toolCallOf(item, type);
  if (!call) return null;
  const events: AgentEvent[] = [];
  if (id === null || !announced.has(id)) {
    if (id !== null) announced.add(id);
    events.push({ kind: 'tool_call', id, name: call.name, input: call.input });
  }
  if (completed) events.push({ kind: 'tool_result', id, isError: call.isError, output: call.output });
  return events;
}

interface CodexCall {
  name: string;
  input: unknown;
  isError: boolean;
  output: string;
}

function toolCallOf(item: JsonObject | undefined, type: string | undefined): CodexCall | null {
  const failed = stringField(item, 'status') === 'failed';
  if (type === 'command_execution') {
    const exitCode = numberField(item, 'exit_code');
    const isError = failed || (exitCode !== undefined && exitCode !== 0);
    return { name: 'command_execution', input: { command: stringField(item, 'command') ?? '' }, isError, output: outputText(stringField(item, 'aggregated_output')) };
  }
  if (type === 'file_change') return { name: 'file_change', input: { changes: item?.['changes'] ?? [] }, isError: failed, output: '' };
  if (type === 'mcp_tool_call') {
    const name = `${stringField(item, 'server') ?? 'mcp'}.${stringField(item, 'tool') ?? 'tool'}`;
    const result = isObject(item?.['result']) ? item['result'] : item?.['error'];
    return { name, input: item?.['arguments'] ?? {}, isError: failed, output: outputText(result) };
  }
  if (type === 'web_search') return { name: 'web_search', input: { query: stringField(item, 'query') ?? '' }, isError: failed, output: '' };
  return null;
}

/** OpenAI-style usage: input tokens already include the cached ones. */
function codexTokens(usage: JsonObject | undefined): TokenCounts | null {
  if (!usage) return null;
  return {
    inputTokens: numberField(usage, 'input_tokens') ?? 0,
    outputTokens: numberField(usage, 'output_tokens') ?? 0,
    cachedTokens: numberField(usage, 'cached_input_tokens') ?? 0,
  };
}
