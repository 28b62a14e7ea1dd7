import type { CheckDefinition } from './check-definitions.js';
import type { FilePart } from './definition-parts.js';
import { dirAndAncestors, inDir } from './repo-path.js';

/*
 * The files a check reads without naming them. A test runner finds its config in the folder it
 * runs in (or one above), whatever script or Makefile started it, so these count wherever any
 * check command runs; a linter's or task runner's config counts where a check runs that tool.
 */

/** Test runners' configs (JavaScript, Python), and what changes how they load code and environment. */
const TEST_RUNNER_FILES = [
  'vitest.config.*', 'vitest.workspace.*', 'vite.config.*', 'jest.config.*', '.mocharc*', 'playwright.config.*', 'playwright-ct.config.*',
  'cypress.config.*', 'cypress.json', 'karma.conf.*', 'ava.config.*', 'babel.config.*', '.babelrc*', '.nycrc*', '.c8rc*', 'tsconfig*.json',
  'jsconfig*.json', '.swcrc', 'bunfig.toml', '.env.test', '.env.test.local', 'pytest.ini', '.pytest.ini', '.coveragerc',
];

/** What decides how a package manager runs scripts (`.npmrc`'s `script-shell`, `.yarnrc.yml`'s `yarnPath`). */
const PACKAGE_MANAGER_FILES = ['.npmrc', '.yarnrc', '.yarnrc.yml', '.pnpmfile.cjs', 'pnpm-workspace.yaml', '.yarn/releases/**', '.yarn/plugins/**'];

/** Test settings kept in shared files, beside what the task may change (dependencies, metadata). */
const TEST_RUNNER_PARTS: { file: string; part: FilePart }[] = [
  { file: 'package.json', part: { kind: 'json-keys', keys: ['jest', 'mocha', 'ava', 'c8', 'nyc', 'babel', 'config'] } },
  { file: 'pyproject.toml', part: { kind: 'toml-keys', prefixes: ['tool.pytest', 'tool.coverage'] } },
  { file: 'setup.cfg', part: { kind: 'ini-sections', sections: ['tool:pytest', 'coverage:*'] } },
  { file: 'tox.ini', part: { kind: 'ini-sections', sections: ['pytest', 'coverage:*'] } },
];

interface ToolConfig {
  files: string[];
  parts?: { file: string; part: FilePart }[];
}

const jsonKey = (key: string): { file: string; part: FilePart } => ({ file: 'package.json', part: { kind: 'json-keys', keys: [key] } });
const tomlTool = (name: string): { file: string; part: FilePart } => ({ file: 'pyproject.toml', part: { kind: 'toml-keys', prefixes: [`tool.${name}`] } });
const iniSections = (file: string, ...sections: string[]): { file: string; part: FilePart } => ({ file, part: { kind: 'ini-sections', sections } });

/** Configs of the tools in CONFIGURED_TOOLS (check-invocations.ts), by the program's name. */
const TOOL_CONFIGS: Record<string, ToolConfig> = {
  eslint: { files: ['eslint.config.*', '.eslintrc', '.eslintrc.*', '.eslintignore'], parts: [jsonKey('eslintConfig')] },
  prettier: { files: ['.prettierrc', '.prettierrc.*', 'prettier.config.*', '.prettierignore'], parts: [jsonKey('prettier')] },
  biome: { files: ['biome.json', 'biome.jsonc'] },
  stylelint: { files: ['.stylelintrc', '.stylelintrc.*', 'stylelint.config.*', '.stylelintignore'], parts: [jsonKey('stylelint')] },
  ruff: { files: ['ruff.toml', '.ruff.toml'], parts: [tomlTool('ruff')] },
  mypy: { files: ['mypy.ini', '.mypy.ini'], parts: [tomlTool('mypy'), iniSections('setup.cfg', 'mypy', 'mypy-*')] },
  flake8: { files: ['.flake8'], parts: [iniSections('setup.cfg', 'flake8'), iniSections('tox.ini', 'flake8')] },
  pylint: { files: ['.pylintrc', 'pylintrc'], parts: [tomlTool('pylint')] },
  black: { files: [], parts: [tomlTool('black')] },
  tox: { files: ['tox.ini'] },
  nox: { files: ['noxfile.py'] },
  just: { files: ['justfile', 'Justfile', '.justfile'] },
  task: { files: ['Taskfile.yml', 'Taskfile.yaml', 'taskfile.yml', 'taskfile.yaml', 'Taskfile.dist.yml', 'Taskfile.dist.yaml'] },
  // A build script runs before the tests and can rewrite them; a toolchain file can name another cargo.
  cargo: { files: ['.cargo/config.toml', '.cargo/config', 'build.rs', 'rust-toolchain', 'rust-toolchain.toml'], parts: [{ file: 'Cargo.toml', part: { kind: 'toml-except-dependencies' } }] },
  deno: { files: ['deno.json', 'deno.jsonc'] },
  turbo: { files: ['turbo.json', '**/turbo.json'] },
  lerna: { files: ['lerna.json'] },
  nx: { files: ['nx.json', '**/project.json'] },
};

