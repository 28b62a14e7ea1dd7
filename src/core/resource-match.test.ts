import { describe, expect, it } from 'vitest';
import { parseResource } from './resource.js';
import { compareSpecificity, isResourcePattern, narrowerName, resourceNamesMatch, ResourceIndex } from './resource-match.js';

/** The normalised name, as tasks store it. */
const name = (kind: string, text: string): string => parseResource(`reads:${kind}:${text}`).name;
const match = (kind: string, a: string, b: string): boolean => resourceNamesMatch(kind, name(kind, a), name(kind, b));

describe('resourceNamesMatch: files', () => {
  it.each([
    ['src/auth/login.ts', 'src/auth/login.ts'],
    ['./src//auth/login.ts', 'src\\auth\\login.ts'],
    ['src/auth/**', 'src/auth/login.ts'],
    ['src/auth/**', 'src/auth/deep/er/x.ts'],
    ['src/auth/', 'src/auth/login.ts'],
    ['src/auth', 'src/auth/login.ts'],
    ['src/auth/', 'src/auth'],
    ['src/*/login.ts', 'src/auth/login.ts'],
    ['src/auth/*.ts', 'src/auth/login.ts'],
    ['src/auth/log?n.ts', 'src/auth/login.ts'],
    ['src/**/login.ts', 'src/login.ts'],
    ['src/**/login.ts', 'src/a/b/login.ts'],
    ['**/login.ts', 'login.ts'],
    ['**', 'anything/at/all.md'],
    ['*', 'README.md'],
    ['src/*', 'src/auth/login.ts'],
    ['src/auth/*.ts', 'src/*/login.ts'],
    ['src/**', '**/login.ts'],
    ['src/a?c/**', 'src/*/x.ts'],
  ])('%j overlaps %j, both ways', (a, b) => {
    expect(match('file', a, b)).toBe(true);
    expect(match('file', b, a)).toBe(true);
  });

  it.each([
    ['src/auth/login.ts', 'src/auth/logout.ts'],
    ['src/auth', 'src/authz/login.ts'],
    ['src/auth/', 'src/authz.ts'],
    ['src/auth/*.ts', 'src/auth/deep/login.ts'],
    ['src/auth/*.ts', 'src/auth/login.py'],
    ['src/auth/log?n.ts', 'src/auth/log/n.ts'],
    ['src/*/login.ts', 'lib/auth/login.ts'],
    ['src/auth/*.ts', 'lib/**'],
    ['*.md', 'docs/README.md'],
    ['src/a/*.ts', 'src/b/*.ts'],
  ])('%j does not overlap %j, either way', (a, b) => {
    expect(match('file', a, b)).toBe(false);
    expect(match('file', b, a)).toBe(false);
  });

  it('a file contains what is below it, so a path covers its own subtree but not its parent\'s other files', () => {
    expect(match('file', 'src/auth/login.ts', 'src/auth')).toBe(true);
    expect(match('file', 'src/auth/login.ts', 'src/session.ts')).toBe(false);
  });

  it('a glob that matches nothing on disk is still a valid name and overlaps only names it covers', () => {
    expect(match('file', 'src/not-yet/**', 'src/not-yet/new.ts')).toBe(true);
    expect(match('file', 'src/not-yet/**', 'src/other.ts')).toBe(false);
  });
});

