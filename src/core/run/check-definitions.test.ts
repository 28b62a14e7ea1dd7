import { describe, expect, it } from 'vitest';
import type { ChangedFile } from './changed-file.js';
import { checkDefinitionEdits, collectCheckDefinitions, definitionSnapshot, type ReadFiles } from './check-definitions.js';
import { DEFAULT_TEST_FILE_GLOBS } from './project-config.js';

type Tree = Record<string, string>;

/** A repository's files as text, read the way the git adapter reads a commit or the index. */
const reader = (tree: Tree): ReadFiles => async (paths) => paths.map((path) => tree[path] ?? null);

/** What an attempt changed, as git would list it: every path that differs between the trees. */
function changesBetween(base: Tree, now: Tree): ChangedFile[] {
  const paths = [...new Set([...Object.keys(base), ...Object.keys(now)])].sort();
  return paths.flatMap((path): ChangedFile[] => {
    const before = base[path];
    const after = now[path];
    if (before === after) return [];
    const change = before === undefined ? 'added' : after === undefined ? 'deleted' : 'modified';
    return [{ path, change, fromPath: null, emptied: after !== undefined && after.trim() === '' }];
  });
}

interface Case {
  checks: string[];
  base: Tree;
  /** The files the attempt changed or added; `null` deletes one. */
  changed: Record<string, string | null>;
  files?: string[];
  verify?: string[];
}

/** The reasons baton gives for the edits an attempt made to the check definitions. */
async function editsOf({ checks, base, changed, files = [], verify = [] }: Case): Promise<string[]> {
  const now: Tree = { ...base };
  for (const [path, text] of Object.entries(changed)) {
    if (text === null) delete now[path];
    else now[path] = text;
  }
  const definitions = await collectCheckDefinitions({
    checks: checks.map((run, index) => ({ id: `check-${index + 1}`, run, files })),
    verify,
    testFiles: DEFAULT_TEST_FILE_GLOBS,
    readBase: reader(base),
  });
  const edits = await checkDefinitionEdits(definitions, changesBetween(base, now), { base: reader(base), now: reader(now) });
  return edits.map((edit) => edit.reason);
}

const manifest = (scripts: Record<string, string>, rest: Record<string, unknown> = {}): string => JSON.stringify({ name: 'app', scripts, ...rest }, null, 2);

