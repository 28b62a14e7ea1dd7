import { describe, expect, it } from 'vitest';
import { errorLineIndexes, isErrorLine, isValueLine, stripTerminalCodes } from './error-lines.js';

describe('error lines', () => {
  it('knows error words and value shapes', () => {
    expect(isErrorLine('AssertionError: boom')).toBe(true);
    expect(isErrorLine('1990 !== 1800')).toBe(false);
    expect(['1990 !== 1800', 'assert 4 == 5', '+ 1990', '-   lines: 3,', 'Received: 4', 'actual: 1990,', 'E    +  where 4 = f()'].every(isValueLine)).toBe(true);
    expect(['--- a/src/x.ts', '+++ b/src/x.ts', '-----------', 'compiled 3 files', 'a = b'].some(isValueLine)).toBe(false);
  });

  it('picks error lines and the value lines within twelve lines after one', () => {
    const lines = ['start', 'FAIL adds tax', '', '1990 !== 1800', ...Array.from({ length: 12 }, () => 'noise'), '+ 1'];
    expect(errorLineIndexes(lines)).toEqual([1, 3]);
    expect(errorLineIndexes(['+ 1', 'Error: x', '- 2'])).toEqual([1, 2]);
  });

  it('strips colours, cursor moves and hyperlinks', () => {
    expect(stripTerminalCodes('\u001b[31mred\u001b[39m \u001b]8;;http://x\u0007link\u001b]8;;\u0007 \u001b[2K\u001bMdone')).toBe('red link done');
  });
});
