import { describe, expect, it } from 'vitest';
import { parseDueDate } from './due-date.js';

/** Late in the UTC day, so an off-by-one from local time or rounding would show. */
const NOW = new Date('2025-01-30T23:30:00.000Z');

describe('parseDueDate', () => {
  it('keeps an ISO date as it is', () => {
    expect(parseDueDate('2025-09-01', NOW)).toBe('2025-09-01');
    expect(parseDueDate(' 2024-02-29 ', NOW)).toBe('2024-02-29');
  });

  it('normalises an ISO date-time to UTC', () => {
    expect(parseDueDate('2025-09-01T10:00:00Z', NOW)).toBe('2025-09-01T10:00:00.000Z');
    expect(parseDueDate('2025-09-01T10:00+02:00', NOW)).toBe('2025-09-01T08:00:00.000Z');
    expect(parseDueDate('2025-09-01t10:00:00.250z', NOW)).toBe('2025-09-01T10:00:00.250Z');
  });

  it('resolves today and tomorrow against the injected clock', () => {
    expect(parseDueDate('today', NOW)).toBe('2025-01-30');
    expect(parseDueDate('Tomorrow', NOW)).toBe('2025-01-31');
    expect(parseDueDate('tomorrow', new Date('2024-12-31T12:00:00Z'))).toBe('2025-01-01');
  });

  it('resolves +Nd and +Nw offsets across month and leap-year ends', () => {
    expect(parseDueDate('+3d', NOW)).toBe('2025-02-02');
    expect(parseDueDate('+2w', NOW)).toBe('2025-02-13');
    expect(parseDueDate('+0d', NOW)).toBe('2025-01-30');
    expect(parseDueDate('+1d', new Date('2024-02-28T08:00:00Z'))).toBe('2024-02-29');
    expect(parseDueDate('+1D', new Date('2025-02-28T08:00:00Z'))).toBe('2025-03-01');
  });

  it.each([
    '2025-02-30',
    '2025-02-29',
    '2025-13-01',
    '2025-00-10',
    '2025-04-31',
    '2025-9-1',
    '2025-02-30T10:00:00Z',
    '2025-04-31T23:00+02:00',
    '2025-09-01T10:00',
    '+3',
    '+3m',
    '-3d',
    '+99999d',
    'next week',
    '',
  ])('refuses %j, naming the field', (input) => {
    expect(() => parseDueDate(input, NOW)).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        field: '--due',
        message: expect.stringContaining(`'${input}' is not a date; use YYYY-MM-DD`),
      }),
    );
  });
});
