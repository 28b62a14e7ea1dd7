import { describe, expect, it } from 'vitest';
import { GLOBAL_OPTIONS } from './help.js';
import { COMMANDS } from './registry.js';

describe('option specs', () => {
  it('name only options of their own command in conflicts and requires', () => {
    const dangling = COMMANDS.flatMap((command) => {
      const known = new Set([...command.options, ...GLOBAL_OPTIONS].map((option) => option.name));
      return command.options.flatMap((option) =>
        [...(option.conflicts ?? []), ...(option.requires ? [option.requires] : [])]
          .filter((name) => !known.has(name) || name === option.name)
          .map((name) => `${command.name} --${option.name} → --${name}`),
      );
    });
    expect(dangling).toEqual([]);
  });
});
