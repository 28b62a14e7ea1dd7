import { describe, expect, it } from 'vitest';
import { readAgentReport, REPORT_EXAMPLE } from './agent-report.js';

describe('readAgentReport', () => {
  it('says missing when there is no file', () => {
    expect(readAgentReport(null)).toEqual({ kind: 'missing' });
  });

  it('reads a full report', () => {
    const text = JSON.stringify({ summary: ' Did it. ', changes: ['a.ts: x'], tests: ['a.test.ts'], notes: 'careful', extra: { anything: true } });
    expect(readAgentReport(text)).toEqual({ kind: 'valid', report: { summary: 'Did it.', changes: ['a.ts: x'], tests: ['a.test.ts'], notes: 'careful' } });
  });

  it('fills in what is optional', () => {
    expect(readAgentReport('\uFEFF{"summary":"Did it."}')).toEqual({ kind: 'valid', report: { summary: 'Did it.', changes: [], tests: [], notes: null } });
    expect(readAgentReport('{"summary":"x","changes":null,"notes":null}')).toMatchObject({ kind: 'valid', report: { changes: [], notes: null } });
  });

  it('accepts its own example', () => {
    const reading = readAgentReport(REPORT_EXAMPLE);
    expect(reading.kind).toBe('valid');
    expect(REPORT_EXAMPLE).toContain('"summary"');
  });

  it('refuses text that is not a JSON object', () => {
    expect(readAgentReport('')).toEqual({ kind: 'invalid', errors: ['report: the file is empty; write a JSON object'] });
    const broken = readAgentReport('{"summary": "x",}');
    expect(broken.kind === 'invalid' && broken.errors[0]).toMatch(/^report: not valid JSON \(/);
    expect(readAgentReport('["x"]')).toEqual({ kind: 'invalid', errors: ['report: must be a JSON object, not a list'] });
    expect(readAgentReport('null')).toEqual({ kind: 'invalid', errors: ['report: must be a JSON object, not null'] });
    expect(readAgentReport('"done"')).toEqual({ kind: 'invalid', errors: ['report: must be a JSON object, not a string'] });
  });

  it('names every bad field at once', () => {
    const text = JSON.stringify({ summary: 5, changes: 'a.ts', tests: ['ok', 3, {}], notes: ['x'] });
    expect(readAgentReport(text)).toEqual({
      kind: 'invalid',
      errors: [
        'summary: must be a string, not a number',
        'changes: must be a list of strings, not a string',
        'tests[1]: must be a string, not a number',
        'tests[2]: must be a string, not an object',
        'notes: must be a string, not a list',
      ],
    });
  });

  it('requires a summary that says something and is not too long', () => {
    expect(readAgentReport('{}')).toEqual({ kind: 'invalid', errors: ['summary: missing; say in a sentence or two what was done'] });
    expect(readAgentReport('{"summary":"   "}')).toEqual({ kind: 'invalid', errors: ['summary: is empty; say in a sentence or two what was done'] });
    expect(readAgentReport(JSON.stringify({ summary: 'x'.repeat(2000) })).kind).toBe('valid');
    expect(readAgentReport(JSON.stringify({ summary: 'x'.repeat(2001) }))).toEqual({
      kind: 'invalid',
      errors: ['summary: is 2001 characters, over the limit of 2000'],
    });
  });
});
