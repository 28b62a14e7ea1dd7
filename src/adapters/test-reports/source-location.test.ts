import { describe, expect, it } from 'vitest';
import { firstRepositoryFrame, isRepositoryFile, repositoryLocation, repositoryPath } from './source-location.js';

describe('repositoryPath', () => {
  it('makes paths under the root relative and file URLs paths', () => {
    expect(repositoryPath('/repo/src/a.ts', '/repo')).toBe('src/a.ts');
    expect(repositoryPath('/repo/src/a.ts', '/repo/')).toBe('src/a.ts');
    expect(repositoryPath('file:///repo/my%20dir/a.ts', '/repo')).toBe('my dir/a.ts');
    expect(repositoryPath('/repository/a.ts', '/repo')).toBe('/repository/a.ts');
    expect(repositoryPath('src/a.ts', undefined)).toBe('src/a.ts');
    expect(repositoryLocation('/repo/test/a.test.js:7:5', '/repo')).toBe('test/a.test.js:7:5');
  });
});

describe('isRepositoryFile', () => {
  it('leaves out dependencies, the runtime and paths outside the root', () => {
    expect(isRepositoryFile('/repo/node_modules/x/index.js', '/repo')).toBe(false);
    expect(isRepositoryFile('node:internal/test_runner/test', undefined)).toBe(false);
    expect(isRepositoryFile('/usr/lib/python3/site-packages/_pytest/x.py', undefined)).toBe(false);
    expect(isRepositoryFile('/elsewhere/a.js', '/repo')).toBe(false);
    expect(isRepositoryFile('/repo/src/a.js', '/repo')).toBe(true);
    expect(isRepositoryFile('src/a.js', '/repo')).toBe(true);
  });
});

describe('firstRepositoryFrame', () => {
  it('skips frames of dependencies and the runtime', () => {
    const stack = [
      'Error: boom',
      '    at Object.<anonymous> (/repo/node_modules/lib/index.js:3:9)',
      '    at Test.run (node:internal/test_runner/test:796:25)',
      '    at total (file:///repo/src/cart.js:4:11)',
      '    at TestContext.<anonymous> (file:///repo/test/cart.test.js:8:14)',
    ].join('\n');
    expect(firstRepositoryFrame(stack, '/repo')).toBe('src/cart.js:4:11');
  });

  it('knows the pointers vitest and pytest print, and ignores addresses that are not frames', () => {
    expect(firstRepositoryFrame('server at http://127.0.0.1:8080\n ❯ test/cart.test.js:7:58', undefined)).toBe('test/cart.test.js:7:58');
    expect(firstRepositoryFrame('E   assert 1 == 2\n\ntests/test_cart.py:11: AssertionError', undefined)).toBe('tests/test_cart.py:11');
    expect(firstRepositoryFrame('see config.json:12 for details', undefined)).toBeNull();
    expect(firstRepositoryFrame('TestContext.<anonymous> (file:///repo/a.js:1:2)', '/repo', { anyLine: true })).toBe('a.js:1:2');
  });
});