describe('package.json scripts', () => {
  const base = { 'package.json': manifest({ test: 'vitest run', build: 'tsc' }, { dependencies: { zod: '^4.0.0' } }) };

  it('reports the script a check runs, changed, with its old and new command', async () => {
    const changed = { 'package.json': manifest({ test: 'echo ok', build: 'tsc' }, { dependencies: { zod: '^4.0.0' } }) };
    expect(await editsOf({ checks: ['npm test'], base, changed })).toEqual(['package.json script "test" changed from `vitest run` to `echo ok`']);
  });

  it('lets dependencies, other scripts and other fields change', async () => {
    const changed = { 'package.json': manifest({ test: 'vitest run', build: 'tsc -b', dev: 'vite' }, { dependencies: { zod: '^4.1.0', hono: '^4.0.0' }, version: '2.0.0' }) };
    expect(await editsOf({ checks: ['npm test'], base, changed })).toEqual([]);
  });

  it('reports a pre or post script added, changed or removed', async () => {
    const withPost = { 'package.json': manifest({ test: 'vitest run', posttest: 'node check-coverage.mjs' }) };
    const changed = { 'package.json': manifest({ pretest: 'exit 0', test: 'vitest run' }) };
    expect(await editsOf({ checks: ['npm test'], base: withPost, changed })).toEqual([
      'package.json script "pretest" was added: `exit 0`',
      'package.json script "posttest" was removed (was `node check-coverage.mjs`)',
    ]);
  });

  it('follows the scripts a script runs, however it runs them, and no others', async () => {
    const scripts = {
      test: 'npm run lint && npm run unit',
      lint: 'eslint .',
      unit: 'run-s "unit:*"',
      'unit:core': 'vitest run core',
      'unit:web': 'vitest run web',
      e2e: 'playwright test',
    };
    const edit = (name: string, command: string) => ({ 'package.json': manifest({ ...scripts, [name]: command }) });
    const check = { checks: ['npm test'], base: { 'package.json': manifest(scripts) } };
    expect(await editsOf({ ...check, changed: edit('unit:web', 'true') })).toEqual(['package.json script "unit:web" changed from `vitest run web` to `true`']);
    expect(await editsOf({ ...check, changed: edit('prelint', 'exit 0') })).toEqual(['package.json script "prelint" was added: `exit 0`']);
    expect(await editsOf({ ...check, changed: edit('unit:new', 'true') })).toEqual([]);
    expect(await editsOf({ ...check, changed: edit('e2e', 'true') })).toEqual([]);
  });

  it('follows a script into another folder and its package.json', async () => {
    const base = { 'package.json': manifest({ test: 'cd web && yarn test' }), 'web/package.json': manifest({ test: 'jest' }) };
    const changed = { 'web/package.json': manifest({ test: 'jest --passWithNoTests' }) };
    expect(await editsOf({ checks: ['npm test'], base, changed })).toEqual(['web/package.json script "test" changed from `jest` to `jest --passWithNoTests`']);
  });

  it('uses the nearest package.json above, and refuses one added closer that would take over', async () => {
    const base = { 'package.json': manifest({ test: 'vitest run' }) };
    const changed = { 'src/package.json': manifest({ test: 'echo ok' }) };
    expect(await editsOf({ checks: ['cd src && npm test'], base, changed })).toEqual(['src/package.json script "test" was added: `echo ok`']);
  });

  it('checks the scripts of every workspace when a check runs them all', async () => {
    const base = { 'package.json': manifest({}), 'packages/a/package.json': manifest({ test: 'vitest run' }) };
    const changed = { 'packages/a/package.json': manifest({ test: 'true' }, { dependencies: { x: '1' } }) };
    expect(await editsOf({ checks: ['npm test --workspaces'], base, changed })).toEqual(['packages/a/package.json script "test" changed from `vitest run` to `true`']);
  });

  it('reports the test settings kept in package.json', async () => {
    const base = { 'package.json': manifest({ test: 'jest' }, { jest: { testMatch: ['**/*.test.js'] } }) };
    const changed = { 'package.json': manifest({ test: 'jest' }, { jest: { testMatch: ['nothing'] } }) };
    expect(await editsOf({ checks: ['npm test'], base, changed })).toEqual(['package.json key "jest" was changed']);
  });

  it('counts the task verify commands like the checks', async () => {
    const base = { 'package.json': manifest({ 'test:cart': 'vitest run cart' }) };
    const changed = { 'package.json': manifest({ 'test:cart': 'true' }) };
    expect(await editsOf({ checks: [], verify: ['npm run test:cart'], base, changed })).toEqual(['package.json script "test:cart" changed from `vitest run cart` to `true`']);
  });
});

describe('Makefiles', () => {
  const base = {
    Makefile: 'include mk/vars.mk\n\ntest: build\n\t@$(MAKE) -C sub check\n\tnpm run unit\n',
    'mk/vars.mk': 'FLAGS = -x\n',
    'sub/Makefile': 'check:\n\t./run-checks.sh\n',
    'sub/run-checks.sh': '#!/bin/sh\nset -e\npytest\n',
    'package.json': manifest({ unit: 'vitest run', dev: 'vite' }),
  };

  it('freezes the Makefile, what it includes, the makefiles of its sub-makes and the scripts its recipes run', async () => {
    expect(await editsOf({ checks: ['make test'], base, changed: { Makefile: 'test:\n\ttrue\n' } })).toEqual(['Makefile was changed (make reads it)']);
    expect(await editsOf({ checks: ['make test'], base, changed: { 'mk/vars.mk': 'FLAGS = -y\n' } })).toEqual(['mk/vars.mk was changed (make reads it)']);
    expect(await editsOf({ checks: ['make test'], base, changed: { 'sub/run-checks.sh': 'exit 0\n' } })).toEqual(['sub/run-checks.sh was changed (a check command names it)']);
    expect(await editsOf({ checks: ['make test'], base, changed: { 'package.json': manifest({ unit: 'true', dev: 'vite' }) } })).toEqual([
      'package.json script "unit" changed from `vitest run` to `true`',
    ]);
    expect(await editsOf({ checks: ['make test'], base, changed: { 'package.json': manifest({ unit: 'vitest run', dev: 'vite --host' }) } })).toEqual([]);
  });

  it('refuses a makefile added where make would read it first', async () => {
    expect(await editsOf({ checks: ['make test'], base, changed: { GNUmakefile: 'test:\n\ttrue\n' } })).toEqual(['GNUmakefile was added (make reads it)']);
  });
});

