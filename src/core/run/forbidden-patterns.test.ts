import { describe, expect, it } from 'vitest';
import { BatonError } from '../errors.js';
import type { AddedLine } from './changed-file.js';
import { conflictMarkerPatterns, forbiddenPatternFailures } from './forbidden-patterns.js';
import type { ForbiddenPattern } from './project-config.js';

const NO_ONLY: ForbiddenPattern = { id: 'no-only', pattern: '\\.only\\(', paths: ['**/*.test.*'], message: 'Do not leave focused tests' };
const NO_TODO: ForbiddenPattern = { id: 'no-todo', pattern: 'TODO|FIXME', paths: [], message: 'No new TODOs' };

const line = (path: string, number: number, text: string): AddedLine => ({ path, line: number, text });

describe('forbiddenPatternFailures', () => {
  it('passes when no added line matches', () => {
    expect(forbiddenPatternFailures([line('src/a.test.ts', 3, "it('works', () => {})")], [NO_ONLY, NO_TODO])).toEqual([]);
  });

  it('reports one failure per pattern with each hit as path:line: text', () => {
    const lines = [
      line('src/a.test.ts', 3, "  it.only('works', () => {})"),
      line('src/a.ts', 7, '  // TODO: handle errors'),
      line('src/b.test.ts', 12, "describe.only('b', () => {"),
      line('src/c.ts', 1, 'const ok = 1;'),
    ];
    const failures = forbiddenPatternFailures(lines, [NO_ONLY, NO_TODO]);
    expect(failures).toEqual([
      {
        checkId: 'pattern:no-only',
        kind: 'forbidden_pattern',
        summary: 'Do not leave focused tests: 2 added lines match /\\.only\\(/ in 2 files',
        detail: "src/a.test.ts:3: it.only('works', () => {})\nsrc/b.test.ts:12: describe.only('b', () => {",
      },
      {
        checkId: 'pattern:no-todo',
        kind: 'forbidden_pattern',
        summary: 'No new TODOs: an added line matches /TODO|FIXME/ in src/a.ts',
        detail: 'src/a.ts:7: // TODO: handle errors',
      },
    ]);
  });

  it('applies a pattern only to the files its paths name', () => {
    expect(forbiddenPatternFailures([line('src/a.ts', 1, 'x.only(1)'), line('docs/a.md', 2, 'it.only')], [NO_ONLY])).toEqual([]);
  });

  it('lists twenty hits and says how many more there are', () => {
    const lines = Array.from({ length: 25 }, (_, index) => line('src/a.ts', index + 1, `// TODO ${index + 1}`));
    const [failure] = forbiddenPatternFailures(lines, [NO_TODO]);
    const detail = failure?.detail.split('\n') ?? [];
    expect(detail).toHaveLength(21);
    expect(detail[19]).toBe('src/a.ts:20: // TODO 20');
    expect(detail[20]).toBe('... and 5 more');
    expect(failure?.summary).toContain('25 added lines match');
  });

  it('clips very long lines', () => {
    const [failure] = forbiddenPatternFailures([line('dist/app.js', 1, `TODO${'x'.repeat(5000)}`)], [NO_TODO]);
    expect(failure?.detail.length).toBeLessThan(260);
    expect(failure?.detail.endsWith('...')).toBe(true);
  });

  it('treats the pattern as a regular expression without flags', () => {
    expect(forbiddenPatternFailures([line('a.ts', 1, 'todo: lower case')], [NO_TODO])).toEqual([]);
    // Without the global flag, testing many lines does not skip any (no lastIndex carried over).
    const lines = [line('a.ts', 1, 'TODO'), line('a.ts', 2, 'TODO')];
    expect(forbiddenPatternFailures(lines, [NO_TODO])[0]?.detail.split('\n')).toHaveLength(2);
  });

  it('refuses a pattern that does not compile as a config error', () => {
    const broken: ForbiddenPattern = { id: 'broken', pattern: '(', paths: [], message: 'x' };
    expect(() => forbiddenPatternFailures([line('a.ts', 1, 'x')], [broken])).toThrow(BatonError);
    expect(() => forbiddenPatternFailures([], [broken])).toThrow(/forbidden pattern 'broken'/);
  });
});

describe('conflictMarkerPatterns', () => {
  const base = 'b'.repeat(40);
  const ids = (lines: AddedLine[]): string[] => forbiddenPatternFailures(lines, conflictMarkerPatterns(['notes.txt'])).map((failure) => failure.checkId);

  it('catches every marker in the conflicted files, and the lines baton\'s merge wrote in any other', () => {
    expect(ids([line('notes.txt', 2, '<<<<<<< HEAD'), line('notes.txt', 4, '======='), line('notes.txt', 6, `>>>>>>> ${base}`)])).toEqual(['pattern:conflict-markers', 'pattern:conflict-markers-moved']);
    expect(ids([line('notes.orig', 2, '<<<<<<< HEAD')])).toEqual(['pattern:conflict-markers-moved']);
    expect(ids([line('docs/x.md', 9, `>>>>>>> ${base}:old/name.txt`)])).toEqual(['pattern:conflict-markers-moved']);
  });

  it('leaves other files\' own marker-like lines alone: a heading underline, a merge tool\'s test data', () => {
    expect(ids([line('README.rst', 2, '======='), line('test/fixture.txt', 1, '<<<<<<< ours'), line('test/fixture.txt', 3, '>>>>>>> theirs')])).toEqual([]);
  });
});
