import type { CheckCommand } from './project-config.js';
import { globMatcher } from './path-glob.js';

/**
 * Words of check commands that may name a file in the repository: `sh scripts/check.sh`,
 * `node test.mjs`. Options, shell syntax, absolute paths, folders and plain words (`npm`,
 * `test`) are left out; the caller keeps only those that really are files.
 */
export function checkCommandPaths(checks: readonly Pick<CheckCommand, 'run'>[]): string[] {
  const words = checks.flatMap((check) => check.run.split(/\s+/));
  const paths = words.map((word) => fileLikeWord(word.replace(/^['"]|['"]$/g, ''))).filter((path) => path !== null);
  return [...new Set(paths)];
}

/**
 * The word as a repository file name, or null when it cannot be one: options, shell syntax,
 * absolute and parent paths, and words without an extension (`npm`, `test`, and folders such as
 * `test/` or `src/tests`, which would shield every test in them).
 */
export function fileLikeWord(word: string): string | null {
  const path = word.replace(/^(\.\/)+/, '');
  if (path === '' || path.startsWith('-') || path.startsWith('/') || /[$|&;<>()*?`=\s'"]/.test(path)) return null;
  return /\.[A-Za-z0-9]+$/.test(path) && !path.split('/').includes('..') ? path : null;
}

/**
 * The files that define the checks, which no attempt may edit: what the config names in
 * `checks[].files`, and the files the check commands run (`existing` tells which words are
 * files). Test files are left out: the test contract (test-contract.ts) says what may happen to them.
 */
export function protectedCheckFiles(checks: readonly Pick<CheckCommand, 'files'>[], existing: readonly string[], testFiles: readonly string[]): string[] {
  const isTest = globMatcher(testFiles);
  const named = checks.flatMap((check) => check.files);
  return [...new Set([...named, ...existing.filter((path) => !isTest(path))])];
}
