import { InvalidInputError } from '../../core/errors.js';
import type { PropertySchema, ToolSchema } from './tool.js';

/**
 * Checks a tool call's arguments against the tool's schema before anything runs: the types,
 * the required fields, and no field the tool does not know (a misspelt `messsage` would
 * otherwise be dropped without a word). The values themselves are checked by the same code
 * the CLI runs.
 */
export function checkArguments(schema: ToolSchema, given: unknown): Record<string, unknown> {
  if (given === undefined || given === null) given = {};
  if (typeof given !== 'object' || Array.isArray(given)) throw new InvalidInputError('arguments', 'must be an object of named arguments');
  const args = given as Record<string, unknown>;
  const known = Object.keys(schema.properties);
  for (const name of Object.keys(args)) {
    // Own properties only: `in` would take toString or __proto__ for arguments of every tool.
    if (!Object.hasOwn(schema.properties, name)) throw new InvalidInputError(name, `is not an argument of this tool; it takes ${known.join(', ') || 'none'}`);
  }
  for (const name of schema.required ?? []) {
    if (args[name] === undefined) throw new InvalidInputError(name, 'is required');
  }
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    checkValue(name, schema.properties[name] as PropertySchema, value);
  }
  return args;
}

function checkValue(name: string, property: PropertySchema, value: unknown): void {
  if (property.type === 'array') {
    if (!Array.isArray(value)) throw new InvalidInputError(name, `must be an array of ${plural(property.items.type)}`);
    for (const item of value) if (!isType(property.items.type, item)) throw new InvalidInputError(name, `must be an array of ${plural(property.items.type)}`);
    return;
  }
  if (!isType(property.type, value)) throw new InvalidInputError(name, `must be ${article(property.type)}, not ${JSON.stringify(value)}`);
}

function isType(type: 'string' | 'integer' | 'boolean', value: unknown): boolean {
  if (type === 'integer') return typeof value === 'number' && Number.isSafeInteger(value);
  return typeof value === type;
}

function article(type: string): string {
  return type === 'integer' ? 'an integer' : `a ${type}`;
}

function plural(type: string): string {
  return `${type}s`;
}