describe('test runner and package manager configs', () => {
  const base = {
    'package.json': manifest({ test: 'vitest run' }),
    'vitest.config.ts': "export default { test: { setupFiles: ['./vitest.setup.ts', './test/helpers/setup.ts'] } };\n",
    'vitest.setup.ts': 'globalThis.x = 1;\n',
    'src/app.ts': 'export {};\n',
  };

  it('freezes the runner config, added or changed, and the setup files it names', async () => {
    expect(await editsOf({ checks: ['npm test'], base, changed: { 'vitest.config.ts': 'export default { test: { include: [] } };\n' } })).toEqual([
      "vitest.config.ts was changed (a test runner's config)",
    ]);
    expect(await editsOf({ checks: ['npm test'], base, changed: { 'vitest.config.mts': 'export default {};\n' } })).toEqual(["vitest.config.mts was added (a test runner's config)"]);
    expect(await editsOf({ checks: ['npm test'], base, changed: { 'vitest.setup.ts': 'globalThis.it = () => {};\n' } })).toEqual(['vitest.setup.ts was changed (vitest.config.ts names it)']);
    expect(await editsOf({ checks: ['npm test'], base, changed: { 'tsconfig.json': '{}' } })).toEqual(["tsconfig.json was added (a test runner's config)"]);
  });

  it('leaves a test the config names to the test contract, and the code to the task', async () => {
    expect(await editsOf({ checks: ['npm test'], base, changed: { 'test/helpers/setup.ts': 'x', 'src/app.ts': 'export const a = 1;\n' } })).toEqual([]);
  });

  it('refuses an .npmrc or .yarnrc.yml that would change how scripts run', async () => {
    expect(await editsOf({ checks: ['npm test'], base, changed: { '.npmrc': 'script-shell=./fake-shell.sh\n' } })).toEqual([
      '.npmrc was added (it decides how the package manager runs scripts)',
    ]);
    expect(await editsOf({ checks: ['cd web && yarn test'], base: { 'web/package.json': manifest({ test: 'jest' }) }, changed: { 'web/.yarnrc.yml': 'yarnPath: ./x.cjs\n' } })).toEqual([
      'web/.yarnrc.yml was added (it decides how the package manager runs scripts)',
    ]);
  });

  it("freezes pytest's settings in pyproject.toml, setup.cfg and tox.ini, but not the dependencies beside them", async () => {
    const python = {
      'pyproject.toml': '[project]\nname = "app"\ndependencies = [\n  "requests",\n]\n\n[tool.pytest.ini_options]\naddopts = "-q"\n',
      'setup.cfg': '[metadata]\nname = app\n\n[tool:pytest]\ntestpaths = tests\n',
    };
    const edit = (changed: Record<string, string>) => editsOf({ checks: ['python -m pytest'], base: python, changed });
    expect(await edit({ 'pyproject.toml': python['pyproject.toml'].replace('"requests",', '"requests",\n  "httpx",') })).toEqual([]);
    expect(await edit({ 'pyproject.toml': python['pyproject.toml'].replace('-q', '-q -k nothing') })).toEqual(['pyproject.toml: the settings under [tool.pytest], [tool.coverage] changed']);
    expect(await edit({ 'pyproject.toml': python['pyproject.toml'].replace('[project]', '[tool]\npytest.ini_options.addopts = "-x"\n\n[project]') })).toEqual([
      'pyproject.toml: the settings under [tool.pytest], [tool.coverage] changed',
    ]);
    expect(await edit({ 'setup.cfg': python['setup.cfg'].replace('testpaths = tests', 'testpaths = nowhere') })).toEqual(['setup.cfg section [tool:pytest] was changed']);
    expect(await edit({ 'pytest.ini': '[pytest]\naddopts = -p no:python\n' })).toEqual(["pytest.ini was added (a test runner's config)"]);
    // `python -m pytest` would run a pytest.py in the folder it starts in.
    expect((await edit({ 'pytest.py': 'raise SystemExit(0)\n' }))[0]).toMatch(/^pytest\.py was added/);
    expect((await edit({ 'pytest/__init__.py': 'from os import _exit\n' }))[0]).toMatch(/^pytest\/__init__\.py was added/);
    // So would a module pytest or the standard library has, imported on the way to the tests.
    expect(await edit({ 'iniconfig.py': 'import sys\n' })).toEqual(['iniconfig.py was added (Python would import it instead of the iniconfig that pytest runs on)']);
    expect(await edit({ 'inspect.py': 'import sys\n' })).toEqual(['inspect.py was added (Python would import it instead of the inspect that pytest runs on)']);
    expect(await edit({ 'app/inspect.py': 'import sys\n', 'README.md': '# app\n', 'inspect.md': 'notes\n' })).toEqual([]);
    // A module of that name the project has already is its own to change.
    const own = { ...python, 'queue.py': 'ITEMS = []\n' };
    expect(await editsOf({ checks: ['python -m pytest'], base: own, changed: { 'queue.py': 'ITEMS = [1]\n' } })).toEqual([]);
  });

  it("counts a linter's config only where a check runs the linter", async () => {
    const base = { 'package.json': manifest({ lint: 'eslint .', test: 'vitest run' }), 'eslint.config.js': 'export default [];\n' };
    const changed = { 'eslint.config.js': 'export default [{ ignores: ["**"] }];\n' };
    expect(await editsOf({ checks: ['npm run lint'], base, changed })).toEqual(['eslint.config.js was changed (eslint reads it)']);
    expect(await editsOf({ checks: ['npm test'], base, changed })).toEqual([]);
  });

  it('freezes a Cargo.toml but for its dependencies when a check runs cargo', async () => {
    const base = { 'Cargo.toml': '[package]\nname = "app"\n\n[dependencies]\nserde = "1"\n\n[lib]\ntest = true\n' };
    expect(await editsOf({ checks: ['cargo test'], base, changed: { 'Cargo.toml': base['Cargo.toml'].replace('serde = "1"', 'serde = "1"\nrand = "0.8"') } })).toEqual([]);
    expect(await editsOf({ checks: ['cargo test'], base, changed: { 'Cargo.toml': base['Cargo.toml'].replace('test = true', 'test = false') } })).toEqual([
      'Cargo.toml changed outside its dependency tables',
    ]);
  });

  it('freezes a build script, which runs before the tests and could rewrite them, and the toolchain files, which could name another cargo', async () => {
    const base = { 'Cargo.toml': '[package]\nname = "app"\n' };
    expect(await editsOf({ checks: ['cargo test --no-fail-fast'], base, changed: { 'build.rs': 'fn main() {}\n' } })).toEqual(['build.rs was added (cargo reads it)']);
    expect(await editsOf({ checks: ['cargo test'], base, changed: { 'rust-toolchain.toml': '[toolchain]\npath = "/tmp/cargo"\n' } })).toEqual(['rust-toolchain.toml was added (cargo reads it)']);
    expect(await editsOf({ checks: ['npm test'], base, changed: { 'build.rs': 'fn main() {}\n' } })).toEqual([]);
  });
});

