import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { env } from 'node:process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../../../test/helpers/baton.js';
import { checkDefinitionEdits, collectCheckDefinitions, definitionSnapshot } from '../../core/run/check-definitions.js';
import { DEFAULT_TEST_FILE_GLOBS } from '../../core/run/project-config.js';
import { scopeViolations } from '../../core/run/scope-guard.js';
import { readFileAtCommit, readFilesAtCommit, readStagedFiles } from './file-at-commit.js';
import { GitCommandError } from './run-git.js';
import { GitWorkspace } from './git-workspace.js';

function write(dir: string, path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

function commitAll(dir: string, message: string): string {
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', message]);
  return git(dir, ['rev-parse', 'HEAD']).trim();
}

const manifest = (test: string, dependencies: Record<string, string> = {}): string => `${JSON.stringify({ name: 'shop', scripts: { test }, dependencies }, null, 2)}\n`;

describe('reading files at a commit', () => {
  let repo: ReturnType<typeof makeRepo>;
  let first: string;

  beforeEach(() => {
    repo = makeRepo('baton-file-at-commit-');
    write(repo.dir, 'package.json', manifest('vitest run'));
    write(repo.dir, 'src/deep/é café.txt', 'naïve\n');
    write(repo.dir, 'odd*name?.txt', 'literal\n');
    write(repo.dir, 'oddXnameY.txt', 'not this one\n');
    write(repo.dir, 'lib/index.js', 'export {};\n');
    first = commitAll(repo.dir, 'first');
    write(repo.dir, 'package.json', manifest('echo ok'));
    git(repo.dir, ['rm', '-q', 'src/deep/é café.txt']);
    commitAll(repo.dir, 'second');
  });
  afterEach(() => repo.cleanup());

  it('reads each file as the commit holds it, nested and non-ASCII paths included, null for what it lacks', async () => {
    const texts = await readFilesAtCommit(join(repo.dir, 'lib'), first, ['package.json', 'src/deep/é café.txt', 'missing.txt', 'src', 'odd*name?.txt'], { env });
    expect(texts).toEqual([manifest('vitest run'), 'naïve\n', null, null, 'literal\n']);
    expect(await readFileAtCommit(repo.dir, 'HEAD', 'package.json', { env })).toBe(manifest('echo ok'));
    expect(await readFileAtCommit(repo.dir, 'HEAD', 'src/deep/é café.txt', { env })).toBeNull();
  });

  it('fails on a name that is no commit, and refuses one that looks like an option', async () => {
    await expect(readFilesAtCommit(repo.dir, 'no-such-branch', ['package.json'], { env })).rejects.toBeInstanceOf(GitCommandError);
    await expect(readFilesAtCommit(repo.dir, '--output=x', ['package.json'], { env })).rejects.toThrow(/not a commit name/);
  });

  it('reads the index: what was staged, not what the worktree has since', async () => {
    write(repo.dir, 'package.json', manifest('staged'));
    write(repo.dir, 'new.txt', 'new\n');
    git(repo.dir, ['add', '-A']);
    write(repo.dir, 'package.json', manifest('unstaged'));
    expect(await readStagedFiles(join(repo.dir, 'lib'), ['package.json', 'new.txt', 'gone.txt', 'odd*name?.txt'], { env })).toEqual([manifest('staged'), 'new\n', null, 'literal\n']);
  });
});

describe('frozen check definitions in a real worktree', () => {
  let repo: ReturnType<typeof makeRepo>;
  let base: string;
  const workspace = new GitWorkspace({ env });

  beforeEach(() => {
    repo = makeRepo('baton-frozen-checks-');
    write(repo.dir, 'package.json', manifest('vitest run', { zod: '^4.0.0' }));
    write(repo.dir, 'test/cart.test.js', "test('adds', () => expect(add(1)).toBe(1));\n");
    base = commitAll(repo.dir, 'base');
  });
  afterEach(() => repo.cleanup());

  const readWorktree = (paths: readonly string[]) => Promise.all(paths.map((path) => readFile(join(repo.dir, path), 'utf8').catch(() => null)));

  /** What the runner would find before the attempt: the definitions at the base, and a snapshot of them in the worktree. */
  async function prepare() {
    const definitions = await collectCheckDefinitions({
      checks: [{ id: 'test', run: 'npm test', files: [] }],
      testFiles: DEFAULT_TEST_FILE_GLOBS,
      readBase: (paths) => readFilesAtCommit(repo.dir, base, paths, { env }),
    });
    return { definitions, before: await definitionSnapshot(definitions, readWorktree) };
  }

  /** Judges the worktree as it is now the way the runner would: staged, listed, compared with the base. */
  async function judge({ definitions, before }: Awaited<ReturnType<typeof prepare>>) {
    await workspace.stageAll(repo.dir);
    const changes = await workspace.changes(repo.dir, base);
    const definitionEdits = await checkDefinitionEdits(definitions, changes, {
      base: (paths) => readFilesAtCommit(repo.dir, base, paths, { env }),
      now: (paths) => readStagedFiles(repo.dir, paths, { env }),
      worktree: { before, now: readWorktree },
    });
    return scopeViolations(changes, { allowed: [], protected: [], testFiles: DEFAULT_TEST_FILE_GLOBS, checkFiles: [] }, { definitionEdits });
  }

  it('refuses the test script turned into `echo ok`, and the test rewritten as a comment', async () => {
    const prepared = await prepare();
    write(repo.dir, 'package.json', manifest('echo ok', { zod: '^4.0.0' }));
    write(repo.dir, 'test/cart.test.js', '// tests come later\n');
    const failures = await judge(prepared);
    expect(failures.map((failure) => failure.checkId)).toEqual(['scope:test-edited', 'scope:check-edited']);
    expect(failures[1]?.detail).toContain('package.json script "test" changed from `vitest run` to `echo ok`');
  });

  it('finds an .npmrc that git was told to ignore', async () => {
    const prepared = await prepare();
    appendFileSync(join(repo.dir, '.git', 'info', 'exclude'), '.npmrc\n');
    write(repo.dir, '.npmrc', 'script-shell=./always-pass.sh\n');
    const failures = await judge(prepared);
    expect(failures.map((failure) => failure.checkId)).toEqual(['scope:check-edited']);
    expect(failures[0]?.detail).toContain('.npmrc was added where git does not see it');
  });

  it('lets the dependencies change and new tests be added', async () => {
    const prepared = await prepare();
    write(repo.dir, 'package.json', manifest('vitest run', { zod: '^4.1.0', hono: '^4.0.0' }));
    write(repo.dir, 'test/checkout.test.js', "test('pays', () => {});\n");
    expect(await judge(prepared)).toEqual([]);
  });
});
