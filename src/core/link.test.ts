import { describe, expect, it } from 'vitest';
import { formatLink, parseLink } from './link.js';

describe('parseLink', () => {
  it('reads a repository path, with an optional line or line range', () => {
    expect(parseLink('app/server/auth.py')).toEqual({ kind: 'file', path: 'app/server/auth.py' });
    expect(parseLink('app/auth.py:12')).toEqual({ kind: 'file', path: 'app/auth.py', startLine: 12 });
    expect(parseLink('app/auth.py:12-30')).toEqual({ kind: 'file', path: 'app/auth.py', startLine: 12, endLine: 30 });
    expect(parseLink('app/auth.py:12-12')).toEqual({ kind: 'file', path: 'app/auth.py', startLine: 12, endLine: 12 });
  });

  it('normalises the path like a file resource', () => {
    expect(parseLink(' ./app//auth.py ')).toEqual({ kind: 'file', path: 'app/auth.py' });
    expect(parseLink('app\\auth.py:3')).toEqual({ kind: 'file', path: 'app/auth.py', startLine: 3 });
  });

  it('reads a URL of any scheme and normalises it', () => {
    expect(parseLink('https://github.com/org/repo/pull/123')).toEqual({ kind: 'url', url: 'https://github.com/org/repo/pull/123' });
    expect(parseLink('HTTPS://Example.com')).toEqual({ kind: 'url', url: 'https://example.com/' });
    expect(parseLink('ssh://git@host/repo.git').kind).toBe('url');
  });

  it.each([
    ['', 'a link is a path like'],
    ['   ', 'a link is a path like'],
    ['x'.repeat(1001), 'a link is a path like'],
    ['https://exa mple.com', 'is not a valid URL'],
    ['http://', 'is not a valid URL'],
    ['app/auth.py:abc', 'is not a link'],
    ['app/auth.py:1:2', 'is not a link'],
    [':12', 'is not a link'],
    ['/etc/passwd', 'must be a path inside the repository'],
    ['../other/file.ts', 'must be a path inside the repository'],
    ['app/../../x.ts', 'must be a path inside the repository'],
    ['app/auth.py:0', 'has a bad line range'],
    ['app/auth.py:30-12', 'has a bad line range'],
  ])('refuses %j (%s), naming the field', (input, reason) => {
    expect(() => parseLink(input)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: '--link', message: expect.stringContaining(reason) }),
    );
  });
});

describe('formatLink', () => {
  it.each(['app/auth.py', 'app/auth.py:12', 'app/auth.py:12-30', 'https://example.com/a?b=c'])(
    'prints %j back as it parses',
    (input) => {
      expect(formatLink(parseLink(input))).toBe(input);
    },
  );
});
