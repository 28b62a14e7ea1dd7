import { describe, expect, it } from 'vitest';
import { parseDurationMs } from './duration.js';

describe('parseDurationMs', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1.5h', 5_400_000],
    ['45', 45_000],
    [' 10M ', 600_000],
    ['365d', 365 * 86_400_000],
  ])('reads %j as %i ms', (input, expected) => {
    expect(parseDurationMs(input, '--ttl')).toBe(expected);
  });

  it.each(['0', '0s', '0.4ms', '-5s', '5 s', '5x', '1w', 'abc', '', '366d', '1.5.2h'])('refuses %j, naming the field', (input) => {
    expect(() => parseDurationMs(input, '--ttl')).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        field: '--ttl',
        message: `--ttl: '${input}' is not a duration; use e.g. 90s, 30m, 2h or 1d`,
      }),
    );
  });
});
