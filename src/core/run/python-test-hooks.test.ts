import { describe, expect, it } from 'vitest';
import type { ChangedFile } from './changed-file.js';
import { pythonTestHooks } from './python-test-hooks.js';
import { testContractMatcher } from './test-contract.js';
import { DEFAULT_TEST_FILE_GLOBS } from './project-config.js';

const isTest = testContractMatcher(DEFAULT_TEST_FILE_GLOBS);
const added = (path: string): ChangedFile => ({ path, change: 'added', fromPath: null, emptied: false });

describe('pythonTestHooks', () => {
  it('reports a new test file that loads a plugin or defines a hook', () => {
    const lines = [
      { path: 'tests/test_more.py', line: 3, text: 'pytest_plugins = ["tests.helper"]' },
      { path: 'tests/helper.py', line: 5, text: 'def pytest_runtest_makereport(item, call):' },
      { path: 'src/plugin.py', line: 1, text: 'def pytest_configure(config):' },
      { path: 'tests/test_more.py', line: 9, text: 'def test_pytest_like_name():' },
      { path: 'tests/test_other.py', line: 2, text: 'pytest_plugins: list = ["tests.helper"]' },
      { path: 'tests/test_other.py', line: 4, text: 'globals()["pytest_runtest_makereport"] = flip' },
    ];
    expect(pythonTestHooks(lines, [], isTest, []).map((edit) => `${edit.path}: ${edit.how.split(':')[0]}`)).toEqual([
      'tests/test_more.py: loads a pytest plugin or defines a pytest hook at line 3 (pytest_plugins = ["tests.helper"])',
      'tests/helper.py: loads a pytest plugin or defines a pytest hook at line 5 (def pytest_runtest_makereport(item, call)',
      'tests/test_other.py: loads a pytest plugin or defines a pytest hook at line 2 (pytest_plugins',
      'tests/test_other.py: loads a pytest plugin or defines a pytest hook at line 4 (globals()["pytest_runtest_makereport"] = flip)',
    ]);
  });

  it('reports a module added beside the tests named like one of the project, not a new helper or test', () => {
    const tracked = ['calc.py', 'shop/__init__.py', 'tests/test_calc.py', 'tests/calc.py', 'tests/helpers.py', 'tests/shop.py'];
    const changes = [added('tests/calc.py'), added('tests/helpers.py'), added('tests/shop.py'), added('tests/test_calc.py')];
    expect(pythonTestHooks([], changes, isTest, tracked).map((edit) => `${edit.path} → ${edit.how.split('for ')[1]}`)).toEqual(['tests/calc.py → calc.py', 'tests/shop.py → shop/__init__.py']);
  });
});
