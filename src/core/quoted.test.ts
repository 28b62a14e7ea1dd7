import { describe, expect, it } from 'vitest';
import { quoted, QUOTED_MAX_CHARS } from './quoted.js';

describe('quoted', () => {
  it('quotes a value of ordinary length whole', () => {
    expect(quoted('tomorrowish')).toBe("'tomorrowish'");
    expect(quoted('x'.repeat(QUOTED_MAX_CHARS))).toBe(`'${'x'.repeat(QUOTED_MAX_CHARS)}'`);
  });

  it('shows the start and the length of a long value', () => {
    expect(quoted(`${'a'.repeat(QUOTED_MAX_CHARS)}b`)).toBe(`'${'a'.repeat(QUOTED_MAX_CHARS)}…' (${QUOTED_MAX_CHARS + 1} characters)`);
  });

  it('counts and cuts characters, not UTF-16 halves', () => {
    const text = '😀'.repeat(QUOTED_MAX_CHARS + 5);
    expect(quoted(text)).toBe(`'${'😀'.repeat(QUOTED_MAX_CHARS)}…' (${QUOTED_MAX_CHARS + 5} characters)`);
  });

  it('takes another quotation mark', () => {
    expect(quoted('gpt', '`')).toBe('`gpt`');
  });
});
