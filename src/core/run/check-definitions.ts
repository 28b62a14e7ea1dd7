import type { ChangedFile } from './changed-file.js';
import { commandInvocations } from './check-invocations.js';
import { DefinitionCollector } from './definition-collector.js';
import { partChanges, type FilePart } from './definition-parts.js';
import { globMatcher } from './path-glob.js';
import { CONFIG_FILE_NAME, type CheckCommand } from './project-config.js';
import { testContractMatcher } from './test-contract.js';

/*
 * What a check runs is defined by more than its command: `npm test` runs whatever package.json's
 * `test` script says, `make test` whatever the Makefile says, and the test runner obeys its
 * config. An attempt that edits any of these can make the check pass without doing the work, so
 * they are frozen as they were when the run started. The definitions are found once, from the
 * base commit; each attempt's changes are then compared with them.
 */

/** One thing that defines a check: a whole file (or every file a glob matches), or a part of one. */
export type CheckDefinition =
  | { kind: 'file'; glob: string; why: string }
  | { kind: 'part'; glob: string; part: FilePart; why: string }
  /** A file that may not be added (it would shadow what the check runs); one there already is the project's. */
  | { kind: 'new-file'; glob: string; why: string };

/** One change to a check's definition: the file, and what changed in it, for a person and the agent. */
export interface DefinitionEdit {
  path: string;
  reason: string;
}

/** Texts of repository files, in the order asked, null for a file that is not there (a port: git or the worktree). */
export type ReadFiles = (paths: readonly string[]) => Promise<(string | null)[]>;

export interface CheckDefinitionSources {
  checks: readonly Pick<CheckCommand, 'id' | 'run' | 'files'>[];
  /** The task's verify commands, which run after every attempt too. */
  verify?: readonly string[];
  /** The config's `scope.testFiles`: files that are tests are left to the test contract (test-contract.ts). */
  testFiles: readonly string[];
  /** Files at the commit the definitions are frozen at: the commit the run started from. */
  readBase: ReadFiles;
}

/** Baton's own files in the worktree; never the agent's doing (as in scope-guard.ts). */
const BATON_DIR = '.baton/';
/**
 * Everything that defines the checks, read from the base: the baton config, each check's
 * `files`, the files the commands name, the package.json scripts they run (with their pre and
 * post scripts and the scripts those run), Makefiles and what they include, shell scripts and
 * what they run, and the configs of the test runners, package managers and tools involved.
 */
export async function collectCheckDefinitions(sources: CheckDefinitionSources): Promise<CheckDefinition[]> {
  const collector = new DefinitionCollector(sources.readBase, testContractMatcher(sources.testFiles));
  collector.add({ kind: 'file', glob: CONFIG_FILE_NAME, why: 'the baton config' });
  for (const check of sources.checks) {
    for (const glob of check.files) collector.add({ kind: 'file', glob, why: `the config lists it in the files of check "${check.id}"` });
  }
  const commands = [...sources.checks.map((check) => check.run), ...(sources.verify ?? [])];
  await collector.follow(commands.flatMap((command) => commandInvocations(command, '')));
  return collector.definitions();
}

/** Where checkDefinitionEdits reads files. */
export interface DefinitionFiles {
  /** As of the commit the attempt started from. */
  base: ReadFiles;
  /** As the attempt left them, in the snapshot `changes` were taken from (the index after staging). */
  now: ReadFiles;
  /**
   * The worktree before the attempt (definitionSnapshot) and a reader of it as it is now, files
   * git ignores included. When given, the definitions named by an exact path are compared too:
   * an `.npmrc` listed in `.git/info/exclude`, or a file hidden with `git update-index
   * --skip-worktree`, never shows among the changes.
   */
  worktree?: { before: DefinitionSnapshot; now: ReadFiles };
}

/** The worktree's texts of the definitions named by exact paths, at one moment; null for a file that is not there. */
export type DefinitionSnapshot = ReadonlyMap<string, string | null>;

/**
 * Takes the snapshot checkDefinitionEdits compares with, from the worktree (ignored files
 * included), just before an attempt: what setup or an earlier check run generated (a Makefile
 * from `./configure`) is then no edit of the attempt's.
 */
