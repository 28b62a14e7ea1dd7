import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIORITY, PRIORITY_NAMES, parsePriority, priorityName } from './priority.js';

describe('parsePriority', () => {
  it('accepts the numbers 0-4', () => {
    expect(['0', '1', '2', '3', '4'].map((text) => parsePriority(text))).toEqual([0, 1, 2, 3, 4]);
    expect(parsePriority(' 3 ')).toBe(3);
  });

  it('accepts the names, most urgent first, in any case', () => {
    expect(parsePriority('critical')).toBe(0);
    expect(parsePriority('High')).toBe(1);
    expect(parsePriority('MEDIUM')).toBe(2);
    expect(parsePriority('low')).toBe(3);
    expect(parsePriority('backlog')).toBe(4);
  });

  it.each(['5', '-1', '1.0', '01', 'urgent', '', 'p1'])('refuses %j, naming the field and the choices', (input) => {
    expect(() => parsePriority(input, '--priority')).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        field: '--priority',
        message: expect.stringContaining('use 0-4 (0 most urgent) or one of critical, high, medium, low, backlog'),
      }),
    );
  });

  it('reports the field it was given', () => {
    expect(() => parsePriority('x', '-p')).toThrow(expect.objectContaining({ field: '-p', message: expect.stringMatching(/^-p: /) }));
  });
});

describe('priorityName', () => {
  it('names every priority and round-trips through parsePriority', () => {
    expect(PRIORITY_NAMES.map((_, index) => priorityName(parsePriority(String(index))))).toEqual([...PRIORITY_NAMES]);
    expect(priorityName(DEFAULT_PRIORITY)).toBe('medium');
  });
});
