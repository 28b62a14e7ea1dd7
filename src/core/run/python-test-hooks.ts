import type { AddedLine, ChangedFile } from './changed-file.js';

/*
 * pytest runs every test file in one process and lets a test file change how all of them run:
 * a `pytest_plugins = [...]` line loads a plugin, a `def pytest_…` hook in a plugin or conftest
 * rewrites outcomes, and the folder of a test file goes first on Python's path, so a module added
 * beside the tests named like one of the project's stands in for it. conftest.py is caught by the
 * test contract's hook files; these are the ways in through new files it lets a task add.
 */

/**
 * A line that names a pytest hook or the plugin list, however it sets it: `pytest_plugins = …`,
 * `pytest_plugins: list = …`, `def pytest_…`, `pytest_runtest_makereport = wrapper`,
 * `globals()["pytest_plugins"]`. (A name built from pieces at run time is code under test
 * patching its runner, beyond what reading lines can see.)
 */
const HOOK_LINE = /\bpytest_[a-z]\w*/;

/** What the task added that changes how the existing pytest tests run, as the test contract reports it. */
export function pythonTestHooks(added: readonly AddedLine[], changes: readonly ChangedFile[], isTest: (path: string) => boolean, tracked: readonly string[]): { path: string; how: string }[] {
  const hooks = added
    .filter((line) => line.path.endsWith('.py') && isTest(line.path) && HOOK_LINE.test(line.text))
    .map((line) => ({ path: line.path, how: `loads a pytest plugin or defines a pytest hook at line ${line.line} (${line.text.trim().slice(0, 60)}): it changes how the existing tests run` }));
  const modules = new Map<string, string[]>();
  for (const path of tracked) {
    const name = moduleName(path);
    if (name !== null) modules.set(name, [...(modules.get(name) ?? []), path]);
  }
  const shadows = changes.flatMap((change) => {
    if (change.change !== 'added' || !change.path.endsWith('.py') || !isTest(change.path)) return [];
    const name = moduleName(change.path);
    const other = name === null || /^test_|_test$/.test(name) ? undefined : (modules.get(name) ?? []).find((path) => path !== change.path);
    return other === undefined ? [] : [{ path: change.path, how: `added beside the tests, where pytest puts it first on Python's path: it would stand in for ${other}` }];
  });
  return [...new Map([...hooks, ...shadows].map((edit) => [`${edit.path} ${edit.how}`, edit])).values()];
}

/** `app/calc.py` → `calc`, `app/calc/__init__.py` → `calc`; null for anything that is no Python module. */
function moduleName(path: string): string | null {
  const parts = path.split('/');
  const file = parts.at(-1) ?? '';
  if (file === '__init__.py') return parts.at(-2) ?? null;
  return file.endsWith('.py') ? file.slice(0, -3) : null;
}
