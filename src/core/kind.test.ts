import { describe, expect, it } from 'vitest';
import { TASK_KINDS, parseKind } from './kind.js';

describe('parseKind', () => {
  it('accepts every kind, trimmed and in any case', () => {
    expect(TASK_KINDS.map((kind) => parseKind(` ${kind.toUpperCase()} `))).toEqual(['task', 'bug', 'feature', 'chore', 'idea']);
  });

  it.each(['', 'story', 'bugs', 'epic'])('refuses %j, naming the field and the kinds', (input) => {
    expect(() => parseKind(input)).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        field: '--kind',
        message: `--kind: unknown kind '${input}'; use one of task, bug, feature, chore, idea`,
      }),
    );
  });
});
