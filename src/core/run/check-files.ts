import type { CheckCommand } from './project-config.js';
import { globMatcher } from './path-glob.js';

/**
 * Words of check commands that may name a file in the repository: `sh scripts/check.sh`,
 * `node test.mjs`. Options, shell syntax, absolute paths, folders and plain words (`npm`,
 * `test`) are left out; the caller keeps only those that really are files.
 */
export function checkCommandPaths(checks: readonly CheckCommand[]): string[] {
  const words = checks.flatMap((check) => check.run.split(/\s+/));
  const paths = words
    .map((word) => word.replace(/^['"]|['"]$/g, '').replace(/^\.\//, ''))
    .filter((word) => word !== '' && !word.startsWith('-') && !word.startsWith('/') && !/[$|&;<>()*?`=]/.test(word))
    // A file name with an extension: a folder (`test/`, `src/tests`) would shield every test in it.
    .filter((word) => /\.[A-Za-z0-9]+$/.test(word) && !word.split('/').includes('..'));
  return [...new Set(paths)];
}

/**
 * The files that define the checks, which no attempt may edit: what the config names in
 * `checks[].files`, and the files the check commands run (`existing` tells which words are
 * files). Test files are left out: an agent may add to a test, only not delete or empty it.
 */
export function protectedCheckFiles(checks: readonly CheckCommand[], existing: readonly string[], testFiles: readonly string[]): string[] {
  const isTest = globMatcher(testFiles);
  const named = checks.flatMap((check) => check.files);
  return [...new Set([...named, ...existing.filter((path) => !isTest(path))])];
}
