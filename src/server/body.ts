import type { Context } from 'hono';
import { InvalidInputError } from '../core/errors.js';

export type JsonBody = Record<string, unknown>;

/** The request's JSON object; an empty body is `{}`, anything else not an object is refused. */
export async function readBody(c: Context): Promise<JsonBody> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError('body', `is not valid JSON (${error instanceof Error ? error.message : String(error)}); send one JSON object`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidInputError('body', 'must be a JSON object, like {"title": "..."}');
  return parsed as JsonBody;
}

/** Only the named fields: a misspelt one would otherwise be dropped without a word. */
export function onlyFields(body: JsonBody, allowed: readonly string[]): void {
  const unknown = Object.keys(body).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    throw new InvalidInputError(unknown, `is not a field of this request; use ${allowed.length === 0 ? 'no fields' : allowed.join(', ')}`);
  }
}

/** A string field; numbers are taken as their text (`"priority": 1`), as the CLI takes `-p 1`. */
export function stringField(body: JsonBody, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new InvalidInputError(name, `must be a string, not ${typeof value}`);
}

export function listField(body: JsonBody, name: string): string[] {
  const value = body[name];
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, index) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'number' && Number.isFinite(item)) return String(item);
    throw new InvalidInputError(`${name}[${index}]`, `must be a string, not ${typeof item}`);
  });
}

export function booleanField(body: JsonBody, name: string): boolean {
  const value = body[name];
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  throw new InvalidInputError(name, `must be true or false, not ${JSON.stringify(value)}`);
}
