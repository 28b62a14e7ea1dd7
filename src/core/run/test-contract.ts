import type { Task } from '../task.js';
import type { ChangedFile } from './changed-file.js';
import { globMatcher } from './path-glob.js';

/*
 * The tests that exist when a task starts are its contract: they say what "done" means, and an
 * attempt that rewrites them can pass without doing the work. So an attempt may add tests but
 * not modify, rename, delete or empty an existing one, nor the files the tests stand on
 * (fixtures, snapshots, helpers), unless the task declares the file or the config allows it.
 */

/**
 * What the tests stand on, whatever `scope.testFiles` says: test modules named so, folders of
 * tests at any depth, snapshots, fixtures, mocks, Go's testdata, and pytest's conftest.py.
 */
export const TEST_SUPPORT_GLOBS: readonly string[] = [
  // Rust's `#[cfg(test)] mod tests;` and Django's test module.
  '**/tests.rs',
  '**/tests.py',
  '**/test/**',
  '**/tests/**',
  '**/spec/**',
  '**/__tests__/**',
  '**/__snapshots__/**',
  '**/*.snap',
  '**/__fixtures__/**',
  '**/__mocks__/**',
  '**/testdata/**',
  '**/conftest.py',
  '**/setupTests.*',
];

/**
 * Files that change how the existing tests run by merely being there, so adding one counts
 * too: pytest loads every conftest.py on the way to a test, Jest uses a `__mocks__` folder
 * beside node_modules for every test, Create React App loads `src/setupTests.*`.
 */
export const TEST_HOOK_GLOBS: readonly string[] = ['**/conftest.py', '__mocks__/**', '**/setupTests.*'];

/** Resource modes that declare a change; `reads` does not make a test the task's to edit. */
const CHANGING_MODES = new Set(['adds', 'modifies', 'removes', 'touches']);

/** Whether a path is a test or something tests stand on: `testFiles` (the config's globs) plus TEST_SUPPORT_GLOBS. */
export function testContractMatcher(testFiles: readonly string[]): (path: string) => boolean {
  return globMatcher([...testFiles, ...TEST_SUPPORT_GLOBS]);
}

/**
 * The existing tests a task may change: the paths (or globs) of its file resources that declare a
 * change, the file of a `test` resource named `<file>::<test>` or `<file> > <test>` (a pytest
 * node id, a Vitest or Jest title path), and the config's `scope.editableTests`. Other resource
 * kinds are ignored.
 */
export function editableTestPaths(task: Pick<Task, 'resources'>, configEditable: readonly string[]): string[] {
  const declared = task.resources.flatMap((resource) => {
    if (!CHANGING_MODES.has(resource.mode)) return [];
    if (resource.kind === 'file') return [resource.name];
    if (resource.kind === 'test') return testResourceFile(resource.name);
    return [];
  });
  return [...new Set([...declared, ...configEditable])];
}

/**
 * The inline tests (inline-tests.ts) a task may change: the names its `test` resources that
 * declare a change give (`src/lib.rs::tests::totals_items`), and the config's
 * `scope.editableTests` globs. Unlike a test file, a source file the task declares does not
 * make the tests inside it the task's to change.
 */
export function editableInlineTests(task: Pick<Task, 'resources'>, configEditable: readonly string[]): string[] {
  const named = task.resources.filter((resource) => resource.kind === 'test' && CHANGING_MODES.has(resource.mode)).map((resource) => resource.name.trim());
  return [...new Set([...named, ...configEditable])];
}

/** `tests/test_cart.py::test_total` → `tests/test_cart.py`; a name without a file part gives none. */
function testResourceFile(name: string): string[] {
  const file = name.split(/::| > /)[0]?.trim() ?? '';
  return file !== name.trim() && /^[^\s/][^\s]*\.[A-Za-z0-9]+$/.test(file) && !file.split('/').includes('..') ? [file] : [];
}

/** What an attempt did to the tests that were there before it. */
export interface TestContractBreaches {
  /** Tests deleted, emptied, or renamed to where they are no longer tests. */
  lost: string[];
  /** Tests modified or renamed, and hooks added, with what happened to each. */
  edited: { path: string; how: string }[];
}

/**
 * The test contract applied to `changes`, which should be what the task changed since it started
 * (since its fork commit): a test file an earlier attempt added is the task's own and stays
 * editable. `editable` lists what the task may change (editableTestPaths).
 */
export function testContractBreaches(changes: readonly ChangedFile[], testFiles: readonly string[], editable: readonly string[]): TestContractBreaches {
  const isTest = testContractMatcher(testFiles);
  const isHook = globMatcher(TEST_HOOK_GLOBS);
  const mayChange = globMatcher(editable);
  const breaches: TestContractBreaches = { lost: [], edited: [] };
  for (const change of changes) {
    const before = change.change === 'renamed' ? change.fromPath : change.change === 'added' ? null : change.path;
    const existed = before !== null && isTest(before) && !mayChange(before);
    const gone = change.change === 'deleted' || change.emptied || (change.change === 'renamed' && !isTest(change.path));
    if (existed && gone) breaches.lost.push(before);
    else if (existed) breaches.edited.push({ path: before, how: change.change === 'renamed' ? `renamed to ${change.path}` : 'modified' });
    if (change.change !== 'deleted' && before !== change.path && isHook(change.path) && !mayChange(change.path)) {
      breaches.edited.push({ path: change.path, how: 'added: it changes how the existing tests run' });
    }
  }
  return breaches;
}
