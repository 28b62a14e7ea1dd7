import type { Task } from '../task.js';
import type { ChangedFile } from './changed-file.js';
import type { CheckFailure } from './check-failure.js';
import type { DefinitionEdit } from './check-definitions.js';
import { globMatcher } from './path-glob.js';
import { CONFIG_FILE_NAME } from './project-config.js';
import type { InlineTestEdit } from './inline-tests.js';
import { testContractBreaches } from './test-contract.js';

/** What an attempt may change; every list holds globs (see path-glob.ts). */
export interface ScopeRules {
  /** Paths the attempt may change; empty means no restriction was declared. */
  allowed: string[];
  /** Paths no attempt may touch. */
  protected: string[];
  /**
   * What counts as a test (the config's `scope.testFiles`; test-contract.ts adds the files tests
   * stand on): an existing one may not be modified, renamed, deleted or emptied.
   */
  testFiles: string[];
  /** The existing tests this task may change anyway (editableTestPaths); absent: none. */
  editableTests?: string[];
  /** The inline tests (inline-tests.ts) it may change: globs of files, or `<file>::<module>::<test>` names (editableInlineTests). */
  editableInlineTests?: string[];
  /** Files that define the checks; the config file is always one of them. */
  checkFiles: string[];
}

/** Baton's own files in the worktree (evidence, the agent's report), never the agent's scope. */
const BATON_DIR = '.baton/';

/** How many paths a summary names before it says how many more there are. */
const PATHS_IN_SUMMARY = 5;

const TEST_DELETED_RULE = 'Existing tests are the task\'s contract: never delete or empty one (declare removes:file:<path> on the task to allow it).';
const TEST_EDITED_RULE =
  "Existing tests are the task's contract: add new tests, do not edit, rename or remove existing ones (declare modifies:file:<path> on the task to allow it; for a test inside a source file, modifies:test:<path>::<module>::<test>).";
const CHECK_EDITED_RULE = 'The files that define the checks, and the baton config, are not the attempt\'s to change.';

/** What a scope check knows besides this attempt's changes. */
export interface ScopeEvidence {
  /**
   * What the task changed since its fork commit, for the test contract: a test an earlier
   * attempt added is the task's own. Absent: `changes` stand in for it.
   */
  taskChanges?: readonly ChangedFile[];
  /** Changes to what defines the checks (checkDefinitionEdits). */
  definitionEdits?: readonly DefinitionEdit[];
  /** Tests inside source files the task changed or removed (inlineTestEdits). */
  inlineTestEdits?: readonly InlineTestEdit[];
}

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
 * both its paths), `scope:protected` (any change touching a protected path),
 * `scope:test-deleted` (an existing test deleted, emptied, or renamed to a path that is no test),
 * `scope:test-edited` (an existing test modified or renamed, a test hook such as conftest.py
 * added, see test-contract.ts; or a test inside a source file changed, `evidence.inlineTestEdits`) and `scope:check-edited` (a check's file or `baton.config.json`
 * changed in any way, and every edit in `evidence.definitionEdits`). Tests in
 * `rules.editableTests` are exempt from the test rules. Paths under `.baton/` are baton's own
 * and never count.
 */
export function scopeViolations(changes: readonly ChangedFile[], rules: ScopeRules, evidence: ScopeEvidence = {}): CheckFailure[] {
  const considered = changes.filter((change) => touchedPaths(change).length > 0);
  const isAllowed = globMatcher(rules.allowed);
  const isProtected = globMatcher(rules.protected);
  const isCheck = globMatcher([...rules.checkFiles, CONFIG_FILE_NAME]);

  const outside = rules.allowed.length === 0 ? [] : considered.flatMap((change) => touchedPaths(change).filter((path) => !isAllowed(path)));
  const protectedHits = considered.flatMap((change) => touchedPaths(change).filter(isProtected));
  const taskChanges = (evidence.taskChanges ?? changes).filter((change) => touchedPaths(change).length > 0);
  const tests = testContractBreaches(taskChanges, rules.testFiles, rules.editableTests ?? []);
  tests.edited.push(...(evidence.inlineTestEdits ?? []));
  const checksEdited = [
    ...considered.flatMap((change) => touchedPaths(change).filter(isCheck).map((path) => ({ path, reason: path }))),
    ...(evidence.definitionEdits ?? []),
  ];

  const failures: CheckFailure[] = [];
  if (outside.length > 0) {
    failures.push(violation('scope:outside', outside, (n) => `changed ${files(n)} outside the task's scope`, `Allowed paths: ${rules.allowed.join(', ')}`));
  }
  if (protectedHits.length > 0) {
    failures.push(violation('scope:protected', protectedHits, (n) => `changed ${files(n, 'protected ')}`, `Protected paths: ${rules.protected.join(', ')}`));
  }
  if (tests.lost.length > 0) {
    failures.push(violation('scope:test-deleted', tests.lost, (n) => `deleted or emptied ${files(n, 'test ')}`, TEST_DELETED_RULE));
  }
  if (tests.edited.length > 0) {
    const lines = tests.edited.map((edit) => `${edit.path} (${edit.how})`);
    failures.push(violation('scope:test-edited', tests.edited.map((edit) => edit.path), (n) => `changed ${files(n, 'existing test ')}`, TEST_EDITED_RULE, lines));
  }
  if (checksEdited.length > 0) {
    const describe = (n: number): string => `changed ${files(n)} that ${n === 1 ? 'defines' : 'define'} baton's checks`;
    failures.push(violation('scope:check-edited', checksEdited.map((edit) => edit.path), describe, CHECK_EDITED_RULE, definitionLines(checksEdited)));
  }
  return failures;
}

/** One line per edit; a bare path gives way to an edit of the same file that says what changed. */
function definitionLines(edits: readonly DefinitionEdit[]): string[] {
  const explained = new Set(edits.filter((edit) => edit.reason !== edit.path).map((edit) => edit.path));
  const lines = edits.filter((edit) => edit.reason !== edit.path || !explained.has(edit.path)).map((edit) => edit.reason);
  return [...new Set(lines)];
}

/** The paths a change touches that are not baton's own: both paths of a rename. */
function touchedPaths(change: ChangedFile): string[] {
  const paths = change.change === 'renamed' && change.fromPath !== null ? [change.fromPath, change.path] : [change.path];
  return paths.filter((path) => !path.startsWith(BATON_DIR));
}

/** One failure naming the paths: the first few in the summary, every one (or `lines` about them) in the detail. */
function violation(checkId: string, touched: readonly string[], describe: (count: number) => string, rule: string, lines?: readonly string[]): CheckFailure {
  const paths = [...new Set(touched)];
  const shown = paths.slice(0, PATHS_IN_SUMMARY).join(', ');
  const more = paths.length > PATHS_IN_SUMMARY ? ` and ${paths.length - PATHS_IN_SUMMARY} more` : '';
  return {
    checkId,
    kind: 'scope',
    summary: `the attempt ${describe(paths.length)}: ${shown}${more}`,
    detail: [...(lines ?? paths), '', rule].join('\n'),
  };
}

function files(count: number, adjective = ''): string {
  const article = /^[aeiou]/i.test(adjective) ? 'an' : 'a';
  return count === 1 ? `${article} ${adjective}file` : `${count} ${adjective}files`;
}
