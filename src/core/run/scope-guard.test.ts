import { describe, expect, it } from 'vitest';
import { parseLink } from '../link.js';
import { parseResource } from '../resource.js';
import type { ChangedFile } from './changed-file.js';
import { DEFAULT_TEST_FILE_GLOBS } from './project-config.js';
import { allowedPaths, scopeViolations, type ScopeRules } from './scope-guard.js';

const modified = (path: string): ChangedFile => ({ path, change: 'modified', fromPath: null, emptied: false });
const added = (path: string): ChangedFile => ({ path, change: 'added', fromPath: null, emptied: false });
const deleted = (path: string): ChangedFile => ({ path, change: 'deleted', fromPath: null, emptied: false });
const emptied = (path: string): ChangedFile => ({ path, change: 'modified', fromPath: null, emptied: true });
const renamed = (fromPath: string, path: string): ChangedFile => ({ path, change: 'renamed', fromPath, emptied: false });

const RULES: ScopeRules = { allowed: [], protected: [], testFiles: DEFAULT_TEST_FILE_GLOBS, checkFiles: [] };

describe('allowedPaths', () => {
  it('takes file resources of every mode and file links, then the config allow list', () => {
    const task = {
      resources: ['modifies:file:src/auth/', 'reads:file:src/config.ts', 'adds:file:src/**/*.sql', 'modifies:endpoint:POST /login'].map((r) => parseResource(r)),
      links: ['src/auth/login.ts:10-20', 'https://example.com/spec', 'docs/auth.md'].map((l) => parseLink(l)),
    };
    expect(allowedPaths(task, ['package-lock.json', 'src/config.ts'])).toEqual([
      'src/auth/',
      'src/config.ts',
      'src/**/*.sql',
      'src/auth/login.ts',
      'docs/auth.md',
      'package-lock.json',
    ]);
  });

  it('ignores resources of other kinds, a test resource among them', () => {
    const task = { resources: ['removes:test:cart > adds items', 'modifies:file:src/cart.ts'].map((r) => parseResource(r)), links: [] };
    expect(allowedPaths(task, [])).toEqual(['src/cart.ts']);
  });

  it('is empty when the task declares no files, whatever the config allows', () => {
    const task = { resources: [parseResource('modifies:endpoint:POST /login')], links: [parseLink('https://example.com')] };
    expect(allowedPaths(task, ['package-lock.json'])).toEqual([]);
  });
});