describe('files the config and the commands name', () => {
  it('freezes the baton config, the files a check lists, and the files and shell scripts a command runs', async () => {
    const base = {
      'baton.config.json': '{}',
      'scripts/ci.sh': 'npm run unit\n',
      'package.json': manifest({ unit: 'node --test' }),
      'fixtures.sql': 'select 1;',
    };
    const check = { checks: ['sh scripts/ci.sh'], files: ['*.sql'], base };
    expect(await editsOf({ ...check, changed: { 'baton.config.json': '{"checks":[]}' } })).toEqual(['baton.config.json was changed (the baton config)']);
    expect(await editsOf({ ...check, changed: { 'fixtures.sql': 'select 2;' } })).toEqual(['fixtures.sql was changed (the config lists it in the files of check "check-1")']);
    expect(await editsOf({ ...check, changed: { 'scripts/ci.sh': null } })).toEqual(['scripts/ci.sh was deleted (a check command names it)']);
    expect(await editsOf({ ...check, changed: { 'package.json': manifest({ unit: 'true' }) } })).toEqual(['package.json script "unit" changed from `node --test` to `true`']);
  });

  it('never freezes package.json whole because something names it', async () => {
    const base = { 'package.json': manifest({ test: 'node check.mjs package.json' }, { dependencies: {} }), 'check.mjs': '' };
    expect(await editsOf({ checks: ['npm test'], base, changed: { 'package.json': manifest({ test: 'node check.mjs package.json' }, { dependencies: { a: '1' } }) } })).toEqual([]);
  });

  it('names both sides of a renamed definition', async () => {
    const base = { 'package.json': manifest({ test: 'vitest run' }), 'vitest.config.ts': 'export default {};\n' };
    const definitions = await collectCheckDefinitions({ checks: [{ id: 'test', run: 'npm test', files: [] }], testFiles: DEFAULT_TEST_FILE_GLOBS, readBase: reader(base) });
    const renamed: ChangedFile = { path: 'src/vitest.config.ts', change: 'renamed', fromPath: 'vitest.config.ts', emptied: false };
    const edits = await checkDefinitionEdits(definitions, [renamed], { base: reader(base), now: reader({}) });
    expect(edits).toEqual([{ path: 'vitest.config.ts', reason: "vitest.config.ts was renamed to src/vitest.config.ts (a test runner's config)" }]);
    const hidden: ChangedFile = { path: 'vitest.config.mts', change: 'renamed', fromPath: 'src/old.ts', emptied: false };
    expect(await checkDefinitionEdits(definitions, [hidden], { base: reader(base), now: reader({}) })).toEqual([
      { path: 'vitest.config.mts', reason: "vitest.config.mts was added (renamed from src/old.ts) (a test runner's config)" },
    ]);
  });

  it('finds a definition git does not see when the worktree is read too, against the worktree before the attempt', async () => {
    const base = { 'package.json': manifest({ test: 'vitest run' }), 'configure.ac': '' };
    const definitions = await collectCheckDefinitions({ checks: [{ id: 'test', run: 'npm test && make check', files: [] }], testFiles: DEFAULT_TEST_FILE_GLOBS, readBase: reader(base) });
    // Setup generated an ignored Makefile: there before the attempt, so no edit of the attempt's.
    const before = await definitionSnapshot(definitions, reader({ ...base, Makefile: 'check:\n\tnpm test\n' }));
    const after = reader({ ...base, Makefile: 'check:\n\tnpm test\n', '.npmrc': 'script-shell=./x.sh\n', 'vitest.config.ts': 'export default {};\n' });
    expect(await checkDefinitionEdits(definitions, [], { base: reader(base), now: reader(base), worktree: { before, now: after } })).toEqual([
      { path: 'vitest.config.ts', reason: "vitest.config.ts was added where git does not see it (a test runner's config)" },
      { path: '.npmrc', reason: '.npmrc was added where git does not see it (it decides how the package manager runs scripts)' },
    ]);
    const edited = reader({ ...base, Makefile: 'check:\n\ttrue\n' });
    expect(await checkDefinitionEdits(definitions, [], { base: reader(base), now: reader(base), worktree: { before, now: edited } })).toEqual([
      { path: 'Makefile', reason: 'Makefile was changed where git does not see it (make reads it)' },
    ]);
  });

  it("ignores baton's own files", async () => {
    expect(await editsOf({ checks: ['npm test'], base: { 'package.json': manifest({ test: 'x' }) }, changed: { '.baton/report.json': '{}' } })).toEqual([]);
  });
});