export async function definitionSnapshot(definitions: readonly CheckDefinition[], readWorktree: ReadFiles): Promise<DefinitionSnapshot> {
  const paths = exactPaths(definitions);
  const texts = await readWorktree(paths);
  return new Map(paths.map((path, index) => [path, texts[index] ?? null]));
}

/** Whole-file definitions that name one file, not a glob. */
function exactPaths(definitions: readonly CheckDefinition[]): string[] {
  const paths = definitions.filter((definition) => definition.kind === 'file' && !/[*?[\]{}]/.test(definition.glob)).map((definition) => definition.glob);
  return [...new Set(paths)].filter((path) => !path.startsWith(BATON_DIR));
}

/**
 * The edits `changes` make to the check definitions. Whole files count when touched at all; for
 * a part of a file (package.json scripts, `[tool.pytest.ini_options]`), the file's text at the
 * base and now are compared, so changing package.json's dependencies is no edit.
 */
export async function checkDefinitionEdits(definitions: readonly CheckDefinition[], changes: readonly ChangedFile[], files: DefinitionFiles): Promise<DefinitionEdit[]> {
  const matched = definitions.map((definition) => ({ definition, matches: globMatcher([definition.glob]) }));
  const edits: DefinitionEdit[] = [];
  const partsByPath = new Map<string, CheckDefinition[]>();
  for (const { path, how } of changes.flatMap(touches)) {
    const hits = matched.filter(({ definition, matches }) => matches(path) && (definition.kind !== 'new-file' || how.startsWith('added'))).map(({ definition }) => definition);
    const whole = hits.find((definition) => definition.kind !== 'part');
    if (whole) edits.push({ path, reason: `${path} was ${how} (${whole.why})` });
    else if (hits.length > 0) partsByPath.set(path, hits);
  }
  const paths = [...partsByPath.keys()];
  if (paths.length > 0) {
    const [base, now] = await Promise.all([files.base(paths), files.now(paths)]);
    paths.forEach((path, index) => {
      const reasons = (partsByPath.get(path) ?? []).flatMap((definition) =>
        definition.kind === 'part' ? partChanges(definition.part, path, base[index] ?? null, now[index] ?? null) : [],
      );
      for (const reason of new Set(reasons)) edits.push({ path, reason });
    });
  }
  if (files.worktree) edits.push(...(await unseenEdits(definitions, changes, files.worktree.before, files.worktree.now)));
  return edits;
}

/** Definitions with an exact path that the attempt changed in the worktree although git lists no change to them. */
async function unseenEdits(definitions: readonly CheckDefinition[], changes: readonly ChangedFile[], before: DefinitionSnapshot, readNow: ReadFiles): Promise<DefinitionEdit[]> {
  const listed = new Set(changes.flatMap(touches).map(({ path }) => path));
  const why = new Map<string, string>();
  for (const definition of definitions) if (definition.kind === 'file' && !why.has(definition.glob)) why.set(definition.glob, definition.why);
  const paths = exactPaths(definitions).filter((path) => before.has(path) && !listed.has(path));
  const now = await readNow(paths);
  return paths.flatMap((path, index) => {
    const was = before.get(path) ?? null;
    const is = now[index] ?? null;
    if (was === is) return [];
    const how = was === null ? 'added' : is === null ? 'deleted' : 'changed';
    return [{ path, reason: `${path} was ${how} where git does not see it (${why.get(path)})` }];
  });
}

/** The paths a change touches, with what happened to each; baton's own files left out. */
function touches(change: ChangedFile): { path: string; how: string }[] {
  const found =
    change.change === 'renamed' && change.fromPath !== null
      ? [
          { path: change.fromPath, how: `renamed to ${change.path}` },
          { path: change.path, how: `added (renamed from ${change.fromPath})` },
        ]
      : [{ path: change.path, how: change.emptied ? 'emptied' : change.change === 'modified' ? 'changed' : change.change }];
  return found.filter(({ path }) => !path.startsWith(BATON_DIR));
}