describe('scopeViolations', () => {
  it('finds nothing wrong with changes inside the declared paths', () => {
    const rules = { ...RULES, allowed: ['src/auth', 'docs/*.md'] };
    expect(scopeViolations([modified('src/auth/login.ts'), added('src/auth/deep/x.ts'), modified('docs/auth.md')], rules)).toEqual([]);
  });

  it('lets anything change when no scope is declared', () => {
    expect(scopeViolations([modified('anything/at/all.ts'), deleted('README.md')], RULES)).toEqual([]);
  });

  it('names the paths outside the scope, both sides of a rename included', () => {
    const rules = { ...RULES, allowed: ['src/auth/**'] };
    const [failure, ...rest] = scopeViolations([modified('src/auth/a.ts'), modified('src/billing.ts'), renamed('src/auth/old.ts', 'lib/new.ts'), renamed('lib/x.ts', 'src/auth/x.ts')], rules);
    expect(rest).toEqual([]);
    expect(failure).toMatchObject({ checkId: 'scope:outside', kind: 'scope' });
    expect(failure?.summary).toBe("the attempt changed 3 files outside the task's scope: src/billing.ts, lib/new.ts, lib/x.ts");
    expect(failure?.detail.split('\n')).toEqual(['src/billing.ts', 'lib/new.ts', 'lib/x.ts', '', 'Allowed paths: src/auth/**']);
  });

  it('shows five paths in the summary and every one in the detail', () => {
    const paths = Array.from({ length: 8 }, (_, index) => `lib/f${index}.ts`);
    const [failure] = scopeViolations(paths.map(modified), { ...RULES, allowed: ['src'] });
    expect(failure?.summary).toBe("the attempt changed 8 files outside the task's scope: lib/f0.ts, lib/f1.ts, lib/f2.ts, lib/f3.ts, lib/f4.ts and 3 more");
    for (const path of paths) expect(failure?.detail).toContain(path);
  });

  it('reports a change to a protected path, whatever the scope', () => {
    const failures = scopeViolations([modified('src/a.ts'), deleted('migrations/001.sql'), renamed('migrations/002.sql', 'src/002.sql')], { ...RULES, protected: ['migrations/'] });
    expect(failures.map((failure) => failure.checkId)).toEqual(['scope:protected']);
    expect(failures[0]?.summary).toBe('the attempt changed 2 protected files: migrations/001.sql, migrations/002.sql');
  });

  it('reports a test file deleted, emptied or renamed away from the tests', () => {
    const failures = scopeViolations(
      [deleted('src/a.test.ts'), emptied('test/b.ts'), renamed('tests/c.py', 'scripts/c.py'), deleted('src/util.ts'), emptied('src/other.ts')],
      RULES,
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ checkId: 'scope:test-deleted', kind: 'scope' });
    expect(failures[0]?.summary).toBe('the attempt deleted or emptied 3 test files: src/a.test.ts, test/b.ts, tests/c.py');
  });

  it('lets new tests be added, and reports existing ones modified or moved, saying what happened to each', () => {
    expect(scopeViolations([added('src/new.test.ts'), added('test/fixtures/new.json'), added('src/__snapshots__/new.test.ts.snap')], RULES)).toEqual([]);
    const [failure, ...rest] = scopeViolations([modified('test/cart.test.js'), renamed('test/old.ts', 'test/new.ts'), modified('src/__snapshots__/cart.test.ts.snap')], RULES);
    expect(rest).toEqual([]);
    expect(failure).toMatchObject({ checkId: 'scope:test-edited', kind: 'scope' });
    expect(failure?.summary).toBe('the attempt changed 3 existing test files: test/cart.test.js, test/old.ts, src/__snapshots__/cart.test.ts.snap');
    expect(failure?.detail.split('\n')).toEqual([
      'test/cart.test.js (modified)',
      'test/old.ts (renamed to test/new.ts)',
      'src/__snapshots__/cart.test.ts.snap (modified)',
      '',
      "Existing tests are the task's contract: add new tests, do not edit, rename or remove existing ones (declare modifies:file:<path> on the task to allow it; for a test inside a source file, modifies:test:<path>::<module>::<test>).",
    ]);
  });

  it('lets a task change the tests it declares, and the config the tests it lists', () => {
    const changes = [modified('test/cart.test.js'), deleted('test/old.test.js'), modified('test/helpers/db.ts')];
    expect(scopeViolations(changes, { ...RULES, editableTests: ['test/cart.test.js', 'test/old.test.js', 'test/helpers/**'] })).toEqual([]);
    expect(scopeViolations(changes, { ...RULES, editableTests: ['test/cart.test.js'] }).map((failure) => failure.checkId)).toEqual(['scope:test-deleted', 'scope:test-edited']);
  });

  it('judges the tests by what the task changed since it started: its own new tests stay its to change', () => {
    // The attempt changes a test an earlier attempt added (a checkpoint holds it): since the fork it is new.
    expect(scopeViolations([modified('test/new.test.ts')], RULES, { taskChanges: [added('test/new.test.ts')] })).toEqual([]);
    expect(scopeViolations([modified('src/a.ts')], RULES, { taskChanges: [modified('test/a.test.ts')] }).map((failure) => failure.checkId)).toEqual(['scope:test-edited']);
  });

  it('merges the edits to check definitions into one failure, each with what changed', () => {
    const definitionEdits = [
      { path: 'package.json', reason: 'package.json script "test" changed from `vitest run` to `echo ok`' },
      { path: 'baton.config.json', reason: 'baton.config.json was changed (the baton config)' },
    ];
    const [failure, ...rest] = scopeViolations([modified('package.json'), modified('baton.config.json')], RULES, { definitionEdits });
    expect(rest).toEqual([]);
    expect(failure?.summary).toBe("the attempt changed 2 files that define baton's checks: baton.config.json, package.json");
    expect(failure?.detail.split('\n')).toEqual([
      'package.json script "test" changed from `vitest run` to `echo ok`',
      'baton.config.json was changed (the baton config)',
      '',
      "The files that define the checks, and the baton config, are not the attempt's to change.",
    ]);
  });

  it('reports a change to a check file or to the baton config', () => {
    const rules = { ...RULES, checkFiles: ['vitest.config.ts', 'scripts/check.sh'] };
    const [failure, ...rest] = scopeViolations([modified('vitest.config.ts'), modified('src/a.ts'), deleted('baton.config.json')], rules);
    expect(rest).toEqual([]);
    expect(failure?.checkId).toBe('scope:check-edited');
    expect(failure?.summary).toBe("the attempt changed 2 files that define baton's checks: vitest.config.ts, baton.config.json");
    expect(scopeViolations([modified('baton.config.json')], RULES)[0]?.summary).toBe("the attempt changed a file that defines baton's checks: baton.config.json");
  });

  it("never counts baton's own files", () => {
    const rules = { ...RULES, allowed: ['src'], protected: ['**/*.json'] };
    expect(scopeViolations([added('.baton/report.json'), modified('.baton/evidence/x.log'), deleted('.baton/test/a.test.ts')], rules)).toEqual([]);
  });

  it('reports each broken rule once, in a fixed order', () => {
    const rules: ScopeRules = { allowed: ['src'], protected: ['secrets/**'], testFiles: ['**/*.test.ts'], checkFiles: ['vitest.config.ts'] };
    const failures = scopeViolations([modified('vitest.config.ts'), deleted('src/a.test.ts'), modified('src/b.test.ts'), modified('secrets/key.pem')], rules);
    expect(failures.map((failure) => failure.checkId)).toEqual(['scope:outside', 'scope:protected', 'scope:test-deleted', 'scope:test-edited', 'scope:check-edited']);
    expect(failures[0]?.summary).toContain('vitest.config.ts, secrets/key.pem');
  });
});
