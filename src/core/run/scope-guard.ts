import type { Task } from '../task.js';
import type { ChangedFile } from './changed-file.js';
import type { CheckFailure } from './check-failure.js';
import { globMatcher } from './path-glob.js';
import { CONFIG_FILE_NAME } from './project-config.js';

/** What an attempt may change; every list holds globs (see path-glob.ts). */
export interface ScopeRules {
  /** Paths the attempt may change; empty means no restriction was declared. */
  allowed: string[];
  /** Paths no attempt may touch. */
  protected: string[];
  /** Files that may not be deleted or emptied. */
  testFiles: string[];
  /** Files that define the checks; the config file is always one of them. */
  checkFiles: string[];
}

/** Baton's own files in the worktree (evidence, the agent's report), never the agent's scope. */
const BATON_DIR = '.baton/';

/** How many paths a summary names before it says how many more there are. */
const PATHS_IN_SUMMARY = 5;

/**
 * The paths a task may change: the names of its file resources (any mode: a task that reads a
 * file may still need to touch it) and its file links, plus the config's `scope.allow`, which
 * extends a declared scope and never creates one. An empty result means the task declared no
 * files, so nothing restricts it.
 */
export function allowedPaths(task: Pick<Task, 'resources' | 'links'>, configAllow: readonly string[]): string[] {
  const declared = [
    ...task.resources.filter((resource) => resource.kind === 'file').map((resource) => resource.name),
    ...task.links.flatMap((link) => (link.kind === 'file' ? [link.path] : [])),
  ];
  if (declared.length === 0) return [];
  return [...new Set([...declared, ...configAllow])];
}

/**
 * The scope violations of one attempt, one failure per rule broken, in this order:
 * `scope:outside` (a changed path outside `allowed`, when that is not empty; a rename counts
 * both its paths), `scope:protected` (any change touching a protected path), `scope:test-deleted`
 * (a test file deleted, emptied, or renamed to a path that is no test file) and
 * `scope:check-edited` (a check's file or `baton.config.json` changed in any way).
 * Paths under `.baton/` are baton's own and never count.
 */
export function scopeViolations(changes: readonly ChangedFile[], rules: ScopeRules): CheckFailure[] {
  const considered = changes.filter((change) => touchedPaths(change).length > 0);
  const isAllowed = globMatcher(rules.allowed);
  const isProtected = globMatcher(rules.protected);
  const isTest = globMatcher(rules.testFiles);
  const isCheck = globMatcher([...rules.checkFiles, CONFIG_FILE_NAME]);

  const outside = rules.allowed.length === 0 ? [] : considered.flatMap((change) => touchedPaths(change).filter((path) => !isAllowed(path)));
  const protectedHits = considered.flatMap((change) => touchedPaths(change).filter(isProtected));
  const testsLost = considered.filter((change) => losesTest(change, isTest)).map((change) => change.fromPath ?? change.path);
  const checksEdited = considered.flatMap((change) => touchedPaths(change).filter(isCheck));

  const failures: CheckFailure[] = [];
  if (outside.length > 0) {
    failures.push(violation('scope:outside', outside, (n) => `changed ${files(n)} outside the task's scope`, `Allowed paths: ${rules.allowed.join(', ')}`));
  }
  if (protectedHits.length > 0) {
    failures.push(violation('scope:protected', protectedHits, (n) => `changed ${files(n, 'protected ')}`, `Protected paths: ${rules.protected.join(', ')}`));
  }
  if (testsLost.length > 0) {
    failures.push(violation('scope:test-deleted', testsLost, (n) => `deleted or emptied ${files(n, 'test ')}`, 'Tests may be changed, never deleted or emptied.'));
  }
  if (checksEdited.length > 0) {
    const rule = 'The files that define the checks, and the baton config, are not the attempt\'s to change.';
    failures.push(violation('scope:check-edited', checksEdited, (n) => `changed ${files(n)} that ${n === 1 ? 'defines' : 'define'} baton's checks`, rule));
  }
  return failures;
}

/** The paths a change touches that are not baton's own: both paths of a rename. */
function touchedPaths(change: ChangedFile): string[] {
  const paths = change.change === 'renamed' && change.fromPath !== null ? [change.fromPath, change.path] : [change.path];
  return paths.filter((path) => !path.startsWith(BATON_DIR));
}

/** A test file gone: deleted, emptied, or moved to where it is no longer a test. */
function losesTest(change: ChangedFile, isTest: (path: string) => boolean): boolean {
  if (change.change === 'deleted' || change.emptied) return isTest(change.path) || (change.fromPath !== null && isTest(change.fromPath));
  return change.change === 'renamed' && change.fromPath !== null && isTest(change.fromPath) && !isTest(change.path);
}

/** One failure naming the paths: the first few in the summary, all of them in the detail. */
function violation(checkId: string, touched: readonly string[], describe: (count: number) => string, rule: string): CheckFailure {
  const paths = [...new Set(touched)];
  const shown = paths.slice(0, PATHS_IN_SUMMARY).join(', ');
  const more = paths.length > PATHS_IN_SUMMARY ? ` and ${paths.length - PATHS_IN_SUMMARY} more` : '';
  return {
    checkId,
    kind: 'scope',
    summary: `the attempt ${describe(paths.length)}: ${shown}${more}`,
    detail: [...paths, '', rule].join('\n'),
  };
}

function files(count: number, adjective = ''): string {
  return count === 1 ? `a ${adjective}file` : `${count} ${adjective}files`;
}
