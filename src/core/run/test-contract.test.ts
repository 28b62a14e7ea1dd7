import { describe, expect, it } from 'vitest';
import { parseResource } from '../resource.js';
import type { ChangedFile } from './changed-file.js';
import { DEFAULT_TEST_FILE_GLOBS } from './project-config.js';
import { editableTestPaths, testContractBreaches, testContractMatcher } from './test-contract.js';

const change = (path: string, kind: ChangedFile['change'] = 'modified', fromPath: string | null = null): ChangedFile => ({ path, change: kind, fromPath, emptied: false });
const breaches = (changes: ChangedFile[], editable: string[] = []) => testContractBreaches(changes, DEFAULT_TEST_FILE_GLOBS, editable);

describe('what the tests stand on', () => {
  it('covers test folders at any depth, snapshots, fixtures, mocks, testdata and conftest.py, besides the configured globs', () => {
    const isTest = testContractMatcher(DEFAULT_TEST_FILE_GLOBS);
    for (const path of ['packages/a/test/helpers.ts', 'spec/models/user_spec.rb', 'src/__snapshots__/x.snap', 'ui/button.snap', 'src/__fixtures__/a.json', 'pkg/testdata/in.txt', 'app/conftest.py', 'src/cart.test.ts']) {
      expect(isTest(path), path).toBe(true);
    }
    for (const path of ['src/cart.ts', 'src/testing.ts', 'docs/test-plan.md', 'contest.py']) expect(isTest(path), path).toBe(false);
  });
});

describe('testContractBreaches', () => {
  it('reports an existing conftest.py changed, and a new one added, since either changes how the tests run', () => {
    expect(breaches([change('tests/conftest.py'), change('tests/unit/conftest.py', 'added'), change('tests/test_new.py', 'added')])).toEqual({
      lost: [],
      edited: [
        { path: 'tests/conftest.py', how: 'modified' },
        { path: 'tests/unit/conftest.py', how: 'added: it changes how the existing tests run' },
      ],
    });
  });

  it('allows a declared conftest.py, added or changed', () => {
    expect(breaches([change('tests/conftest.py'), change('tests/unit/conftest.py', 'added')], ['tests/**/conftest.py'])).toEqual({ lost: [], edited: [] });
  });

  it('reports a snapshot file edited or deleted', () => {
    expect(breaches([change('src/__snapshots__/cart.test.ts.snap'), change('src/old.snap', 'deleted')])).toEqual({
      lost: ['src/old.snap'],
      edited: [{ path: 'src/__snapshots__/cart.test.ts.snap', how: 'modified' }],
    });
  });

  it('lets a renamed test stay a breach of the old path, unless that path is declared', () => {
    expect(breaches([change('test/b.test.ts', 'renamed', 'test/a.test.ts')]).edited).toEqual([{ path: 'test/a.test.ts', how: 'renamed to test/b.test.ts' }]);
    expect(breaches([change('test/b.test.ts', 'renamed', 'test/a.test.ts')], ['test/a.test.ts'])).toEqual({ lost: [], edited: [] });
  });
});

describe('editableTestPaths', () => {
  it('takes file resources that declare a change, globs included, and the config list', () => {
    const task = { resources: ['modifies:file:test/cart.test.js', 'touches:file:test/helpers/**', 'reads:file:test/api.test.js', 'modifies:endpoint:POST /cart'].map((r) => parseResource(r)) };
    expect(editableTestPaths(task, ['tests/fixtures/**'])).toEqual(['test/cart.test.js', 'test/helpers/**', 'tests/fixtures/**']);
  });

  it('takes the file of a test resource named with its file, and nothing from one named without', () => {
    const task = {
      resources: ['removes:test:tests/test_cart.py::test_total', 'removes:test:test/cart.test.js > cart > adds items', 'removes:test:adds items to the cart'].map((r) => parseResource(r)),
    };
    expect(editableTestPaths(task, [])).toEqual(['tests/test_cart.py', 'test/cart.test.js']);
  });

  it('lets a declared test be modified and keeps the others the contract', () => {
    const editable = editableTestPaths({ resources: [parseResource('modifies:file:test/cart.test.js')] }, []);
    expect(breaches([change('test/cart.test.js'), change('test/user.test.js')], editable).edited).toEqual([{ path: 'test/user.test.js', how: 'modified' }]);
  });
});
