import { describe, expect, it } from 'vitest';
import {
  MAX_LABEL_LENGTH, MAX_TEXT_LENGTH, MAX_TITLE_LENGTH,
  parseLabels, validateAgentName, validateLabel, validateText, validateTitle,
} from './task.js';

describe('validateTitle', () => {
  it('trims the title and folds runs of whitespace into one space', () => {
    expect(validateTitle('  Implement \t auth\n now ')).toBe('Implement auth now');
  });

  it('keeps a title of exactly the limit', () => {
    expect(MAX_TITLE_LENGTH).toBe(200);
    expect(validateTitle('t'.repeat(MAX_TITLE_LENGTH))).toHaveLength(200);
    // Whitespace that folds away does not count against the limit.
    expect(validateTitle(`${'t'.repeat(100)}     ${'t'.repeat(99)}`)).toHaveLength(200);
  });

  it.each(['', '   ', '\n\t'])('refuses the empty title %j', (input) => {
    expect(() => validateTitle(input)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'TITLE', message: 'TITLE: the title is empty; give the task a short title' }),
    );
  });

  it('refuses a title over the limit, saying how long it is and where the detail goes', () => {
    expect(() => validateTitle('t'.repeat(201), '--title')).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        field: '--title',
        message: '--title: the title is 201 characters, over the limit of 200; put the detail in --description',
      }),
    );
  });
});

describe('validateText', () => {
  it('keeps text up to the limit unchanged, whitespace included', () => {
    const text = ` ${'x'.repeat(MAX_TEXT_LENGTH - 2)}\n`;
    expect(validateText(text, '--description')).toBe(text);
  });

  it('refuses longer text, naming the field', () => {
    expect(() => validateText('x'.repeat(MAX_TEXT_LENGTH + 1), '-d')).toThrow(
      expect.objectContaining({ field: '-d', message: expect.stringContaining(`over the limit of ${MAX_TEXT_LENGTH}`) }),
    );
  });
});

describe('labels', () => {
  it('lower-cases and trims a label', () => {
    expect(validateLabel(' Backend ')).toBe('backend');
    expect(validateLabel('area/api-v2_x.y')).toBe('area/api-v2_x.y');
    // `agent:codex` picks the agent of a task under the supervisor.
    expect(validateLabel('Agent:Codex')).toBe('agent:codex');
    expect(validateLabel('l'.repeat(MAX_LABEL_LENGTH))).toHaveLength(MAX_LABEL_LENGTH);
  });

  it.each(['', 'two words', '-lead', '.hidden', ':lead', 'ünïcode', 'a,b', 'l'.repeat(MAX_LABEL_LENGTH + 1)])(
    'refuses the label %j, naming the field',
    (input) => {
      expect(() => validateLabel(input, '--label')).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', field: '--label', message: expect.stringContaining('is not a label') }),
      );
    },
  );

  it('splits commas and repeated flags into one deduplicated list, in first-seen order', () => {
    expect(parseLabels(['api,Backend', 'backend', ' , ui ,', 'API'])).toEqual(['api', 'backend', 'ui']);
    expect(parseLabels([])).toEqual([]);
  });

  it('refuses the whole list when one label is bad', () => {
    expect(() => parseLabels(['ok', 'not ok'], '-l')).toThrow(expect.objectContaining({ field: '-l' }));
  });
});

describe('validateAgentName', () => {
  it('trims a name and keeps its case', () => {
    expect(validateAgentName(' Agent-2 ', '--as')).toBe('Agent-2');
    expect(validateAgentName('a'.repeat(100), '--as')).toHaveLength(100);
  });

  it.each(['', '  ', 'a,b', 'bell\u0007', 'tab\tname', 'a'.repeat(101)])('refuses %j, naming the field', (input) => {
    expect(() => validateAgentName(input, '--assignee')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: '--assignee', message: expect.stringContaining('is not an agent name') }),
    );
  });
});
