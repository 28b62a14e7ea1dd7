import { describe, expect, it } from 'vitest';
import { BatonError } from '../../core/errors.js';
import { checkArguments } from './check-arguments.js';
import type { ToolSchema } from './tool.js';

const SCHEMA: ToolSchema = {
  type: 'object',
  properties: { id: { type: 'integer' }, text: { type: 'string' }, force: { type: 'boolean' }, ids: { type: 'array', items: { type: 'integer' } } },
  required: ['id'],
};

function refusal(given: unknown): { code: string; message: string } {
  try {
    checkArguments(SCHEMA, given);
  } catch (error) {
    if (error instanceof BatonError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(given)}`);
}

describe('checkArguments', () => {
  it('accepts arguments of the declared types, and leaves null and missing optional ones out of the check', () => {
    expect(checkArguments(SCHEMA, { id: 3, text: 'x', force: false, ids: [1, 2] })).toEqual({ id: 3, text: 'x', force: false, ids: [1, 2] });
    expect(checkArguments(SCHEMA, { id: 3, text: null })).toEqual({ id: 3, text: null });
    expect(checkArguments({ type: 'object', properties: {} }, undefined)).toEqual({});
  });

  it('refuses a wrong type, a fraction, an unsafe integer, a bad array item, a missing or unknown field, naming the field', () => {
    expect(refusal({ id: '3' })).toEqual({ code: 'INVALID_INPUT', message: 'id: must be an integer, not "3"' });
    expect(refusal({ id: 1.5 }).message).toBe('id: must be an integer, not 1.5');
    expect(refusal({ id: 2 ** 60 }).message).toMatch(/^id: must be an integer/);
    expect(refusal({ id: 1, force: 'yes' }).message).toBe('force: must be a boolean, not "yes"');
    expect(refusal({ id: 1, ids: [1, '2'] }).message).toBe('ids: must be an array of integers');
    expect(refusal({ id: 1, ids: 1 }).message).toBe('ids: must be an array of integers');
    expect(refusal({}).message).toBe('id: is required');
    expect(refusal({ id: 1, txet: 'x' }).message).toBe('txet: is not an argument of this tool; it takes id, text, force, ids');
    expect(refusal([1]).message).toBe('arguments: must be an object of named arguments');
  });

  it('an argument named like an Object.prototype member (toString, constructor, __proto__) is unknown, not a property', () => {
    for (const name of ['toString', 'constructor', 'hasOwnProperty', '__proto__']) {
      const given = JSON.parse(`{"id": 1, "${name}": "x"}`) as unknown;
      expect(refusal(given).message).toBe(`${name}: is not an argument of this tool; it takes id, text, force, ids`);
    }
  });
});
