import { describe, expect, it } from 'vitest';
import { MAX_RESOURCE_NAME_LENGTH, RESOURCE_MODES, formatResource, normaliseFilePath, parseResource } from './resource.js';

describe('parseResource', () => {
  it('reads MODE:KIND:NAME, keeping colons and spaces inside NAME', () => {
    expect(parseResource('modifies:endpoint:POST /api/login')).toEqual({ mode: 'modifies', kind: 'endpoint', name: 'POST /api/login' });
    expect(parseResource('reads:config:db:url')).toEqual({ mode: 'reads', kind: 'config', name: 'db:url' });
    expect(parseResource('adds:table:user sessions')).toEqual({ mode: 'adds', kind: 'table', name: 'user sessions' });
  });

  it('accepts every mode and lower-cases MODE and KIND but not NAME', () => {
    for (const mode of RESOURCE_MODES) expect(parseResource(`${mode}:module:Auth`).mode).toBe(mode);
    expect(parseResource(' MODIFIES : Symbol : AuthService.login ')).toEqual({
      mode: 'modifies',
      kind: 'symbol',
      name: 'AuthService.login',
    });
  });

  it("takes the article's aliases: touch means touches, depends means reads", () => {
    expect(parseResource('touch:file:README.md').mode).toBe('touches');
    expect(parseResource('depends:module:auth').mode).toBe('reads');
    expect(parseResource('Depends:module:auth').mode).toBe('reads');
  });

  describe('endpoint names', () => {
    it.each([
      ['post /api/login', 'POST /api/login'],
      ['GET /api/users/', 'GET /api/users'],
      ['delete /api/users/{id}', 'DELETE /api/users/:id'],
      ['PUT /api/users/{userId}/posts/{postId}/', 'PUT /api/users/:userId/posts/:postId'],
      ['patch   /api/items//', 'PATCH /api/items'],
      ['/api/health', '* /api/health'],
      ['* /api/any', '* /api/any'],
      ['GET /', 'GET /'],
      ['options ///', 'OPTIONS /'],
      ['GET /users/<user_id>', 'GET /users/:user_id'],
      ['GET /users/<int:user_id>/posts/<slug>', 'GET /users/:user_id/posts/:slug'],
      ['get /api//users///{id}', 'GET /api/users/:id'],
      ['* /api/users/*', '* /api/users/*'],
      ['/api/**', '* /api/**'],
    ])('normalises %j to %j', (name, expected) => {
      expect(parseResource(`modifies:endpoint:${name}`).name).toBe(expected);
    });

    it.each(['FETCH /api/x', 'POST api/login', 'POST /a /b', 'POST'])('refuses %j with a hint to quote it', (name) => {
      expect(() => parseResource(`modifies:endpoint:${name}`)).toThrow(
        expect.objectContaining({
          code: 'INVALID_INPUT',
          field: '--resource',
          message: expect.stringContaining("is not an endpoint; use 'MODE:endpoint:METHOD /path'"),
        }),
      );
    });
  });

  it('normalises file names to repository-relative forward-slash paths', () => {
    expect(parseResource('modifies:file:./src//auth\\login.ts').name).toBe('src/auth/login.ts');
    expect(parseResource('reads:file:src/auth/**').name).toBe('src/auth/**');
  });

  it('keeps file globs and a trailing / that marks a directory', () => {
    expect(parseResource('modifies:file:src/*/login.?s').name).toBe('src/*/login.?s');
    expect(parseResource('modifies:file:./src/auth/').name).toBe('src/auth/');
    expect(parseResource('modifies:file:**').name).toBe('**');
  });

  it.each(['/etc/passwd', '../outside.ts', 'src/../../x.ts', 'C:\\work\\a.ts'])('refuses the file %j outside the repository', (path) => {
    expect(() => parseResource(`modifies:file:${path}`)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: '--resource', message: expect.stringContaining('must name a path inside the repository') }),
    );
  });

  it('refuses a file name that normalises to nothing', () => {
    expect(() => parseResource('modifies:file:./')).toThrow(expect.objectContaining({ message: expect.stringContaining('has an empty NAME') }));
  });

  it('leaves names of other kinds as typed', () => {
    expect(parseResource('modifies:table:Users/').name).toBe('Users/');
  });

  it.each([
    ['modifies', "is not MODE:KIND:NAME"],
    ['modifies:file', "is not MODE:KIND:NAME"],
    ['writes:file:a.ts', "unknown mode 'writes'"],
    [':file:a.ts', "unknown mode ''"],
    ['modifies:Two Words:a', "'two words' in 'modifies:Two Words:a' is not a resource kind"],
    ['modifies:9file:a', 'is not a resource kind'],
    ['modifies::a', 'is not a resource kind'],
    ['modifies:file:', 'has an empty NAME'],
    ['modifies:file:   ', 'has an empty NAME'],
    [`modifies:file:${'a'.repeat(MAX_RESOURCE_NAME_LENGTH + 1)}`, `longer than ${MAX_RESOURCE_NAME_LENGTH} characters`],
  ])('refuses %j (%s), naming the field', (input, reason) => {
    expect(() => parseResource(input, '--resource')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: '--resource', message: expect.stringContaining(reason) }),
    );
  });

  it('reports the field it was given', () => {
    expect(() => parseResource('nope', '--touches')).toThrow(
      expect.objectContaining({ field: '--touches', message: expect.stringMatching(/^--touches: /) }),
    );
  });

  it('accepts a name of exactly the maximum length', () => {
    expect(parseResource(`reads:module:${'m'.repeat(MAX_RESOURCE_NAME_LENGTH)}`).name).toHaveLength(MAX_RESOURCE_NAME_LENGTH);
  });
});

describe('formatResource', () => {
  it('prints the normalised form, which parses back to the same resource', () => {
    for (const input of ['Modifies:Endpoint:post /api/users/{id}/', 'touch:file:./a//b.ts', 'depends:config:db:url']) {
      const resource = parseResource(input);
      expect(parseResource(formatResource(resource))).toEqual(resource);
    }
    expect(formatResource(parseResource('Modifies:Endpoint:post /api/users/{id}/'))).toBe('modifies:endpoint:POST /api/users/:id');
  });
});

describe('normaliseFilePath', () => {
  it('drops leading ./ segments and doubled slashes and turns backslashes around', () => {
    expect(normaliseFilePath('././src\\\\a.ts')).toBe('src/a.ts');
    expect(normaliseFilePath('src//lib///x.ts')).toBe('src/lib/x.ts');
    expect(normaliseFilePath('src/./a.ts')).toBe('src/./a.ts');
  });
});
