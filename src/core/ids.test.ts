import { describe, expect, it } from 'vitest';
import { parseTaskId } from './ids.js';

describe('parseTaskId', () => {
  it('accepts positive whole numbers, with or without #', () => {
    expect(parseTaskId('12')).toBe(12);
    expect(parseTaskId('#12')).toBe(12);
    expect(parseTaskId(' 7 ')).toBe(7);
    expect(parseTaskId('007')).toBe(7);
    expect(parseTaskId('999999999999999')).toBe(999_999_999_999_999);
  });

  it.each(['0', '#0', '-1', '1.5', '1e3', 'abc', '', '#', '##1', '12a', '1234567890123456'])(
    'refuses %j, naming the field',
    (input) => {
      expect(() => parseTaskId(input, '--on')).toThrow(
        expect.objectContaining({
          code: 'INVALID_INPUT',
          field: '--on',
          message: `--on: '${input}' is not a task id; ids are positive whole numbers like 12`,
        }),
      );
    },
  );

  it('names the ID argument by default', () => {
    expect(() => parseTaskId('x')).toThrow(expect.objectContaining({ field: 'ID' }));
  });
});
