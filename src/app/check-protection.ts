import type { CheckFailure } from '../core/run/check-failure.js';
import type { CheckDefinition } from '../core/run/check-definitions.js';
import { globMatcher } from '../core/run/path-glob.js';
import type { ScopeRules } from '../core/run/scope-guard.js';
import { testContractMatcher } from '../core/run/test-contract.js';
import type { WrapOptions } from './run-ports.js';

/*
 * The checks run the attempt's code, in the worktree, with the worktree writable: that code
 * could rewrite a test its runner loads after it, or the script of a check that runs after its
 * own, and the checks would pass on something that is not what gets committed. So the files
 * the checks stand on are held in place while they run, and compared with what was staged after.
 */

/** How many files the checks stand on are made read-only one by one (about 3 ms per 100). */
const MAX_READ_ONLY_FILES = 4_000;

/**
 * The files the checks stand on, repository-relative — the tests and what they rely on
 * (test-contract.ts), and the files that define the checks, wholly or in part (package.json) —
 * among the paths `staged` for the verdict.
 */
export function filesChecksStandOn(
  staged: readonly string[],
  request: { rules: Pick<ScopeRules, 'testFiles' | 'checkFiles'>; definitions: { list: readonly CheckDefinition[] } },
): string[] {
  const isTest = testContractMatcher(request.rules.testFiles);
  // A module that may not be added but is there already is the project's own, not a definition.
  const definitions = request.definitions.list.filter((definition) => definition.kind !== 'new-file');
  const isDefinition = globMatcher([...definitions.map((definition) => definition.glob), ...request.rules.checkFiles]);
  return staged.filter((path) => !path.startsWith('.baton/') && (isTest(path) || isDefinition(path)));
}

/**
 * How the sandbox holds `files` (repository-relative) in place while the checks run: each
 * read-only, and every folder holding them pinned (a mount point cannot be renamed), so the code
 * under test cannot rewrite, replace or move them (nor move the worktree's HEAD, which the run
 * commits on); new files may still be made beside them.
 * Past MAX_READ_ONLY_FILES, only the comparison after the checks holds.
 */
export function heldInPlace(worktree: string, files: readonly string[]): Pick<WrapOptions, 'readOnly' | 'pinned' | 'holdHead'> {
  const held = files.length <= MAX_READ_ONLY_FILES ? files : [];
  const absolute = (path: string): string => `${worktree}/${path}`;
  return { readOnly: held.map(absolute), pinned: foldersOf(held).map(absolute), holdHead: true };
}

/** The failure of checks that changed files they stand on (`changed`, as the worktree differs from what was staged). */
export function changedWhileCheckedFailure(changed: readonly string[]): CheckFailure {
  return {
    checkId: 'checks:changed-tests',
    kind: 'scope',
    summary: `the checks changed ${changed.length === 1 ? 'a file' : `${changed.length} files`} they stand on while they ran: ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', ...' : ''}`,
    detail: `${changed.join('\n')}\n\nThe code under test changed tests or the files that define the checks while they ran, so their results say nothing about the committed tests. Code must not write to the repository's tests or check definitions.`,
  };
}

/** Every folder above these repository-relative paths, up to (not including) the repository's root. */
function foldersOf(paths: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const path of paths) {
    for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) folders.add(path.slice(0, at));
  }
  return [...folders];
}
