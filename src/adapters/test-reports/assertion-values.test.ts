import { describe, expect, it } from 'vitest';
import { assertionValues, valueText } from './assertion-values.js';

describe('assertionValues', () => {
  it('reads the shapes common runners print', () => {
    expect(assertionValues('Expected values to be strictly equal:\n\n1990 !== 1800\n')).toEqual({ expected: '1800', actual: '1990' });
    expect(assertionValues('AssertionError: 1990 != 1800')).toEqual({ expected: '1800', actual: '1990' });
    expect(assertionValues('expected 1990 to be 1800 // Object.is equality')).toEqual({ expected: '1800', actual: '1990' });
    expect(assertionValues("expected [ 1, 2 ] to deeply equal [ 1, 3 ]")).toEqual({ expected: '[ 1, 3 ]', actual: '[ 1, 2 ]' });
    expect(assertionValues('expect(received).toBe(expected)\n\nExpected: 5\nReceived: 4\n')).toEqual({ expected: '5', actual: '4' });
    expect(assertionValues('E       assert 1990 == 1800\nE        +  where 1990 = total()')).toEqual({ expected: '1800', actual: '1990' });
    expect(assertionValues('cause: AssertionError\n    actual: 1990,\n    expected: 1800,\n    operator: strictEqual')).toEqual({ expected: '1800', actual: '1990' });
  });

  it('looks at the texts in turn and gives nulls when none matches', () => {
    expect(assertionValues(null, 'boom', 'Expected: 2\nReceived: 3')).toEqual({ expected: '2', actual: '3' });
    expect(assertionValues('TypeError: x is not a function')).toEqual({ expected: null, actual: null });
    expect(assertionValues('Expected: 5 but nothing received')).toEqual({ expected: null, actual: null });
  });

  it('cuts very long values', () => {
    const long = 'x'.repeat(1_000);
    expect(assertionValues(`Expected: ${long}\nReceived: y`).expected).toBe(`${'x'.repeat(300)}…`);
  });
});

describe('valueText', () => {
  it('writes data values compactly', () => {
    expect(valueText(1800)).toBe('1800');
    expect(valueText('12.34')).toBe('"12.34"');
    expect(valueText(null)).toBe('null');
    expect(valueText({ lines: 3 })).toBe('{"lines":3}');
    expect(valueText(true)).toBe('true');
  });
});
