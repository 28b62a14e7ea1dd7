import { describe, expect, it } from 'vitest';
import { resourceNamesMatch } from '../resource-match.js';
import { globMatcher, pathMatchesGlob } from './path-glob.js';

describe('path globs', () => {
  it('matches * within one segment and ** across segments', () => {
    expect(pathMatchesGlob('src/*.ts', 'src/app.ts')).toBe(true);
    expect(pathMatchesGlob('src/*.ts', 'src/auth/login.ts')).toBe(false);
    expect(pathMatchesGlob('src/**/*.ts', 'src/auth/deep/login.ts')).toBe(true);
    expect(pathMatchesGlob('src/**/*.ts', 'src/app.ts')).toBe(true);
    expect(pathMatchesGlob('**/*.md', 'README.md')).toBe(true);
    expect(pathMatchesGlob('*.md', 'docs/guide.md')).toBe(false);
    expect(pathMatchesGlob('src/?.ts', 'src/a.ts')).toBe(true);
    expect(pathMatchesGlob('src/?.ts', 'src/ab.ts')).toBe(false);
  });

  it('lets a name cover everything below it', () => {
    for (const glob of ['src/auth', 'src/auth/', 'src/auth/**', './src/auth']) {
      expect(pathMatchesGlob(glob, 'src/auth/login.ts')).toBe(true);
    }
    expect(pathMatchesGlob('src/auth', 'src/authz.ts')).toBe(false);
    expect(pathMatchesGlob('src/*', 'src/auth/login.ts')).toBe(true);
  });

  it('treats a changed path as a file, unlike the overlap of resource names', () => {
    // The reason this module exists: overlap says yes, a file inside the glob says no.
    expect(resourceNamesMatch('file', '**/*.test.*', 'src/app.ts')).toBe(true);
    expect(pathMatchesGlob('**/*.test.*', 'src/app.ts')).toBe(false);
    expect(pathMatchesGlob('**/*.test.*', 'src/app.test.ts')).toBe(true);
    expect(pathMatchesGlob('src/auth/login.ts', 'src')).toBe(false);
  });

  it('takes regular-expression characters literally', () => {
    expect(pathMatchesGlob('a+b(c).ts', 'a+b(c).ts')).toBe(true);
    expect(pathMatchesGlob('a.ts', 'abts')).toBe(false);
    expect(pathMatchesGlob('[x].ts', 'x.ts')).toBe(false);
  });

  it('matches against any glob of a list, and nothing against an empty one', () => {
    const isTest = globMatcher(['test/**', '**/*.spec.*']);
    expect(isTest('test/unit/a.ts')).toBe(true);
    expect(isTest('lib/a.spec.js')).toBe(true);
    expect(isTest('lib/a.js')).toBe(false);
    expect(globMatcher([])('anything')).toBe(false);
  });
});