/** What a command running in `dir` reads without naming it: test runner and package manager configs, there and above. */
export function runnerConfigDefinitions(dir: string): CheckDefinition[] {
  return dirAndAncestors(dir).flatMap((folder) => [
    ...TEST_RUNNER_FILES.map((name) => file(inDir(folder, name), "a test runner's config")),
    // Exact names besides the globs, so a config git does not see can be looked for (checkDefinitionEdits).
    ...scannedConfigPaths(folder).map((path) => file(path, "a test runner's config")),
    ...PACKAGE_MANAGER_FILES.map((name) => file(inDir(folder, name), 'it decides how the package manager runs scripts')),
    ...TEST_RUNNER_PARTS.map(({ file: name, part }) => ({ kind: 'part' as const, glob: inDir(folder, name), part, why: "the test runner's settings" })),
  ]);
}

/** The configs of `tool` (a CONFIGURED_TOOLS name) run in `dir`, there and above. */
export function toolConfigDefinitions(tool: string, dir: string): CheckDefinition[] {
  const config = TOOL_CONFIGS[tool];
  if (config === undefined) return [];
  return dirAndAncestors(dir).flatMap((folder) => [
    ...config.files.map((name) => file(inDir(folder, name), `${tool} reads it`)),
    ...(config.parts ?? []).map(({ file: name, part }) => ({ kind: 'part' as const, glob: inDir(folder, name), part, why: `${tool}'s settings` })),
  ]);
}

const SCRIPT_EXTENSIONS = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'];

/**
 * Config files in `dir` worth reading for the files they name (`setupFiles: ['./vitest.setup.ts']`,
 * an imported shared config): exact names, since a base commit can only be asked for files.
 */
export function scannedConfigPaths(dir: string): string[] {
  const scripted = ['vitest.config', 'vite.config', 'vitest.workspace', 'jest.config', 'playwright.config', 'cypress.config', 'karma.conf', 'ava.config'];
  return [
    ...scripted.flatMap((name) => SCRIPT_EXTENSIONS.map((extension) => `${name}.${extension}`)),
    'jest.config.json',
    ...['js', 'cjs', 'mjs', 'json', 'jsonc', 'yaml', 'yml'].map((extension) => `.mocharc.${extension}`),
  ].map((name) => inDir(dir, name));
}

/**
 * Relative file paths a config names in quotes (`'./vitest.setup.ts'`, `"<rootDir>/jest.setup.js"`),
 * resolved by the caller against the config's folder. Globs, package names and URLs are left out.
 */
export function quotedPaths(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/(["'`])((?:\.\/|<rootDir>\/)?[\w@][\w@./-]*\.[A-Za-z0-9]+)\1/g)) {
    const path = (match[2] as string).replace(/^(\.\/|<rootDir>\/)/, '');
    if (!path.split('/').includes('..') && !path.includes('//')) found.add(path);
  }
  return [...found];
}

function file(glob: string, why: string): CheckDefinition {
  return { kind: 'file', glob, why };
}
