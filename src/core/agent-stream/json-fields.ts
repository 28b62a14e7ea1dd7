import { TOOL_OUTPUT_MAX_CHARS, type AgentEvent } from './agent-event.js';

/** A parsed JSON object whose fields have not been checked yet. */
export type JsonObject = Readonly<Record<string, unknown>>;

/**
 * The events of one JSON line. `read` returns null for a type it does not know; that line,
 * a line that is not a JSON object, and a line `read` chokes on all become `unknown` events.
 */
export function eventsOfLine(line: string, read: (json: JsonObject) => AgentEvent[] | null): AgentEvent[] {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return [{ kind: 'unknown', reason: 'not_json', line }];
  }
  if (!isObject(value)) return [{ kind: 'unknown', reason: 'not_an_object', line }];
  try {
    return read(value) ?? [{ kind: 'unknown', reason: 'unknown_type', line }];
  } catch {
    return [{ kind: 'unknown', reason: 'unexpected_shape', line }];
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringField(source: unknown, key: string): string | undefined {
  const value = isObject(source) ? source[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

export function numberField(source: unknown, key: string): number | undefined {
  const value = isObject(source) ? source[key] : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function objectField(source: unknown, key: string): JsonObject | undefined {
  const value = isObject(source) ? source[key] : undefined;
  return isObject(value) ? value : undefined;
}

export function arrayField(source: unknown, key: string): readonly unknown[] {
  const value = isObject(source) ? source[key] : undefined;
  return Array.isArray(value) ? value : [];
}

/** Tool output as text: strings as they are, text blocks joined, anything else as JSON. */
export function outputText(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === undefined || value === null) text = '';
  else if (Array.isArray(value)) text = value.map((block) => stringField(block, 'text') ?? JSON.stringify(block)).join('\n');
  else text = JSON.stringify(value);
  return text.length > TOOL_OUTPUT_MAX_CHARS ? `${text.slice(0, TOOL_OUTPUT_MAX_CHARS)}…` : text;
}

/** An HTTP status named in an error message (`last status: 429 Too Many Requests`). */
export function httpStatusIn(message: string | null | undefined): number | null {
  if (!message) return null;
  const match = /(?:\bstatus(?: code)?:?\s*|\()([45]\d\d)\b/i.exec(message) ?? /\b([45]\d\d) (?:Too Many Requests|Unauthorized|Forbidden)\b/i.exec(message);
  return match ? Number(match[1]) : null;
}