describe('resourceNamesMatch agrees with a brute-force search', () => {
  // Small patterns over a tiny alphabet: two names overlap exactly when some short string
  // matches both, each read as a regular expression (files also cover what is below them).
  const toRegExp = (kind: string, pattern: string): RegExp => {
    let source = '';
    for (let index = 0; index < pattern.length; index++) {
      const char = pattern[index] as string;
      if (char === '*' && pattern[index + 1] === '*') {
        index++;
        if (kind === 'file' && pattern[index + 1] === '/') {
          index++;
          source += '(?:.*/)?';
        } else source += '.*';
      } else if (char === '*') source += kind === 'file' ? '[^/]*' : '.*';
      else if (char === '?') source += kind === 'file' ? '[^/]' : '.';
      else source += char === '/' ? '/' : char;
    }
    return new RegExp(`^${source}${kind === 'file' ? '(?:/.*)?' : ''}$`);
  };
  const strings: string[] = [''];
  for (let length = 1; length <= 6; length++) {
    for (const prefix of strings.filter((text) => text.length === length - 1)) for (const char of 'ab/') strings.push(prefix + char);
  }
  const atoms = ['a', 'b', '/', '*', '**', '?'];
  const patterns = new Set<string>();
  for (const x of atoms) for (const y of atoms) for (const z of ['', ...atoms]) patterns.add(x + y + z);
  const samples = [...patterns].filter((pattern) => !pattern.startsWith('/') && !pattern.includes('//') && !pattern.includes('***'));

  it.each(['file', 'module'])('for %s names', (kind) => {
    const disagreements: string[] = [];
    const outcomes = { overlap: 0, apart: 0 };
    // A trailing `/` only marks a directory, which every file name covers anyway.
    const names = kind === 'file' ? [...new Set(samples.map((pattern) => pattern.replace(/\/+$/, '')))].filter(Boolean) : samples;
    const expressions = new Map(names.map((pattern) => [pattern, toRegExp(kind, pattern)]));
    for (const [index, a] of names.entries()) {
      for (const b of names.slice(index, index + 40)) {
        const [ra, rb] = [expressions.get(a) as RegExp, expressions.get(b) as RegExp];
        const expected = strings.some((text) => ra.test(text) && rb.test(text));
        outcomes[expected ? 'overlap' : 'apart']++;
        if (resourceNamesMatch(kind, a, b) !== expected) disagreements.push(`${a} ~ ${b}: expected ${expected}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(outcomes.overlap).toBeGreaterThan(1000);
    expect(outcomes.apart).toBeGreaterThan(1000);
  });
});

describe('resourceNamesMatch: endpoints', () => {
  it.each([
    ['POST /api/login', 'post /api/login/'],
    ['GET /users/:id', 'GET /users/{userId}'],
    ['GET /users/{id}/posts/{postId}', 'get /users/:userId/posts/:pid'],
    ['GET /users/<int:user_id>', 'GET /users/:id'],
    ['/api/login', 'DELETE /api/login'],
    ['* /api/users/*', 'PUT /api/users/:id'],
    ['* /api/users/*', 'GET /api/users/me'],
    ['GET /api/**', 'GET /api/users/:id/posts'],
    ['GET /api/users/*', 'GET /api/*/:id'],
  ])('%j overlaps %j, both ways', (a, b) => {
    expect(match('endpoint', a, b)).toBe(true);
    expect(match('endpoint', b, a)).toBe(true);
  });

  it.each([
    ['POST /api/login', 'GET /api/login'],
    ['GET /users/:id', 'GET /users/me'],
    ['GET /users/:id', 'GET /users/:id/posts'],
    ['GET /api/users', 'GET /api/users/:id'],
    ['* /api/users/*', 'GET /api/users/:id/posts'],
    ['GET /api/*', 'POST /api/login'],
  ])('%j does not overlap %j, either way', (a, b) => {
    expect(match('endpoint', a, b)).toBe(false);
    expect(match('endpoint', b, a)).toBe(false);
  });
});

describe('resourceNamesMatch: other kinds', () => {
  it('compares whole names, with * for any run and ? for one character', () => {
    expect(match('table', 'users', 'users')).toBe(true);
    expect(match('table', 'users', 'Users')).toBe(false);
    expect(match('table', 'user_*', 'user_sessions')).toBe(true);
    expect(match('module', 'auth.*', 'auth.session.store')).toBe(true);
    expect(match('module', 'auth/*', 'auth/a/b')).toBe(true);
    expect(match('symbol', 'AuthService.log?n', 'AuthService.login')).toBe(true);
    expect(match('symbol', 'AuthService.log?n', 'AuthService.logxin')).toBe(false);
    expect(match('module', 'auth', 'auth/session')).toBe(false);
    expect(match('config', 'db:*', 'db:url')).toBe(true);
    expect(match('config', 'db:*', 'cache:url')).toBe(false);
    expect(match('table', '*_log', 'audit_*')).toBe(true);
  });
});

describe('isResourcePattern, compareSpecificity and narrowerName', () => {
  it('knows globs and endpoints for any method', () => {
    expect(isResourcePattern('file', 'src/**')).toBe(true);
    expect(isResourcePattern('file', 'src/a.ts')).toBe(false);
    expect(isResourcePattern('endpoint', '* /api/login')).toBe(true);
    expect(isResourcePattern('endpoint', 'POST /api/login')).toBe(false);
    expect(isResourcePattern('table', 'user?')).toBe(true);
  });

  it('prefers the plain name, the file below a directory and a method over *', () => {
    expect(narrowerName('file', 'src/**', 'src/a.ts')).toBe('src/a.ts');
    expect(narrowerName('file', 'src/a.ts', 'src/**')).toBe('src/a.ts');
    expect(narrowerName('file', 'src', 'src/a.ts')).toBe('src/a.ts');
    expect(narrowerName('file', 'src/a.ts', 'src/')).toBe('src/a.ts');
    expect(narrowerName('endpoint', '* /x', 'GET /x')).toBe('GET /x');
    expect(compareSpecificity('endpoint', 'GET /u/:id', 'GET /u/:userId')).toBe(0);
    expect(narrowerName('endpoint', 'GET /u/:id', 'GET /u/:userId')).toBe('GET /u/:id');
    expect(compareSpecificity('file', 'src/a/**', 'src/**')).toBe(0);
  });
});

describe('ResourceIndex', () => {
  const names: [string, string][] = [
    ['file', 'src/auth/login.ts'],
    ['file', 'src/auth'],
    ['file', 'src/auth/**'],
    ['file', 'src/authz.ts'],
    ['file', 'src/*/login.ts'],
    ['file', 'src/billing/invoice.ts'],
    ['file', 'docs/**/*.md'],
    ['file', 'src/auth/deep/a.ts'],
    ['endpoint', 'POST /api/login'],
    ['endpoint', '* /api/login'],
    ['endpoint', 'GET /api/login'],
    ['endpoint', 'GET /users/:id'],
    ['endpoint', 'GET /users/me'],
    ['endpoint', '* /users/*'],
    ['table', 'users'],
    ['table', 'user_*'],
    ['table', 'orders'],
  ];
  const index = new ResourceIndex<string>();
  for (const [kind, text] of names) index.add(kind, text, `${kind}:${text}`);

  it.each([
    ['file', 'src/auth/login.ts'],
    ['file', 'src/auth'],
    ['file', 'src/auth/'],
    ['file', 'src/auth/**'],
    ['file', 'src/**'],
    ['file', 'src/*.ts'],
    ['file', 'src'],
    ['file', 'docs/guide/intro.md'],
    ['file', 'lib/x.ts'],
    ['file', 'src/billing/*'],
    ['endpoint', 'POST /api/login'],
    ['endpoint', 'DELETE /api/login'],
    ['endpoint', 'GET /users/{userId}'],
    ['endpoint', '* /users/**'],
    ['endpoint', 'GET /*/me'],
    ['table', 'users'],
    ['table', 'user_sessions'],
    ['table', '*s'],
    ['module', 'users'],
  ])('finds for %s %j exactly what pairwise matching finds', (kind, probe) => {
    const expected = names.filter(([k, text]) => k === kind && resourceNamesMatch(kind, text, probe)).map(([k, text]) => `${k}:${text}`);
    expect(index.matches(kind, probe).sort()).toEqual(expected.sort());
  });

  it('answers the examples as expected', () => {
    expect(index.matches('file', 'src/auth/login.ts').sort()).toEqual(['file:src/*/login.ts', 'file:src/auth', 'file:src/auth/**', 'file:src/auth/login.ts']);
    expect(index.matches('file', 'src/auth').sort()).toEqual([
      'file:src/*/login.ts',
      'file:src/auth',
      'file:src/auth/**',
      'file:src/auth/deep/a.ts',
      'file:src/auth/login.ts',
    ]);
    expect(index.matches('endpoint', 'DELETE /api/login')).toEqual(['endpoint:* /api/login']);
    expect(index.matches('module', 'anything')).toEqual([]);
  });

  it('keeps answering after more names arrive', () => {
    const growing = new ResourceIndex<number>();
    growing.add('file', 'b/x.ts', 1);
    expect(growing.matches('file', 'b')).toEqual([1]);
    growing.add('file', 'a/y.ts', 2);
    growing.add('file', 'b/z.ts', 3);
    expect(growing.matches('file', 'b').sort()).toEqual([1, 3]);
    expect(growing.matches('file', 'a/**')).toEqual([2]);
  });
});
